"""Cue phrases: what a sentence says about a commitment's progress.

Cues are matched on plain words (accents and case folded, no stemming): stems
would confuse French "reporté" (delayed) with English "report". Inflected forms
are listed instead. Order of precedence: setback, achieved, progress; a link with
no cue in its sentences is a mention.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tracker.normalise import normalise
from tracker.phrases import PhraseIndex

SIGNAL_ORDER = ("setback", "achieved", "progress")

CUES: dict[str, dict[str, list[str]]] = {
    "setback": {
        "fr": [
            "reporté",
            "reportée",
            "reportés",
            "reportées",
            "repoussé",
            "repoussée",
            "ajourné",
            "ajournée",
            "abandonné",
            "abandonnée",
            "abandonnés",
            "remisé",
            "remisée",
            "remisé au placard",
            "renoncé",
            "renonce",
            "annulé",
            "annulée",
            "suspendu",
            "suspendue",
            "gelé",
            "gelée",
            "enterré",
            "enterrée",
            "aucun financement",
            "aucun budget",
            "sans budget",
            "sans financement",
            "pas de budget",
            "pas de financement",
            "aucun moyen",
            "ne dispose d'aucun",
            "ne dispose pas",
            "manque de moyens",
            "manque de financement",
            "en retard",
            "n'a toujours pas",
            "toujours pas",
            "attend toujours",
            "aucune avancée",
            "au point mort",
            "mis en sommeil",
            "passé sous silence",
            "a disparu",
            "fait défaut",
        ],
        "en": [
            "delayed",
            "postponed",
            "shelved",
            "abandoned",
            "scrapped",
            "dropped",
            "cancelled",
            "canceled",
            "suspended",
            "frozen",
            "no funding",
            "no budget",
            "without funding",
            "without a budget",
            "lack of funding",
            "lacks funding",
            "underfunded",
            "behind schedule",
            "struggled",
            "struggling",
            "bleaker",
            "peine à",
            "peine toujours",
            "has yet to",
            "have yet to",
            "still not",
            "still no",
            "no progress",
            "stalled",
            "backtracked",
            "watered down",
        ],
    },
    "achieved": {
        "fr": [
            "a été créé",
            "a été créée",
            "ont été créés",
            "est opérationnel",
            "est opérationnelle",
            "sont opérationnels",
            "désormais disponible",
            "désormais disponibles",
            "a été achevé",
            "a été achevée",
            "est achevé",
            "est achevée",
            "a été adopté",
            "a été adoptée",
            "ont adopté",
            "a adopté",
            "a été inauguré",
            "a été inaugurée",
            "est entré en vigueur",
            "est entrée en vigueur",
            "a été finalisé",
            "a été finalisée",
            "a été livré",
            "a été tenu",
            "s'est tenu",
            "s'est tenue",
            "se sont tenus",
            "ont été désignées",
            "a été désignée",
            "a été désigné",
            "ont été désignés",
            "a été publié",
            "a été publiée",
            "mission accomplie",
            "tenu ses promesses",
            "chose faite",
        ],
        "en": [
            "has been created",
            "was created",
            "is operational",
            "is now operational",
            "now available",
            "has been completed",
            "was completed",
            "has been adopted",
            "was adopted",
            "was inaugurated",
            "entered into force",
            "came into force",
            "has been finalised",
            "has been finalized",
            "was delivered",
            "was held",
            "took place",
            "have been designated",
            "were designated",
            "has been designated",
            "was designated",
            "has been published",
            "was published",
            "delivered on",
        ],
    },
    "progress": {
        "fr": [
            "lance",
            "lancé",
            "lancée",
            "lancés",
            "lancement",
            "publie",
            "publié",
            "publiée",
            "publiés",
            "publication de",
            "dévoile",
            "dévoilé",
            "signé",
            "signée",
            "signent",
            "signe",
            "rejoint",
            "rejoignent",
            "nouveaux partenaires",
            "nouveaux membres",
            "nouvelle étape",
            "met en place",
            "mis en place",
            "mise en place",
            "déploie",
            "déployé",
            "inaugure",
            "feuille de route",
            "première tranche",
            "désigne",
            "désigné",
            "désignée",
            "soumis à enquête",
            "projet de norme",
            "nouvelle édition",
            "deuxième édition",
            "mise à jour",
            "concrétise",
            "concrétisé",
        ],
        "en": [
            "launched",
            "launches",
            "launching",
            "publish",
            "published",
            "publishes",
            "publication of",
            "unveiled",
            "unveils",
            "presented",
            "signed",
            "signs",
            "joined",
            "new partners",
            "new members",
            "next step",
            "set up",
            "sets up",
            "rolled out",
            "rolls out",
            "deploys",
            "deployed",
            "roadmap",
            "designated",
            "designates",
            "released",
            "releases",
            "second edition",
            "new edition",
        ],
    },
}
BREAKING = frozenset(
    normalise(c)
    for c in (
        "abandonné",
        "abandonnée",
        "abandonnés",
        "renoncé",
        "renonce",
        "enterré",
        "enterrée",
        "annulé",
        "annulée",
        "abandoned",
        "scrapped",
        "cancelled",
        "canceled",
        "dropped",
    )
)


@dataclass(frozen=True)
class Cue:
    signal: str
    text: str
    language: str

    @property
    def breaks(self) -> bool:
        return normalise(self.text) in BREAKING


@lru_cache(maxsize=1)
def cue_index() -> PhraseIndex[Cue]:
    index: PhraseIndex[Cue] = PhraseIndex()
    for signal, by_language in CUES.items():
        for language, phrases in by_language.items():
            for phrase in phrases:
                index.add(normalise(phrase).split(), Cue(signal, phrase, language))
    return index


def cues_in(folded_words: list[str]) -> list[Cue]:
    """Every cue in one sentence given as lower-case accent-free words."""
    return [cue for _, _, cue in cue_index().scan(folded_words)]


def strongest(cues: list[Cue]) -> Cue | None:
    """The cue that sets the signal: setback over achieved over progress."""
    for signal in SIGNAL_ORDER:
        for cue in cues:
            if cue.signal == signal:
                return cue
    return None
