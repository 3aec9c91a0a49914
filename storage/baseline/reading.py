"""Reading a baseline YAML file safely, keeping each value's line number.

A baseline file is given on the command line, so it may be anything: a binary, a huge
file, or a "billion laughs" whose few lines expand, through aliases, into more nodes
than memory holds. So the file is read up to MAX_FILE_BYTES, must be UTF-8, may use at
most MAX_ALIASES aliases (the shipped files use none), and its data at most MAX_NODES
nodes once aliases are followed. Each refusal is a BaselineError naming the file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

MAX_FILE_BYTES = 2_000_000
MAX_ALIASES = 20
MAX_NODES = 100_000


class BaselineError(ValueError):
    """A baseline file is wrong; the message names the file and line."""


class _Loader(yaml.SafeLoader):
    """The safe loader, counting aliases as it composes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                line = self.peek_event().start_mark.line + 1
                raise BaselineError(f"line {line}: more than {MAX_ALIASES} aliases (*name): refused")
        return super().compose_node(parent, index)  # type: ignore[no-any-return]


class _Builder:
    """Plain data from a composed node, remembering each path's line (1-based), within MAX_NODES."""

    def __init__(self) -> None:
        self.lines: dict[tuple[Any, ...], int] = {}
        self.nodes = 0
        self.constructor = SafeConstructor()

    def value(self, node: yaml.Node) -> Any:
        """A key's or a scalar's value, as `yaml.safe_load` would give it."""
        return self.constructor.construct_object(node, deep=True)

    def build(self, node: yaml.Node, path: tuple[Any, ...]) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise BaselineError(f"line {node.start_mark.line + 1}: more than {MAX_NODES} values: refused")
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.value(key_node)
                if key in result:
                    raise BaselineError(f"line {key_node.start_mark.line + 1}: duplicate key {key!r}")
                result[key] = self.build(value_node, (*path, key))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        try:
            return self.value(node)
        except (ValueError, yaml.YAMLError) as exc:
            where = ".".join(str(p) for p in path)
            raise BaselineError(
                f"line {node.start_mark.line + 1}: {where}: invalid value {node.value!r}: {exc}"
            ) from exc


def _text(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read: {exc.strerror}") from exc
    if len(raw) > MAX_FILE_BYTES:
        raise BaselineError(f"{path}: larger than {MAX_FILE_BYTES} bytes: not a baseline file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: not UTF-8 text (byte {exc.start}: {exc.reason})") from None


def _compose(path: Path, text: str) -> yaml.Node | None:
    loader = _Loader(text)
    try:
        return loader.get_single_node()  # type: ignore[no-any-return]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}" if mark is not None else "?"
        raise BaselineError(f"{path}: {where}: invalid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:  # e.g. a control character the reader refuses
        raise BaselineError(f"{path}: invalid YAML: {' '.join(str(exc).split())}") from exc
    finally:
        loader.dispose()


def read_yaml(path: Path) -> tuple[Any, dict[tuple[Any, ...], int]]:
    """Parse `path` safely; return the data and a map from data path to line number."""
    text = _text(path)
    builder = _Builder()
    try:
        node = _compose(path, text)
        if node is None:
            raise BaselineError(f"{path}: line 1: the file is empty")
        return builder.build(node, ()), builder.lines
    except RecursionError:
        raise BaselineError(f"{path}: nested too deeply: not a baseline file") from None
    except BaselineError as exc:
        if str(exc).startswith(f"{path}:"):
            raise
        raise BaselineError(f"{path}: {exc}") from exc
