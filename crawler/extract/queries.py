"""CSS queries compiled once and run on lxml directly, for the queries that yield strings.

parsel compiles each query once too, but wraps every result (each text node, each
attribute value) in a Selector and serialises it back with a failed `tostring`: on a
listing page's card dates that was most of the walk. Same XPath (parsel's own HTML
translation of the CSS), same lxml engine, so the same strings in the same order.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lxml import etree
from parsel.csstranslator import HTMLTranslator

_TRANSLATOR = HTMLTranslator()


@lru_cache(maxsize=512)
def compiled(css: str) -> etree.XPath:
    """`css` (with parsel's `::text` and `::attr(...)`) as a compiled XPath."""
    return etree.XPath(_TRANSLATOR.css_to_xpath(css), smart_strings=False)


def strings(root: Any, css: str) -> list[str]:
    """What `Selector(root=root).css(css).getall()` gives, for a query ending in ::text or ::attr()."""
    if not hasattr(root, "xpath"):
        return []
    return [str(value) for value in compiled(css)(root)]


def first(root: Any, css: str) -> str | None:
    """What `Selector(root=root).css(css).get()` gives, for a query ending in ::text or ::attr()."""
    found = strings(root, css)
    return found[0] if found else None


def strings_of(root: Any, xpath: etree.XPath) -> list[str]:
    """What `Selector(root=root).xpath(...).getall()` gives, for a compiled XPath that yields strings."""
    if not hasattr(root, "xpath"):
        return []
    return [str(value) for value in xpath(root)]


def first_of(root: Any, xpath: etree.XPath) -> str | None:
    """The first string a compiled XPath yields (`.xpath(...).get()`), or None."""
    found = strings_of(root, xpath)
    return found[0] if found else None
