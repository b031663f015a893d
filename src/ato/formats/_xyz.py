"""The ``.xyz`` format: an indented, human-readable tree (also what ``print`` shows).

Grammar (the README has the user-facing version)::

    file     = header* line*
    header   = ("key" | "index") ("-" | "_") ("prefix" | "postfix") " -> " marker
    line     = indent (key-line | index-line)
    key-line   = KEY_PREFIX key KEY_POSTFIX [" " scalar]     (KEY_POSTFIX defaults to ":")
    index-line = INDEX_PREFIX digits INDEX_POSTFIX [" " scalar] (INDEX_POSTFIX defaults to ")")

Children sit two spaces deeper than their parent line. The children of a mapping are key
lines, those of a list are index lines numbered from 0. ``[Empty Mapping]`` and ``[Empty
Sequence]`` stand for empty containers. A bare scalar reads as None (``None``), a bool
(``True``/``False``, any case), an int or a float where it spells one, and otherwise as
the text itself. ato 2.x wrote every string bare, which loses ``"True"``, ``"1"``, text
containing newlines and keys containing the marker; this writer puts such strings and keys
in JSON double quotes and the reader takes them back out, so every tree round-trips while
2.x files still load unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ato.errors import ConfigError, Problem

NAME = "xyz"
ALLOWS_NONE = True
KEEPS_TUPLES = False

_EMPTY_MAPPING = "[Empty Mapping]"
_EMPTY_SEQUENCE = "[Empty Sequence]"
_HEADER = re.compile(r"^(key|index)[-_](prefix|postfix) -> ?(.*)$")
_INT = re.compile(r"[-+]?[0-9]+")
_FLOAT = re.compile(
    r"[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][-+]?[0-9]+)?|[-+]?(?:inf|infinity|nan)",
    re.IGNORECASE,
)
_DEFAULT_FORMAT = {"key_prefix": "", "key_postfix": ":", "index_prefix": "", "index_postfix": ")"}
_DECODER = json.JSONDecoder()


def _format(format_dict: Mapping[str, str] | None) -> dict[str, str]:
    fmt = dict(_DEFAULT_FORMAT)
    for name, marker in (format_dict or {}).items():
        norm = name.replace("-", "_")
        if norm not in fmt:
            raise ConfigError(
                key=name, expected="one of " + ", ".join(_DEFAULT_FORMAT), got=name,
            )
        fmt[norm] = marker
    if not fmt["key_postfix"] or not fmt["index_postfix"]:
        raise ConfigError(detail="the key and index postfix markers may not be empty")
    return fmt


# ---------------------------------------------------------------------------- reading
def parse_scalar(text: str) -> Any:
    """Decode one bare scalar as ato 2.x did (plus signed numbers, which 2.x kept as text)."""
    lowered = text.lower()
    if lowered == "none":
        return None
    if lowered == "true":
        return True
    if lowered == "false":
        return False
    if text == _EMPTY_SEQUENCE:
        return []
    if text == _EMPTY_MAPPING:
        return {}
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


class _Reader:
    def __init__(self, text: str, source: str) -> None:
        self.source = source
        self.lines = text.split("\n")
        self.lineno = 0
        self.fmt = dict(_DEFAULT_FORMAT)

    def fail(self, detail: str, got: object = None) -> ConfigError:
        where = f"{self.source}, line {self.lineno}"
        if got is None:
            return ConfigError(detail=detail, source=where)
        return ConfigError(detail=detail, got=got, source=where)

    def read(self) -> dict[str, Any]:
        body = self._headers()
        index_line = re.compile(
            "^" + re.escape(self.fmt["index_prefix"]) + "([0-9]+)" + re.escape(self.fmt["index_postfix"])
        )
        root: dict[str, Any] = {}
        # Each frame: (indent of the line that opened the container, container,
        # indent its children use once the first one is seen).
        stack: list[list[Any]] = [[-1, root, None]]
        pending: tuple[int, Any, Any] | None = None  # a key/index line awaiting children
        for offset, raw in body:
            self.lineno = offset + 1
            line = raw[:-1] if raw.endswith("\r") else raw
            if not line.strip():
                continue
            content = line.lstrip(" ")
            indent = len(line) - len(content)
            if content[:1] == "\t":
                raise self.fail("indent with spaces, not tabs")
            if pending is not None:
                p_indent, p_parent, p_slot = pending
                pending = None
                if indent > p_indent:
                    child: Any = [] if index_line.match(content) else {}
                    _put(p_parent, p_slot, child)
                    stack.append([p_indent, child, None])
                else:
                    _put(p_parent, p_slot, "")
            while indent <= stack[-1][0]:
                stack.pop()
            frame = stack[-1]
            if frame[2] is None:
                frame[2] = indent
            elif indent != frame[2]:
                raise self.fail(f"unexpected indentation of {indent} spaces (siblings use {frame[2]})")
            container = frame[1]
            if isinstance(container, list):
                found = index_line.match(content)
                if not found:
                    raise self.fail("expected a list item such as '0) value'", got=content)
                slot: Any = int(found.group(1))
                if slot != len(container):
                    raise self.fail(f"expected list index {len(container)}", got=slot)
                container.append(None)
                rest = content[found.end():]
            else:
                slot, rest = self._key(content)
                if slot in container:
                    raise self.fail("the key appears twice in one mapping", got=slot)
            if rest.strip():
                if rest[:1] != " ":
                    raise self.fail("expected a space between the marker and the value", got=content)
                _put(container, slot, self._scalar(rest.strip(" ")))
            else:
                pending = (indent, container, slot)
        if pending is not None:
            _put(pending[1], pending[2], "")
        return root

    def _headers(self) -> list[tuple[int, str]]:
        body: list[tuple[int, str]] = []
        in_header = True
        for offset, raw in enumerate(self.lines):
            found = _HEADER.match(raw.rstrip("\r")) if in_header else None
            if found:
                marker = found.group(3).strip()
                if marker[:1] == '"':
                    try:
                        marker = json.loads(marker)
                    except json.JSONDecodeError as exc:
                        self.lineno = offset + 1
                        raise self.fail(f"malformed quoted marker: {exc.msg}", got=marker) from None
                self.fmt[f"{found.group(1)}_{found.group(2)}"] = marker
                continue
            if raw.strip():
                in_header = False
            body.append((offset, raw))
        return body

    def _key(self, content: str) -> tuple[str, str]:
        prefix, postfix = self.fmt["key_prefix"], self.fmt["key_postfix"]
        if not content.startswith(prefix):
            raise self.fail(f"expected a key line starting with {prefix!r}", got=content)
        text = content[len(prefix):]
        if text[:1] == '"':
            try:
                key, end = _DECODER.raw_decode(text)
            except json.JSONDecodeError as exc:
                raise self.fail(f"malformed quoted key: {exc.msg}", got=text) from None
            if not isinstance(key, str) or not text.startswith(postfix, end):
                raise self.fail(f"expected {postfix!r} after the quoted key", got=content)
            return key, text[end + len(postfix):]
        cut = text.find(postfix)
        if cut < 0:
            raise self.fail(f"expected 'key{postfix} value'", got=content)
        return text[:cut].strip(" "), text[cut + len(postfix):]

    def _scalar(self, text: str) -> Any:
        if text[:1] == '"':
            try:
                value, end = _DECODER.raw_decode(text)
            except json.JSONDecodeError as exc:
                raise self.fail(f"malformed quoted string: {exc.msg}", got=text) from None
            if end != len(text) or not isinstance(value, str):
                raise self.fail("unexpected text after a quoted string", got=text)
            return value
        return parse_scalar(text)


def _put(container: Any, slot: Any, value: Any) -> None:
    container[slot] = value


def loads(text: str, source: str) -> Any:
    return _Reader(text, source).read()


# ---------------------------------------------------------------------------- writing
def _needs_quotes(text: str) -> bool:
    return (
        not text
        or text != text.strip()
        or text[0] in '"\ufeff'  # a leading U+FEFF would read as a byte-order mark
        or any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in text)
        or parse_scalar(text) != text
        or not isinstance(parse_scalar(text), str)
    )


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _scalar_text(value: Any) -> str:
    if isinstance(value, str):
        return _quote(value) if _needs_quotes(value) else value
    if isinstance(value, float):
        return repr(value)
    return str(value)  # None, bool, int


def dumps(tree: dict[str, Any], *, format_dict: Mapping[str, str] | None = None) -> str:
    fmt = _format(format_dict)
    lines = [
        f"{name.replace('_', '-')} -> {_quote(marker) if _needs_quotes(marker) else marker}"
        for name, marker in fmt.items()
        if marker != _DEFAULT_FORMAT[name]
    ]
    index_line = re.compile(
        "^" + re.escape(fmt["index_prefix"]) + "[0-9]+" + re.escape(fmt["index_postfix"])
    )

    def key_text(key: str) -> str:
        if (
            _needs_quotes(key)
            or fmt["key_postfix"] in key
            or index_line.match(fmt["key_prefix"] + key)
            or _HEADER.match(fmt["key_prefix"] + key)
        ):
            return _quote(key)
        return key

    def emit(head: str, value: Any, depth: int) -> None:
        if isinstance(value, Mapping):
            if not value:
                lines.append(f"{head} {_EMPTY_MAPPING}")
                return
            lines.append(head)
            for key, item in value.items():
                emit("  " * depth + fmt["key_prefix"] + key_text(key) + fmt["key_postfix"], item, depth + 1)
        elif isinstance(value, list):
            if not value:
                lines.append(f"{head} {_EMPTY_SEQUENCE}")
                return
            lines.append(head)
            for i, item in enumerate(value):
                emit("  " * depth + fmt["index_prefix"] + str(i) + fmt["index_postfix"], item, depth + 1)
        else:
            lines.append(f"{head} {_scalar_text(value)}")

    for key, value in tree.items():
        emit(fmt["key_prefix"] + key_text(key) + fmt["key_postfix"], value, 1)
    return "\n".join(lines) + "\n" if lines else ""


def check(tree: dict[str, Any]) -> list[Problem]:
    return []
