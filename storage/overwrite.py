"""May a refetched version replace the stored one? Not when it lost most of its text or its title.

A site that serves a maintenance page, an error template or a feed teaser at an
article's URL must not erase the article: the evidence linked to it would go with it.
"""

from __future__ import annotations

import re
import unicodedata

MIN_KEPT_SHARE = 0.4  # a new body shorter than this share of the stored one is a loss, not an edit
MIN_BODY_TO_PROTECT = 300  # below this, a stored body is too short for the share to mean anything

_HTTP_ERROR = (
    r"[45]\d{2}(?: (?:not found|forbidden|error|internal server error|service unavailable|bad gateway|"
    r"gateway timeout|page not found|page introuvable))?"
)
# Compared with the folded title (lower case, no accents).
_GENERIC_TITLE = re.compile(
    r"^(?:accueil|home|homepage|page d['’]accueil|untitled|sans titre|document|index|"
    r"erreur(?: \d{3})?|error(?: \d{3})?|" + _HTTP_ERROR + r"|page (?:introuvable|non trouvee)|"
    r"not found|page not found|acces (?:refuse|interdit)|access denied|forbidden|"
    r"maintenance|site en maintenance|en maintenance|service (?:indisponible|unavailable)|"
    r"just a moment\.*|un instant\.*|attention required!?|actualites|news|blog|publications)$"
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def generic_title(title: str, site_names: tuple[str, ...] = ()) -> bool:
    """A title that names no article: "Accueil", "Erreur 503", "Site en maintenance", the site's name."""
    folded = _fold(title).strip(" .!|-–—")
    if len(folded) < 3 or _GENERIC_TITLE.match(folded):
        return True
    return any(folded == _fold(name) for name in site_names if name)


def replacement_problem(
    old_title: str,
    old_body: str,
    new_title: str,
    new_body: str,
    site_names: tuple[str, ...] = (),
) -> str | None:
    """Why the new version must not replace the stored one, or None when it may."""
    if generic_title(new_title, site_names) and not generic_title(old_title, site_names):
        return f"title turned generic: {new_title!r} instead of {old_title!r}"
    old_len, new_len = len(" ".join(old_body.split())), len(" ".join(new_body.split()))
    if old_len >= MIN_BODY_TO_PROTECT and new_len < MIN_KEPT_SHARE * old_len:
        return f"lost most of its text: {new_len} characters instead of {old_len}"
    return None
