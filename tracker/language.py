"""Which language a publication is written in, when its source does not say.

Counting frequent function words is enough to tell the languages of the summit's
press apart; a text too short to tell falls back to the source's language.
"""

from __future__ import annotations

from tracker.normalise import fold_word, words

# The baseline is written in French and English; press in these other languages is read too,
# through its own stemmer and the phrasings the baseline gives in that language.
BASE_LANGUAGES = ("fr", "en")
LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl", "no")
_WORDS = {
    "fr": "le la les des du de et un une est sont pour dans par sur au aux avec ce cette ces qui que ne pas "
    "plus nous vous ils elle son sa ses leur leurs ou mais a ete",
    "en": "the of and to in is are for on with by this that these which be was were it its from as an at or "
    "not have has been will their our we they",
    "de": "der die das und ist nicht mit von den dem des ein eine einer sich auch auf für wird werden wurde "
    "sind hat haben bei nach zum zur über zu im sie es",
    "es": "el los las del y en que por con una para se su sus es son fue han al como pero más este esta sobre "
    "la de no a un lo",
    "it": "il lo gli della delle dei di che non per con una sono è stato alla nel nella anche come più questo "
    "questa degli la a in un",
    "pt": "o os as do da dos das e que não para com uma em por ao na no foi são mais como pelo pela seu sua "
    "a de",
    "nl": "de het een en van is niet met op voor zijn dat die wordt werd hebben heeft ook bij naar door aan",
    "no": "og det er som en til av på for med ikke har den de å var fra om vil kan skal etter også",
}
FUNCTION_WORDS = {language: frozenset(text.split()) for language, text in _WORDS.items()}
# Only words of one language tell it apart ("de", "la", "que" are in three).
_TELLING = {
    language: frozenset(w for w in own if not any(w in FUNCTION_WORDS[o] for o in LANGUAGES if o != language))
    for language, own in FUNCTION_WORDS.items()
}


def detect_language(text: str, default: str = "fr") -> str:
    """The language whose function words are commonest in the first few thousand words."""
    counts = dict.fromkeys(LANGUAGES, 0)
    for word in words(text[:20000]):
        lowered = word.lower()
        folded = fold_word(word)
        for language in LANGUAGES:
            if lowered in _TELLING[language] or folded in _TELLING[language]:
                counts[language] += 1
    ranked = sorted(LANGUAGES, key=lambda language: -counts[language])
    best, second = ranked[0], ranked[1]
    if counts[best] < 2 or counts[best] == counts[second]:
        return default if default in LANGUAGES else "fr"
    return best


def publication_language(declared: str | None, text: str, default: str = "fr") -> str:
    """The declared language when it is one we stem, else a detection."""
    if declared:
        short = declared.split("-")[0].split("_")[0].lower()
        if short in LANGUAGES:
            return short
    return detect_language(text, default)
