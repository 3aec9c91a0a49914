"""cyber.gouv.fr (ANSSI): the 2026 DSFR site and the old Drupal pages still online."""

from __future__ import annotations

from crawler.extract.article import SiteSelectors
from crawler.spiders.base import SiteSpider


class AnssiSpider(SiteSpider):
    name = "anssi"
    selectors = SiteSelectors(
        title=("article.node h1.page-title", "main h1.page-title", "main .fr-col-md-9 > h1"),
        # 2026: "Publié le jeudi 12 février 2026 · Mis à jour le …"; Drupal: "lun 17/02/2025 - 15:34",
        # "Publié le 28 Juillet 2022 Mis à jour le 28 Mai 2025".
        date=(
            "article.node .field--name-created",
            "article.node .node__dates",
            "main p.fr-text--sm",
        ),
        body=(
            "article.node .field--name-field-chapo, article.node .field--name-field-paragraphes,"
            " article.node .field--name-body",
            "main .fr-text--lead, main .block-paragraph",
        ),
        drop=("figure", "img", "script", "style"),
        tags=("article.node .field--name-field-tags a", "main .fr-tags-group .fr-tag"),
    )
