"""Sitemaps and sitemap indexes, read incrementally.

Élysée's publication sitemap is about 12 MB: it is parsed with lxml's iterparse,
element by element (cleared as it goes), so the tree never exists in memory beside
the bytes Scrapy already holds.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: str | None
    is_sitemap: bool  # an entry of a sitemap index, pointing to another sitemap


def gunzip_capped(raw: bytes, max_bytes: int) -> bytes:
    """The XML of a `.xml.gz` sitemap (served as a file, not Content-Encoding), within `max_bytes`."""
    if not raw.startswith(b"\x1f\x8b"):
        return raw
    with gzip.GzipFile(fileobj=io.BytesIO(raw)) as handle:
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValueError(f"gzipped sitemap expands beyond {max_bytes} bytes")
    return data


def iter_sitemap(raw: bytes) -> Iterator[SitemapEntry]:
    """Each <url> or <sitemap> entry; entities and network access are disabled."""
    context = etree.iterparse(
        io.BytesIO(raw),
        events=("end",),
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        recover=True,
    )
    for _event, element in context:
        tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
        if tag in {"url", "sitemap"}:
            loc = lastmod = None
            for child in element:
                if not isinstance(child.tag, str):
                    continue
                name = etree.QName(child).localname
                if name == "loc" and child.text:
                    loc = child.text.strip()
                elif name == "lastmod" and child.text:
                    lastmod = child.text.strip()
            if loc:
                yield SitemapEntry(loc, lastmod, tag == "sitemap")
            element.clear(keep_tail=False)
            while element.getprevious() is not None:
                del element.getparent()[0]
