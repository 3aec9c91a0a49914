"""Matching speed: 20,000 generated publications against the whole baseline.

Reference, in the same script: a plain case-insensitive regex scan of every alias
over every text (what a naive tracker would do, with no stemming, keywords,
sentences or signals). Then the real pipeline (`summitwatch match`) over 10,000 of
them stored in SQLite, the way the service runs it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import peak_rss_mb, report, timer
from storage.baseline import read_commitments
from tracker.matching import Document, Matcher
from tracker.profiles import build_profiles

COUNT = 20_000
PIPELINE_COUNT = 10_000
FILLER = {
    "fr": [
        "Le gouvernement a présenté ce mercredi un ensemble de mesures destinées aux entreprises et aux collectivités",
        "Les services de l'État poursuivront la concertation avec les acteurs concernés dans les prochaines semaines",
        "Cette démarche s'inscrit dans une stratégie plus large de modernisation",
        "Les partenaires sociaux ont salué une méthode de travail fondée sur le dialogue",
        "Un bilan sera dressé à la fin de l'année, sur la base d'indicateurs publiés régulièrement.",
    ],
    "en": [
        "The government presented on Wednesday a set of measures for businesses and local authorities",
        "Public services will continue consultations with the stakeholders over the coming weeks",
        "This approach is part of a broader modernisation strategy",
        "Social partners welcomed a working method based on dialogue",
        "A review will be carried out at the end of the year, based on indicators published regularly.",
    ],
}
CUES = {
    "fr": ["a lancé", "a publié", "a été reporté", "est désormais opérationnel"],
    "en": ["launched", "published", "was delayed", "is now operational"],
}


def generate(rng: random.Random, count: int) -> list[dict[str, object]]:
    specs = read_commitments()
    rows = []
    for i in range(count):
        language = "fr" if i % 3 else "en"
        sentences = [rng.choice(FILLER[language]) for _ in range(rng.randint(25, 45))]
        if i % 4 == 0:  # a quarter speak of a commitment, by alias or keywords
            spec = rng.choice(specs)
            terms = getattr(spec.aliases, language) or spec.aliases.fr
            words = getattr(spec.keywords, language) or spec.keywords.fr
            at = rng.randrange(len(sentences))
            sentences[at] = (
                f"L'IA : {rng.choice(terms)} {rng.choice(CUES[language])} ({', '.join(rng.sample(words, min(3, len(words))))})"
            )
        rows.append(
            {
                "url": f"https://cyber.gouv.fr/actualites/bench-{i}/",
                "source": "anssi",
                "title": f"Publication {i} : " + rng.choice(FILLER[language])[:60],
                "published_at": "2025-06-01T10:00:00+02:00",
                "language": language,
                "body": ". ".join(sentences) + ".",
            }
        )
    return rows


def reference_scan(rows: list[dict[str, object]]) -> int:
    aliases = [a for spec in read_commitments() for a in spec.aliases.fr + spec.aliases.en]
    patterns = [re.compile(re.escape(a), re.IGNORECASE) for a in aliases]
    hits = 0
    for row in rows:
        text = f"{row['title']}\n{row['body']}"
        for pattern in patterns:
            if pattern.search(text):
                hits += 1
    return hits


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=COUNT, help="publications matched in memory")
    parser.add_argument(
        "--stored", type=int, default=PIPELINE_COUNT, help="publications the match command reads"
    )
    args = parser.parse_args()
    count, stored = args.count, min(args.stored, args.count)
    rng = random.Random(20250211)
    rows = generate(rng, count)
    words = sum(len(str(r["body"]).split()) for r in rows) / len(rows)
    print(f"{count} publications, {words:.0f} words each on average")
    matcher = Matcher(build_profiles(read_commitments()))
    documents = [Document(str(r["title"]), str(r["body"]), None, str(r["language"])) for r in rows]
    with timer() as ours:
        links = sum(len(matcher.match(d)) for d in documents)
    with timer() as ref:
        ref_hits = reference_scan(rows)
    print(f"links made: {links}; reference alias hits: {ref_hits}")
    report(
        "matching: publications per second",
        count / ours["seconds"],
        count / ref["seconds"],
        "pub/s",
        target="≥ 1,000/s and ≥ the regex scan",
    )
    report("matching: peak RSS", peak_rss_mb(), None, "MB", higher_is_better=False)

    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "SUMMITWATCH_DATA_DIR": folder}
        env.pop("SUMMITWATCH_DATABASE_URL", None)
        data = Path(folder) / "pubs.jsonl"
        data.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:stored]) + "\n")
        cli = [sys.executable, "-m", "summitwatch"]
        for step in (["db", "upgrade"], ["baseline", "load"], ["publications", "import", str(data)]):
            subprocess.run(cli + step, env=env, check=True, capture_output=True)
        with timer() as pipeline:
            done = subprocess.run(cli + ["match"], env=env, check=True, capture_output=True, text=True)
        print(done.stdout.strip())
    report(
        "match command (SQLite, stored): publications per second",
        stored / pipeline["seconds"],
        None,
        "pub/s",
        target=f"{stored:,} publications, whole command",
    )
    report("match command: peak RSS", peak_rss_mb(children=True), None, "MB", higher_is_better=False)


if __name__ == "__main__":
    main()
