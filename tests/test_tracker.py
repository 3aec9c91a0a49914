"""The tracker as a user runs it: import, match, review, explain, evaluate; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storage.baseline import COMMITMENTS_FILE
from tracker.evaluate import grouped_folds
from tracker.labelled import read_labelled

LABELLED = Path(__file__).parent / "data" / "labelled"
FIXTURES = LABELLED / "fixtures.jsonl"
REAL = LABELLED / "real"
ANSSI_SEED = "https://cyber.gouv.fr/actualites/sommet-pour-laction-sur-lintelligence-artificielle-retour-sur-les-travaux-de-lanssi"
CESIA_SEED = "https://www.securite-ia.fr/publications/le-sommet-de-linaction-pour-la-securite-de-lia"
ELYSEE_SEED = "https://www.elysee.fr/sommet-pour-l-action-sur-l-ia/ia-de-confiance"


def show(cli, slug: str) -> dict:
    result = cli("commitments", "show", slug, "--format", "json")
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    return data[0] if isinstance(data, list) else data


def links(cli, *args: str) -> dict[str, dict[str, dict]]:
    """Evidence as `evidence list --format json` gives it, by publication URL then slug."""
    result = cli("evidence", "list", "--format", "json", *args)
    assert result.code == 0, result.output
    out: dict[str, dict[str, dict]] = {}
    for row in json.loads(result.stdout):
        out.setdefault(row["publication"]["url"].rstrip("/"), {})[row["commitment"]] = row
    return out


@pytest.fixture
def matched(cli, db: str):
    result = cli("publications", "import", str(FIXTURES))
    assert result.code == 0, result.output
    result = cli("match")
    assert result.code == 0, result.output
    assert "38 publications" in result.stdout
    return cli


def test_seed_publications_link_as_a_reader_would(matched) -> None:
    found = links(matched)
    anssi = found[ANSSI_SEED]
    for slug in (
        "anssi-cyber-risk-analysis",
        "anssi-ai-crisis-exercise-feedback",
        "ai-act-national-authorities",
    ):
        assert slug in anssi, sorted(anssi)
    cesia = found[CESIA_SEED]
    assert cesia["inesia"]["signal"] == "setback"
    assert "financement" in cesia["inesia"]["excerpt"]
    assert cesia["international-ai-safety-report"]["signal"] == "setback"
    assert cesia["international-ai-safety-report"]["cue"] == "remisé"
    for slug in ("france-109bn-investment", "india-ai-impact-summit"):
        assert slug in cesia, sorted(cesia)
    elysee = found[ELYSEE_SEED]
    assert {"frontier-ai-safety-commitments", "ai-information-integrity"} <= set(elysee), sorted(elysee)


def test_no_link_from_a_negative(matched) -> None:
    negatives = [json.loads(line) for line in FIXTURES.read_text().splitlines()]
    negatives = [row["url"].rstrip("/") for row in negatives if not row["expected"]]
    assert len(negatives) >= 10
    found = links(matched)
    assert [url for url in negatives if url in found] == []


def test_each_link_keeps_score_terms_excerpt_and_proposal(matched) -> None:
    row = links(matched)[CESIA_SEED]["inesia"]
    assert row["score"] >= 0.6
    assert "INESIA" in row["matched_terms"]
    assert row["proposed_status"] == "stalled"
    assert row["review_state"] == "unreviewed"
    assert row["background"] is False


def test_matching_again_is_idempotent_and_keeps_decisions(matched) -> None:
    before = links(matched)
    count = sum(len(v) for v in before.values())
    again = matched("match")
    assert again.code == 0 and "0 publications" in again.stdout, again.output

    rejected = before[CESIA_SEED]["inesia"]["id"]
    assert matched("review", "reject", str(rejected), "--note", "not about funding", "--by", "rita").code == 0
    rematch = matched("match", "--rematch")
    assert rematch.code == 0 and "0 new links" in rematch.stdout, rematch.output
    after = matched("evidence", "list", "--format", "json")
    rows = json.loads(after.stdout)
    assert len(rows) == count - 1  # the rejected link is hidden from listings, not recreated
    assert all(r["id"] != rejected for r in rows)
    assert len({(r["commitment"], r["publication"]["url"]) for r in rows}) == len(rows)


def test_baseline_edit_rematches_without_duplicates_and_rejected_stays_rejected(
    matched, tmp_path: Path
) -> None:
    before = links(matched)
    count = sum(len(v) for v in before.values())
    rejected = before[CESIA_SEED]["international-ai-safety-report"]["id"]
    assert matched("review", "reject", str(rejected), "--by", "rita").code == 0
    edited = tmp_path / "commitments.yaml"
    text = COMMITMENTS_FILE.read_text(encoding="utf-8")
    edited.write_text(text.replace('"Creation of INESIA,', '"Launch of INESIA,'), encoding="utf-8")
    assert matched("baseline", "load", "--commitments", str(edited)).code == 0
    # A title is part of the profile the ranking reads: an edit matches everything again, once.
    assert "38 publications" in matched("match").stdout
    assert "0 publications" in matched("match").stdout
    # A new keyword does: everything is matched again, once.
    edited.write_text(
        text.replace('"financement propre"]', '"financement propre", "Campus Cyber"]', 1), encoding="utf-8"
    )
    assert matched("baseline", "load", "--commitments", str(edited)).code == 0
    result = matched("match")
    assert "38 publications" in result.stdout, result.output
    rows = json.loads(matched("evidence", "list", "--format", "json").stdout)
    assert all(r["id"] != rejected for r in rows)
    assert len({(r["commitment"], r["publication"]["url"]) for r in rows}) == len(rows)
    assert abs(len(rows) - (count - 1)) <= 2


def test_review_accept_moves_the_status_with_the_reviewer(matched) -> None:
    listing = matched("review", "--list")
    assert listing.code == 0 and "open proposal" in listing.stdout, listing.output
    proposals = json.loads(matched("review", "--format", "json").stdout)
    proposal = next(p for p in proposals if p["commitment"] == "inesia" and p["proposed_status"] == "stalled")
    result = matched("review", "accept", str(proposal["id"]), "--note", "no own budget", "--by", "rita")
    assert result.code == 0 and "not_rated -> stalled" in result.stdout, result.output
    shown = show(matched, "inesia")
    assert shown["status"] == "stalled"
    assert shown["history"][-1]["changed_by"] == "rita"
    assert shown["history"][-1]["evidence_url"] == CESIA_SEED
    twice = matched("review", "accept", str(proposal["id"]), "--by", "rita")
    assert twice.code == 2 and "already accepted" in twice.stderr


def test_auto_apply_above_records_auto(cli, db: str) -> None:
    assert cli("publications", "import", str(FIXTURES)).code == 0
    result = cli("match", extra_env={"SUMMITWATCH_TRACKER__AUTO_APPLY_ABOVE": "0.95"})
    assert "applied automatically" in result.stdout, result.output
    shown = show(cli, "inesia")
    assert shown["history"] and shown["history"][-1]["changed_by"] == "auto"


def test_publication_before_the_commitment_is_background(cli, db: str, tmp_path: Path) -> None:
    line = {
        "url": "https://www.elysee.fr/emmanuel-macron/2025/01/20/annonce-geneve",
        "source": "elysee",
        "title": "Intelligence artificielle : la Suisse accueillera le prochain sommet",
        "published_at": "2025-01-20T10:00:00+01:00",
        "language": "fr",
        "body": "La Suisse accueillera le prochain sommet de l'IA à Genève en 2027. Le sommet de Genève 2027 a été annoncé.",
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    assert cli("publications", "import", str(path)).code == 0
    assert cli("match").code == 0
    row = links(cli)[line["url"]]["next-summit-geneva-2027"]
    assert row["background"] is True
    assert row["signal"] == "mention" and row["proposed_status"] is None


def test_explain_prints_score_terms_sentence_and_cue(matched) -> None:
    result = matched("evidence", "explain", CESIA_SEED, "international-ai-safety-report")
    assert result.code == 0, result.output
    out = result.stdout
    assert "score" in out and "linked" in out
    assert "AI Safety Report" in out and "alias" in out and "body" in out
    assert "remisé à peine publié" in out
    assert "cue “remisé”" in out
    missing = matched("evidence", "explain", "https://nowhere.example/x", "inesia")
    assert missing.code == 2 and "no publication stored" in missing.stderr
    data = json.loads(matched("evidence", "explain", CESIA_SEED, "roost", "--format", "json").stdout)
    assert data["linked"] is False and data["stored"] is None


def test_real_corpus_cross_validated_holds_the_line(cli, env) -> None:
    """The figures the tracker reports about itself come from real publications, by grouped CV.

    The floor here is today's measured level minus a margin, so a change that makes the tracker
    worse on real text fails; the targets of issue 11 are higher (see README).
    """
    result = cli(
        "tracker",
        "evaluate",
        "--cv",
        "5",
        str(REAL),
        "--format",
        "json",
        "--min-f1",
        "0.90",
        "--min-signal",
        "0.74",
        timeout=300,  # five trainings and the events folds: minutes on a shared 2-core machine
    )
    assert result.code == 0, result.output
    data = json.loads(result.stdout)
    assert data["publications"] >= 500 and data["negatives"] >= 100
    assert data["cross_validation"]["folds"] == 5
    summary = data["summary"]
    assert summary["precision"] >= 0.95, summary
    assert summary["negative_false_links"] <= 6, summary
    # Measured 0.758 with mention recall 0.491 once dates in the clause were read (0.750 / 0.452 before).
    assert summary["class_recall"]["mention"] >= 0.45 and summary["class_recall"]["setback"] >= 0.60, summary
    assert set(data["confusion"]) == {"pos", "setback", "mention"}
    assert sum(data["confusion"]["setback"].values()) >= 40  # setbacks found and scored
    # the table and the error list are the same code on any corpus: one file keeps this quick
    table = cli("tracker", "evaluate", str(REAL / "france_state.jsonl"), "--cv", "2", "--errors", "5")
    assert table.code == 0, table.output
    out = table.stdout
    assert "links: precision" in out and "signal accuracy" in out and "recall by class" in out
    assert "2-fold grouped cross-validation" in out and "worst 5 of" in out


def test_labelled_folds_never_split_a_story() -> None:
    rows = read_labelled(REAL)
    folds = grouped_folds(rows, 5)
    story_fold = {}
    for number, fold in enumerate(folds):
        for index in fold:
            assert story_fold.setdefault(rows[index].story, number) == number
    assert sorted(i for f in folds for i in f) == list(range(len(rows)))


def test_train_writes_small_json_models_that_match_offline(cli, env, tmp_path: Path) -> None:
    out = tmp_path / "models"
    result = cli("tracker", "train", str(REAL), "--out", str(out), timeout=300)
    assert result.code == 0, result.output
    link = json.loads((out / "link.json").read_text())
    assert link["features"] and 0.2 <= link["threshold"] <= 0.8
    assert link["trained"]["publications"] >= 500
    assert (out / "link.json").stat().st_size < 20_000
    assert not (out / "signal.json").exists()  # signals are read by the clause rules unless asked
    bad = cli("tracker", "train", str(tmp_path / "missing"))
    assert bad.code == 2 and bad.stderr.startswith("error:") and "no such file" in bad.stderr


def test_evaluate_names_a_broken_label_file(cli, env, tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"url": "x", "title": "t", "expected": []}\n{not json}\n', encoding="utf-8")
    result = cli("tracker", "evaluate", str(bad))
    assert result.code == 2 and "bad.jsonl:2" in result.stderr, result.output
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text('{"url": "x", "title": "t", "expected": [{"slug": "nope"}]}\n', encoding="utf-8")
    result = cli("tracker", "evaluate", str(unknown))
    assert result.code == 2 and "nope" in result.stderr
