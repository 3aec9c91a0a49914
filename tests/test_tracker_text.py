"""The matcher's reading of text: normalisation, stemming, names, cues, exclusions."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from storage.baseline import read_commitments
from tracker.language import detect_language
from tracker.matching import Document, Matcher, with_models
from tracker.normalise import normalise, words
from tracker.profiles import build_profiles


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher(build_profiles(read_commitments()))


def slugs(
    matcher: Matcher, title: str, body: str = "", language: str | None = None, only: list[str] | None = None
) -> dict[str, str]:
    """Signals of what links; with `only`, the signal read for those commitments, linked or not."""
    doc = Document(title=title, body=body, language=language, published_at=datetime(2026, 1, 1))
    return {link.slug: link.signal for link in matcher.match(doc, only=only)}


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
    assert found.get("inesia") == "progress"  # created: progress, as labelling.md reads it


def test_short_names_need_their_capitals(matcher: Matcher) -> None:
    assert "roost" in slugs(
        matcher, "ROOST publie ses premiers outils", "L'initiative ROOST pour l'IA lance des outils."
    )
    birds = "Starlings come home to roost over the pier; artificial intelligence counts them."
    assert "roost" not in slugs(matcher, "Winter roost", birds)
    assert "current-ai" not in slugs(matcher, "Current AI systems", "Current AI systems still hallucinate.")
    # A title-case word in a headline is not the acronym, unless the text speaks of AI: with no
    # score threshold at all, only that gate stands between the bats and the commitment.
    gate = with_models(matcher, matcher.models, threshold=0.0)
    bats = "Bats seek out existing structures to roost in; a roost is any place a bat can shelter."
    assert "roost" not in slugs(gate, "Where do Bats Roost?", bats)
    assert "roost" in slugs(
        gate, "ROOST ships its first tools", "ROOST ships open-source tools for safety teams."
    )


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


def test_the_clause_that_names_it_sets_the_signal(matcher: Matcher) -> None:
    """Negation, tense and who did what, each read in the clause of the name (written test sentences)."""
    refused = "Les États-Unis n'ont pas signé la déclaration du sommet de Paris sur l'IA."
    assert (
        slugs(matcher, "Sommet de l'IA", refused, "fr")["paris-statement-inclusive-sustainable-ai"]
        == "setback"
    )
    future = "Le gouvernement va créer l'INESIA, un institut pour l'IA, dans les prochaines semaines."
    assert slugs(matcher, "IA", future, "fr")["inesia"] == "mention"
    future_simple = "L'INESIA publiera sa feuille de route pour l'IA en 2026."
    assert slugs(matcher, "IA", future_simple, "fr")["inesia"] == "mention"
    will = "ROOST will launch its first open-source AI safety tools next year."
    assert slugs(matcher, "AI", will, "en")["roost"] == "mention"
    both = "INESIA a été créé, mais Current AI peine à lever des fonds pour l'IA d'intérêt général."
    found = slugs(matcher, "IA", both, "fr", only=["inesia", "current-ai"])
    assert found["inesia"] == "progress" and found["current-ai"] == "setback"
    # To reduce fragmentation is the platform's aim, not a cut: no setback (the Elysée's own words).
    aim = "Une plateforme et un incubateur pour l'IA d'intérêt général viendront réduire la fragmentation des initiatives."
    read = slugs(matcher, "Les actions de Paris pour l'IA", aim, "fr", only=["public-interest-ai-platform"])
    assert read["public-interest-ai-platform"] != "setback"


def test_a_word_inside_a_name_is_not_a_cue(matcher: Matcher) -> None:
    text = "Le International AI Safety Report est cité par les experts de l'IA."
    assert slugs(matcher, "IA", text, "fr")["international-ai-safety-report"] == "mention"


def test_acronyms_may_be_written_as_names(matcher: Matcher) -> None:
    assert "inesia" in slugs(matcher, "La France crée l'Inesia", "L'Inesia évaluera les modèles d'IA.", "fr")
    assert "inesia" not in slugs(matcher, "IA", "inesia est un mot inconnu de l'IA.", "fr")


def test_press_in_other_languages_reaches_its_commitment(matcher: Matcher) -> None:
    german = "Die USA und Großbritannien weigern sich, die Abschlusserklärung des KI-Gipfels in Paris zu unterzeichnen."
    assert detect_language(german) == "de"
    assert "paris-statement-inclusive-sustainable-ai" in slugs(matcher, "KI-Gipfel in Paris", german)
    spanish = (
        "La Comisión Europea impulsa cinco gigafactorías de inteligencia artificial con fondos públicos."
    )
    assert "eu-investai" in slugs(matcher, "Gigafactorías de IA", spanish)


def test_a_month_dated_page_is_not_background_for_a_day_in_that_month(matcher: Matcher) -> None:
    body = "Les États-Unis refusent de signer la déclaration du sommet sur l'IA."
    doc = Document(
        title="Sommet", body=body, language="fr", published_at=date(2025, 2, 1), date_precision="month"
    )
    link = next(k for k in matcher.match(doc) if k.slug == "paris-statement-inclusive-sustainable-ai")
    assert not link.background
    doc.date_precision = "day"
    link = next(k for k in matcher.match(doc) if k.slug == "paris-statement-inclusive-sustainable-ai")
    assert link.background and link.signal == "mention"


def test_a_headline_that_looks_ahead_is_a_mention(matcher: Matcher) -> None:
    from tracker.framing import prospect

    assert prospect("French President Macron to visit India for AI Impact Summit") == "to visit"
    assert prospect("En amont du sommet de New Delhi, Paris prépare ses annonces") == "en amont du"
    assert prospect("Genève accueillera le prochain sommet mondial sur l'IA") is None  # the host is chosen
    found = slugs(
        matcher,
        "Macron to visit India ahead of the AI Impact Summit",
        "The AI Impact Summit in New Delhi will launch a new declaration; India has launched its preparations.",
        only=["india-ai-impact-summit"],
    )
    assert found["india-ai-impact-summit"] == "mention"


def test_two_keywords_of_a_commitment_never_named_do_not_link(matcher: Matcher) -> None:
    body = (
        "L'Agence internationale de l'énergie publie ses projections annuelles. "
        "Les centres de données pèseront davantage, dit-elle, avec l'intelligence artificielle."
    )
    assert "iea-energy-ai-observatory" not in slugs(matcher, "Le pétrole reflue, le gaz tient", body)
    named = "L'Observatoire de l'énergie et de l'IA de l'AIE publie ses premières données."
    assert "iea-energy-ai-observatory" in slugs(
        matcher, "Le pétrole reflue, le gaz tient", named + " " + body
    )
