"""docker-compose.yml and the Dockerfile, checked without a Docker engine.

The compose file: its services, images, health checks, ports and volumes, that every
`command` is a real `summitwatch` command (parsed by the Typer app itself) and that
every setting it passes exists. The Dockerfile: it installs the project exactly as
pyproject.toml declares it, and what that installs is everything the service needs.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml
from pydantic import BaseModel
from setuptools import find_packages

from summitwatch.cli import app
from summitwatch.config import Settings
from tests.conftest import REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())
DOCKERFILE = (REPO / "Dockerfile").read_text()
SERVICES: dict[str, Any] = COMPOSE["services"]


def resolve(value: str) -> str:
    """Compose interpolation with its defaults: ${VAR:-default} -> default."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def summitwatch_invocations(command: list[str] | str) -> list[list[str]]:
    """The `summitwatch ...` argument lists a service command runs (through `sh -c` or directly)."""
    argv = shlex.split(command) if isinstance(command, str) else list(command)
    parts = [shlex.split(p) for p in argv[2].split("&&")] if argv[:2] == ["sh", "-c"] else [argv]
    calls = []
    for words in parts:
        if words and words[0] == "exec":
            words = words[1:]
        assert words and words[0] == "summitwatch", f"not a summitwatch command: {words}"
        calls.append(words[1:])
    return calls


def check_cli(args: list[str]) -> str:
    """Resolve `args` through the Typer app's click tree and parse its options; returns the path."""
    command: Any = typer.main.get_command(app)  # Typer's (vendored) click command tree
    path: list[str] = []
    rest = list(args)
    while hasattr(command, "commands"):  # a group
        assert rest, f"summitwatch {' '.join(path)}: a subcommand is missing"
        name = rest.pop(0)
        sub = command.commands.get(name)
        assert sub is not None, f"summitwatch {' '.join([*path, name])}: no such command"
        command, path = sub, [*path, name]
    command.make_context(" ".join(path), rest)  # raises a UsageError on a bad option or argument
    return " ".join(path)


def test_services_images_and_health_checks() -> None:
    assert set(SERVICES) == {"db", "mail", "web", "scheduler"}
    db = SERVICES["db"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert any(v.endswith(":/var/lib/postgresql/data") for v in db["volumes"])
    assert SERVICES["mail"]["image"].startswith("axllent/mailpit")
    for name in ("web", "scheduler"):
        service = SERVICES[name]
        assert service["build"] == "." and (REPO / "Dockerfile").is_file()
        assert service["image"] == SERVICES["web"]["image"], "one image for both"
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
    assert "healthz" in " ".join(SERVICES["web"]["healthcheck"]["test"])


def test_ports_and_volumes() -> None:
    def container_ports(service: dict[str, Any]) -> set[int]:
        return {int(str(p).split("#")[0].strip().rsplit(":", 1)[-1]) for p in service.get("ports", [])}

    assert container_ports(SERVICES["web"]) == {8000}
    assert {8025, 1025} <= container_ports(SERVICES["mail"])
    assert not container_ports(SERVICES["db"]), "the database is not published on the host"
    declared = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"
    assert {"pgdata", "data"} <= declared


def test_every_command_is_a_real_summitwatch_command() -> None:
    seen = {}
    for name in ("web", "scheduler"):
        calls = summitwatch_invocations(SERVICES[name]["command"])
        paths = [check_cli(args) for args in calls]
        assert paths[0] == "db upgrade", f"{name} must migrate first"
        seen[name] = paths
    assert seen["web"] == ["db upgrade", "baseline load", "serve"], "a fresh database gets its sources"
    assert seen["scheduler"][-1] == "scheduler start"
    # The scheduler plans one crawl job per source in the database: it starts once web has loaded them.
    assert SERVICES["scheduler"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "--host 0.0.0.0" in SERVICES["web"]["command"][-1]
    with pytest.raises(AssertionError):
        check_cli(["scheduler", "stop"])
    with pytest.raises(Exception, match="No such option"):
        check_cli(["serve", "--hots", "x"])


def test_settings_come_from_the_environment_and_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("web", "scheduler"):
        environment = SERVICES[name]["environment"]
        assert environment == SERVICES["web"]["environment"]
        for key in environment:
            assert key.startswith("SUMMITWATCH_"), key
            parts = key.removeprefix("SUMMITWATCH_").lower().split("__")
            model: type[BaseModel] = Settings
            for part in parts[:-1]:
                annotation = model.model_fields[part].annotation
                assert isinstance(annotation, type) and issubclass(annotation, BaseModel), key
                model = annotation
            assert parts[-1] in model.model_fields, f"{key} is not a setting"
    for key in list(os.environ):
        if key.startswith("SUMMITWATCH_"):
            monkeypatch.delenv(key)
    for key, value in SERVICES["web"]["environment"].items():
        monkeypatch.setenv(key, resolve(str(value)))
    settings = Settings()
    assert "@db:5432/" in settings.effective_database_url
    assert settings.smtp_host == "mail" and settings.smtp_port == 1025
    assert settings.web.workers == 2, "the web service runs uvicorn workers"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", DOCKERFILE)
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            out.append((keyword.upper(), rest.strip()))
    return out


def _top_level_packages() -> list[str]:
    include = PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]
    return sorted({pattern.rstrip("*").rstrip(".") for pattern in include})


def test_dockerfile_installs_the_project_as_pyproject_declares() -> None:
    steps = _dockerfile_instructions()
    base = next(rest for keyword, rest in steps if keyword == "FROM")
    assert base == "python:3.11-slim"
    required = PYPROJECT["project"]["requires-python"]
    assert required == ">=3.11", "the base image's Python must satisfy requires-python"

    copied = " ".join(rest for keyword, rest in steps if keyword == "COPY").split()
    for needed in ("pyproject.toml", PYPROJECT["project"]["readme"], *_top_level_packages()):
        assert needed in copied, f"the image does not get {needed}"

    installs = [rest for keyword, rest in steps if keyword == "RUN" and "pip install" in rest]
    assert len(installs) == 1, installs
    pip_args = shlex.split(installs[0].split("pip install", 1)[1].split("&&")[0])
    assert pip_args == ["."], f"install the project itself, no extras or extra packages: {pip_args}"

    user_steps = [rest for keyword, rest in steps if keyword == "USER"]
    assert user_steps and user_steps[-1] not in ("root", "0")
    last_run = max(i for i, (keyword, _) in enumerate(steps) if keyword == "RUN")
    assert max(i for i, (keyword, _) in enumerate(steps) if keyword == "USER") > last_run
    assert "summitwatch" in PYPROJECT["project"]["scripts"]
    command = next(rest for keyword, rest in reversed(steps) if keyword == "CMD")
    check_cli(json.loads(command)[1:])

    ignored = {line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()}
    for needed in ("pyproject.toml", "README.md", *_top_level_packages()):
        assert needed not in ignored


def test_what_pip_install_ships_includes_every_module_and_migration() -> None:
    packages = set(
        find_packages(str(REPO), include=PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"])
    )
    data = PYPROJECT["tool"]["setuptools"].get("package-data", {})
    shipped: set[Path] = set()
    for package in packages:
        folder = REPO.joinpath(*package.split("."))
        shipped |= set(folder.glob("*.py"))
        for pattern in [*data.get("*", []), *data.get(package, [])]:
            shipped |= {p for p in folder.glob(pattern) if p.is_file()}
    missing = []
    for top in _top_level_packages():
        for path in (REPO / top).rglob("*"):
            if "__pycache__" in path.parts or not path.is_file():
                continue
            if path.suffix in (".py", ".mako", ".yaml", ".toml", ".html") and path not in shipped:
                missing.append(str(path.relative_to(REPO)))
    assert not missing, f"not installed by `pip install .`: {missing}"
