"""Facts that travel across languages and outlets: names, countries, numbers, quoted words.

Event grouping compares publications in eight languages. A French and a German report of
the same happening share few words but the same facts: "Washington et Londres", "die USA
und das Vereinigte Königreich" and "the US and UK" are all {US, GB}; "109 milliards" and
"€109bn" are both 109. These readers are what the pair features are built on.
"""

from __future__ import annotations

import re

from babel import Locale

from tracker.normalise import fold_word, sentences, words

# Numbers as the press writes them: "27", "109", "1,5", "2.5"; a unit or scale word is not kept.
# A figure, also glued to its unit as headlines write it ("€200bn", "109Md€", "50Mrd"):
# without the unit, "€150bn" against "€200bn" would read as no figure at all.
NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)?(?=(?:bn|mds?|mrd|md|m|k|b)?(?!\w))", re.IGNORECASE)
QUOTED = re.compile(r"[«“\"]\s*([^«»“”\"]{8,160}?)\s*[»”\"]")
# Capitalised words that start sentences or headlines in any language and name nothing.
GENERIC_NAMES = frozenset(
    fold_word(w)
    for w in [
        "Le",
        "La",
        "Les",
        "L",
        "Un",
        "Une",
        "Des",
        "De",
        "Du",
        "Et",
        "En",
        "Au",
        "Aux",
        "Pour",
        "Par",
        "Sur",
        "Dans",
        "Avec",
        "Ce",
        "Cette",
        "Ces",
        "Il",
        "Elle",
        "Ils",
        "On",
        "Nous",
        "The",
        "A",
        "An",
        "And",
        "Of",
        "In",
        "On",
        "For",
        "To",
        "With",
        "By",
        "At",
        "From",
        "As",
        "Is",
        "Are",
        "Was",
        "This",
        "That",
        "These",
        "It",
        "Its",
        "Their",
        "Our",
        "We",
        "Der",
        "Die",
        "Das",
        "Und",
        "El",
        "Los",
        "Las",
        "Il",
        "Lo",
        "I",
        "Het",
        "Een",
        "De",
        "O",
        "Os",
    ]
)
LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl", "nb")
# Upper-case short forms the press uses that CLDR keeps only as "alt" names (or not at all).
SHORT_COUNTRIES = {
    "uk": "GB",
    "gb": "GB",
    "vk": "GB",
    "usa": "US",
    "us": "US",
    "eua": "US",
    "eeuu": "US",
    "vs": "US",
    "uae": "AE",
    "eau": "AE",
    "ue": "EU",
    "eu": "EU",
}
# Names CLDR lacks or inflects otherwise, and the capitals the press uses for governments
# ("Washington et Londres snobent…"); folded words.
EXTRA_COUNTRIES = {
    ("britain",): "GB",
    ("great", "britain"): "GB",
    ("grande", "bretagne"): "GB",
    ("grossbritannien",): "GB",
    ("gran", "bretagna"): "GB",
    ("gran", "bretana"): "GB",
    ("inghilterra",): "GB",
    ("angleterre",): "GB",
    ("england",): "GB",
    ("vereinigte", "konigreich"): "GB",
    ("vereinigten", "konigreich"): "GB",
    ("london",): "GB",
    ("londres",): "GB",
    ("londra",): "GB",
    ("washington",): "US",
    ("etats", "unis"): "US",
    ("estados", "unidos"): "US",
    ("stati", "uniti"): "US",
    ("verenigde", "staten"): "US",
    ("vereinigten", "staaten"): "US",
    ("emirats",): "AE",
    ("emirates",): "AE",
    ("emirati",): "AE",
    ("abu", "dhabi"): "AE",
    ("abou", "dhabi"): "AE",
    ("pekin",): "CN",
    ("beijing",): "CN",
    ("bruxelles",): "EU",
    ("brussels",): "EU",
    ("bruselas",): "EU",
    ("union", "europeenne"): "EU",
    ("european", "union"): "EU",
    ("europaische", "union"): "EU",
    ("union", "europea"): "EU",
}
# Adjectives of nationality, by their folded stem: "l'absence américaine et britannique".
DEMONYMS = {
    "americain": "US",
    "american": "US",
    "amerikan": "US",
    "estadounidense": "US",
    "statunitens": "US",
    "britanni": "GB",
    "british": "GB",
    "britisch": "GB",
    "britanic": "GB",
    "brits": "GB",
    "chinois": "CN",
    "chinese": "CN",
    "chinesisch": "CN",
    "emirien": "AE",
    "emirati": "AE",
    "francais": "FR",
    "french": "FR",
    "franzosisch": "FR",
    "indian": "IN",
    "europeen": "EU",
    "european": "EU",
    "europaisch": "EU",
}

_COUNTRY_NAMES: dict[tuple[str, ...], str] = {}


def _country_names() -> dict[tuple[str, ...], str]:
    """Country names in the tracker's languages, from Babel's CLDR data, plus the forms above:
    the same country whatever language a report is in."""
    if not _COUNTRY_NAMES:
        for language in LANGUAGES:
            for code, name in Locale.parse(language).territories.items():
                if len(code) == 2 and code.isalpha():
                    key = tuple(fold_word(w) for w in words(name))
                    if key:
                        _COUNTRY_NAMES.setdefault(key, code)
        _COUNTRY_NAMES.update(EXTRA_COUNTRIES)
    return _COUNTRY_NAMES


_LONGEST: list[int] = []
_DEMONYM_OF: dict[str, str | None] = {}


def _demonym(folded: str) -> str | None:
    """The country of the first demonym `folded` starts with, remembered: every word of every
    grouped report asks, and texts repeat the same words."""
    if folded in _DEMONYM_OF:
        return _DEMONYM_OF[folded]
    code = next((code for prefix, code in DEMONYMS.items() if folded.startswith(prefix)), None)
    if len(_DEMONYM_OF) < 200_000:
        _DEMONYM_OF[folded] = code
    return code


def countries(text: str) -> set[str]:
    """ISO codes of the countries (and the EU) a text names, by name, short form or adjective."""
    names = _country_names()
    if not _LONGEST:
        _LONGEST.append(max(len(k) for k in names))
    longest = _LONGEST[0]
    tokens = words(text)
    folded = [fold_word(t) for t in tokens]
    found = set()
    for i, token in enumerate(tokens):
        if token.isupper() and folded[i] in SHORT_COUNTRIES:
            found.add(SHORT_COUNTRIES[folded[i]])
            continue
        stem = _demonym(folded[i])
        if stem:
            found.add(stem)
            continue
        if not token[:1].isupper():
            continue
        for n in range(longest, 0, -1):
            code = names.get(tuple(folded[i : i + n]))
            if code:
                found.add(code)
                break
    return found


def names(text: str) -> set[str]:
    """Capitalised words not opening a sentence, and acronyms anywhere: the names a story carries."""
    found: set[str] = set()
    for sentence in sentences(text):
        tokens = words(sentence)
        for index, token in enumerate(tokens):
            if len(token) < 2 or token.isdigit():
                continue
            acronym = token.isupper() and any(c.isalpha() for c in token)
            if acronym or (index > 0 and token[0].isupper()):
                folded = fold_word(token)
                if folded not in GENERIC_NAMES:
                    found.add(folded)
    return found


def numbers(text: str) -> set[str]:
    """Numbers other than 0 and 1, with a decimal comma read as a point."""
    out = set()
    for match in NUMBER.finditer(text):
        value = match.group(0).replace(",", ".")
        if value.endswith(".0"):
            value = value[:-2]
        if value not in {"0", "1"}:
            out.add(value)
    return out


def quotes(text: str) -> set[str]:
    """Quoted words, folded: the same quotation reads alike in every outlet that prints it."""
    found = (" ".join(fold_word(w) for w in words(q)) for q in QUOTED.findall(text))
    return {q for q in found if q}


def char_grams(text: str, n: int = 4) -> frozenset[str]:
    """Character n-grams of the folded text: cognates ("déclaration", "declaración",
    "declaration") share most of theirs, across languages."""
    folded = " ".join(fold_word(w) for w in words(text))
    return frozenset(folded[i : i + n] for i in range(len(folded) - n + 1))


# Month names in the tracker's languages, folded, by their first letters (enough to tell them apart).
MONTHS = {
    **dict.fromkeys(["janvier", "january", "januar", "jan", "enero", "gennaio", "janeiro", "januari"], 1),
    **dict.fromkeys(
        ["fevrier", "february", "februar", "feb", "febrero", "febbraio", "fevereiro", "februari"], 2
    ),
    **dict.fromkeys(["mars", "march", "marz", "mar", "marzo", "marco", "maart"], 3),
    **dict.fromkeys(["avril", "april", "apr", "abril", "aprile"], 4),
    **dict.fromkeys(["mai", "may", "mayo", "maggio", "maio", "mei"], 5),
    **dict.fromkeys(["juin", "june", "juni", "jun", "junio", "giugno", "junho"], 6),
    **dict.fromkeys(["juillet", "july", "juli", "jul", "julio", "luglio", "julho"], 7),
    **dict.fromkeys(["aout", "august", "aug", "agosto", "augustus"], 8),
    **dict.fromkeys(["septembre", "september", "sept", "sep", "septiembre", "settembre", "setembro"], 9),
    **dict.fromkeys(["octobre", "october", "oktober", "oct", "octubre", "ottobre", "outubro"], 10),
    **dict.fromkeys(["novembre", "november", "nov", "noviembre", "novembro"], 11),
    **dict.fromkeys(["decembre", "december", "dezember", "dec", "diciembre", "dicembre", "dezembro"], 12),
}
YEAR = re.compile(r"^20[12]\d$")


def mentioned_days(text: str) -> set[tuple[int, int, int]]:
    """Days a text names in full ("11 février 2025", "February 11, 2025", "11/02/2025"): a
    report of a happening names its day, which dates a page that shows no date of its own."""
    tokens = [fold_word(t) for t in words(text)]
    found: set[tuple[int, int, int]] = set()
    for i, token in enumerate(tokens):
        month = MONTHS.get(token)
        if month is None:
            continue
        before = tokens[i - 1] if i > 0 else ""
        before = tokens[i - 2] if before == "de" and i > 1 else before  # "11 de febrero"
        after = tokens[i + 1 : i + 4]
        after = [t for t in after if t != "de"]
        day = before if before.isdigit() else (after[0] if after and after[0].isdigit() else "")
        year = next((t for t in after[:2] if YEAR.match(t)), None)
        if day and year and 1 <= int(day) <= 31 and day != year:
            found.add((int(year), month, int(day)))
    for match in re.finditer(r"\b(\d{1,2})[/.](\d{1,2})[/.](20[12]\d)\b", text):
        d, m, y = (int(g) for g in match.groups())
        if 1 <= d <= 31 and 1 <= m <= 12:
            found.add((y, m, d))
    return found


def mentioned_years(text: str) -> set[str]:
    """Years 2010-2029 a text names: "2026-2027" tells a roadmap from the 2025 launch it recalls."""
    return {t for t in words(text) if YEAR.match(t)}


# Headline words of texts that look back on a happening rather than report it: questions,
# round-ups, op-eds, explainers. A later op-ed about a happening is not that happening.
LOOKING_BACK = frozenset(
    {
        "bilan",
        "retour sur",
        "retours sur",
        "un an apres",
        "il y a un an",
        "a year after",
        "one year",
        "ce qu il faut retenir",
        "takeaways",
        "analyse",
        "analysis",
        "opinion",
        "tribune",
        "commentary",
        "op ed",
        "edito",
        "decryptage",
        "explainer",
        "what it means",
        "what this means",
        "pourquoi",
        "why",
        "how",
        "comment",
        "qui est",
        "qui se cache",
        "c est quoi",
        "what is",
        "what are",
        "what were",
        "cosa significa",
        "pour quoi faire",
        "did",
    }
)


def looks_back(title: str) -> bool:
    """A headline that asks, sums up or comments rather than reports."""
    if "?" in title:
        return True
    folded = f" {' '.join(fold_word(w) for w in words(title))} "
    return any(f" {cue} " in folded for cue in LOOKING_BACK)
