"""TOML codec: read by the standard library's ``tomllib``, written by the emitter below.

The emitter is ato's own because the ``toml`` package mis-writes several valid trees
(backslashes in strings, empty tables inside arrays, arrays of arrays of tables), which
then either fail to parse or parse to something else. Mappings become ``[tables]``; lists
are always written inline, with inline tables for mappings inside them, which is valid
TOML 1.0 for every tree of str keys and None-free values.

Nesting is bounded both ways, since the reader and the writer recurse once or more per
level: a tree with tables and arrays more than :data:`MAX_DEPTH` deep is refused by
:func:`check` before anything is written, and text that nests beyond Python's recursion
limit is a ConfigError from :func:`loads`, never a RecursionError.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Mapping
from typing import Any

from ato.errors import ConfigError, Problem

NAME = "toml"
ALLOWS_NONE = False
KEEPS_TUPLES = False

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_LINE_COL = re.compile(r"\(at line (\d+), column (\d+)\)")
_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_INT64 = (-(2**63), 2**63 - 1)

MAX_DEPTH = 100
"""Tables and arrays nested deeper than this are not written (far beyond any real config)."""


def loads(text: str, source: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = source
        found = _LINE_COL.search(message)
        if found:
            where = f"{source}, line {found.group(1)}, column {found.group(2)}"
            message = message[: found.start()].rstrip()
        raise ConfigError(detail=f"malformed TOML: {message}", source=where) from None
    except RecursionError:
        # tomllib recurses once per nested array or inline table ("a = [[[[..."), and the
        # stack unwinds cleanly, so the text can be reported like any unreadable file.
        raise ConfigError(
            detail="TOML arrays or inline tables nest too deeply to read", source=source
        ) from None


def check(tree: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []

    def walk(value: Any, path: str, depth: int) -> None:
        if isinstance(value, Mapping | list) and depth > MAX_DEPTH:
            # No `got`: the value's repr would itself recurse through every level.
            expected = f"at most {MAX_DEPTH} nested tables and arrays (TOML)"
            problems.append(Problem(key=path, expected=expected))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key, depth + 1)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]", depth + 1)
        elif isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
            problems.append(Problem(key=path, expected="an integer within 64 bits (TOML)", got=value))

    walk(tree, "", 0)
    return problems


def dumps(tree: dict[str, Any], **options: Any) -> str:
    if options:
        raise ConfigError(detail=f"TOML writing takes no options, got {sorted(options)}")
    lines: list[str] = []
    _table(tree, (), lines)
    return "\n".join(lines) + "\n" if lines else ""


def _table(table: Mapping[str, Any], path: tuple[str, ...], lines: list[str]) -> None:
    subtables = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            subtables.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in subtables:
        sub = (*path, key)
        if lines:
            lines.append("")
        lines.append("[" + ".".join(_key(k) for k in sub) + "]")
        _table(value, sub, lines)


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a TOML value: {type(value).__name__}")  # to_plain() rules this out
