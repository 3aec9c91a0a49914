"""Money amounts with their currency and scale: "€150bn", "200 milliards d'euros", "$400 million".

A bare number says little ("2025", "60 pays"); an amount of money names an announcement:
the companies' EU AI Champions (€150 bn, 10 February) and the EU's InvestAI (€200 bn,
11 February) share every other fact. Amounts are read as (currency, billions), so "109
milliards d'euros" and "€109bn" are one amount whatever the language writes.
"""

from __future__ import annotations

import re

NUMBER = r"(\d{1,3}(?:[.,]\d{3})+|\d+(?:[.,]\d+)?)"
THOUSANDS = re.compile(r"^\d{1,3}(?:[.,]\d{3})+$")
# Scale words, by the power of ten they stand for (folded to lower case, without dots).
SCALES = {
    **dict.fromkeys(
        ["bn", "b", "billion", "billions", "milliard", "milliards", "md", "mds", "mrd", "mrds"], 9
    ),
    **dict.fromkeys(["milliarden", "miliardi", "miljard", "miljarden", "mil millones", "bilhoes"], 9),
    **dict.fromkeys(["bilhões", "bilioes", "billones"], 9),
    **dict.fromkeys(["m", "million", "millions", "mio", "millionen", "milioni", "millones", "milhoes"], 6),
    **dict.fromkeys(["milhões", "miljoen"], 6),
}
CURRENCIES = {
    **dict.fromkeys(["€", "eur", "euro", "euros", "d'euros", "d’euros", "de euros", "di euro"], "EUR"),
    **dict.fromkeys(["$", "usd", "dollar", "dollars", "de dollars", "de dólares", "dólares"], "USD"),
    **dict.fromkeys(["£", "gbp", "pound", "pounds", "livres", "de livres"], "GBP"),
}
_SCALE = "|".join(sorted((re.escape(s) for s in SCALES), key=len, reverse=True))
_CURRENCY = "|".join(sorted((re.escape(c) for c in CURRENCIES), key=len, reverse=True))
# "€150bn", "$ 400 million", "€ 200 Mrd."
BEFORE = re.compile(rf"(€|\$|£)\s?{NUMBER}\s?({_SCALE})?\.?(?![\w])", re.IGNORECASE)
# "150 milliards d'euros", "200 Mrd. Euro", "109Md€", "400 million dollars"
AFTER = re.compile(rf"(?<![\w.,]){NUMBER}\s?({_SCALE})\.?\s?({_CURRENCY})(?![\w])", re.IGNORECASE)


def _value(number: str, scale: str | None) -> float:
    if THOUSANDS.match(number):  # "200.000 millones", "1,500 million": groups of three digits
        number = number.replace(",", "").replace(".", "")
    value = float(number.replace(",", "."))
    power = SCALES.get((scale or "").lower(), 0)
    return value * 10 ** (power - 9)


def _key(currency: str, billions: float) -> str:
    return f"{currency} {round(billions, 3):g}bn"


def amounts(text: str) -> set[str]:
    """The money amounts a text states, as "EUR 150bn" (currency, then billions)."""
    found: set[tuple[str, float]] = set()
    for symbol, number, scale in BEFORE.findall(text):
        found.add((CURRENCIES[symbol], _value(number, scale)))
    for number, scale, currency in AFTER.findall(text):
        found.add((CURRENCIES[currency.lower()], _value(number, scale)))
    return {_key(currency, value) for currency, value in found if value > 0}


def conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both state amounts in one currency and share none of them: two announcements, not one.
    A missing amount, or amounts in different currencies (a conversion), tells nothing."""
    for currency in {x.split()[0] for x in a} & {x.split()[0] for x in b}:
        mine = {x for x in a if x.startswith(currency)}
        theirs = {x for x in b if x.startswith(currency)}
        if not mine & theirs:
            return True
    return False
