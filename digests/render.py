"""Rendering mails from the templates: HTML (CSS inlined) and the text alternative.

One Jinja2 environment with autoescape on for everything: scraped titles and
excerpts are data, so `<script>` in a title arrives as text in the HTML part. The
text templates turn escaping off inside their own blocks, where no HTML exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined

from digests.build import DigestContent
from digests.i18n import Translator

MAX_HTML_BYTES = 100_000  # Gmail clips at 102 KB; keep a margin for headers and encoding


@dataclass
class Rendered:
    subject: str
    html: str
    text: str

    @property
    def html_bytes(self) -> int:
        return len(self.html.encode("utf-8"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("digests", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=1)
def _inliner() -> css_inline.CSSInliner:
    # Remote stylesheets are never fetched; @media rules stay in a <style> for narrow screens.
    return css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


def render(name: str, language: str, subject: str, **context: Any) -> Rendered:
    """Render `name`.html and `name`.txt with the same context."""
    env = environment()
    t = Translator(language)
    values = {"t": t, "subject": subject, **context}
    html = env.get_template(f"{name}.html").render(values)
    text = env.get_template(f"{name}.txt").render(values)
    return Rendered(subject=subject, html=_inliner().inline(html), text=_tidy(text))


def _tidy(text: str) -> str:
    """Collapse runs of blank lines the template's conditionals leave behind."""
    lines: list[str] = []
    for line in text.splitlines():
        line = line.rstrip()
        if not line and lines and not lines[-1]:
            continue
        lines.append(line)
    return "\n".join(lines).strip() + "\n"


def digest_subject(content: DigestContent) -> str:
    t = Translator(content.language)
    start = t.short_date(content.period.first_day)
    return t("subject_empty", start=start) if content.empty else t("subject", start=start)


def render_digest(content: DigestContent, manage_url: str, unsubscribe_url: str) -> Rendered:
    return render(
        "digest",
        content.language,
        digest_subject(content),
        d=content,
        manage_url=manage_url,
        unsubscribe_url=unsubscribe_url,
    )


def render_confirmation(language: str, confirm_url: str, expiry_days: int) -> Rendered:
    subject = Translator(language)("confirm_subject")
    return render("confirm", language, subject, confirm_url=confirm_url, expiry_days=expiry_days)


def render_already_subscribed(language: str, manage_url: str, unsubscribe_url: str) -> Rendered:
    subject = Translator(language)("already_subject")
    return render("already", language, subject, manage_url=manage_url, unsubscribe_url=unsubscribe_url)
