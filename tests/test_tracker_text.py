"""The matcher's reading of text: normalisation, stemming, names, cues, exclusions."""

from __future__ import annotations

from datetime import datetime

import pytest

from storage.baseline import read_commitments
from tracker.language import detect_language
from tracker.matching import Document, Matcher
from tracker.normalise import normalise, words
from tracker.profiles import build_profiles


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(build_profiles(read_commitments()))


def slugs(matcher: Matcher, title: str, body: str = "", language: str | None = None) -> dict[str, str]:
    doc = Document(title=title, body=body, language=language, published_at=datetime(2026, 1, 1))
    return {link.slug: link.signal for link in matcher.match(doc)}


def test_normalisation_folds_case_accents_ligatures_and_elisions() -> None:
    assert normalise("L’ŒUVRE de l'Évaluation, d’IA !") == "oeuvre de evaluation ia"
    assert words("jusqu'à l'INESIA") == ["à", "INESIA"]


def test_language_is_detected_from_function_words() -> None:
    assert detect_language("The institute has published its roadmap for the next two years.") == "en"
    assert detect_language("L'institut a publié sa feuille de route pour les deux ans à venir.") == "fr"


def test_inflected_forms_and_long_names_match(matcher: Matcher) -> None:
    found = slugs(
        matcher,
        "Intelligence artificielle : l'Institut national pour l'évaluation et la sécurité de l'IA a été créé",
        "Les instituts nationaux d'évaluation des modèles d'IA se mettent en place.",
    )
    assert found.get("inesia") == "achieved"


def test_short_names_need_their_capitals(matcher: Matcher) -> None:
    assert "roost" in slugs(
        matcher, "ROOST publie ses premiers outils", "L'initiative ROOST pour l'IA lance des outils."
    )
    birds = "Starlings come home to roost over the pier; artificial intelligence counts them."
    assert "roost" not in slugs(matcher, "Winter roost", birds)
    assert "current-ai" not in slugs(matcher, "Current AI systems", "Current AI systems still hallucinate.")


def test_same_words_in_other_senses_do_not_link(matcher: Matcher) -> None:
    road = "Sécurité routière : le gouvernement lance un institut national et une feuille de route pour l'évaluation des conducteurs."
    assert slugs(matcher, "Sécurité routière", road) == {}
    mountain = (
        "Ascension du sommet du Mont-Blanc : la déclaration finale des guides, signataires d'une charte."
    )
    assert slugs(matcher, "Le sommet du Mont-Blanc", mountain) == {}


def test_cues_set_the_signal_in_the_sentence_of_the_match(matcher: Matcher) -> None:
    shelved = "The International AI Safety Report has been shelved by its sponsors, an AI setback."
    assert slugs(matcher, "AI news", shelved, "en")["international-ai-safety-report"] == "setback"
    launched = "The French government launched INESIA, its national AI institute."
    assert slugs(matcher, "AI news", launched, "en")["inesia"] == "progress"
    named = "INESIA took part in a meeting on artificial intelligence."
    assert slugs(matcher, "AI news", named, "en")["inesia"] == "mention"
