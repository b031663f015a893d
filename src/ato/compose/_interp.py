"""OmegaConf-style ``${...}`` interpolations on a plain config tree, without OmegaConf.

Composition keeps interpolations as the strings the files wrote (as ``hydra.compose``
with ``resolve=False`` does); :func:`resolve` turns them into values in one call, with
OmegaConf's meaning:

* ``${a.b}`` (absolute), ``${.x}`` (a sibling), ``${..x}`` (one level up), ``${a.0}`` or
  ``${a[0]}`` (a list item); nested ``${a.${b}}``;
* a value that is exactly one interpolation takes the referenced value with its type
  (a mapping or list is copied); inside longer text each value is written with ``str()``;
* ``${oc.env:VAR}``, ``${oc.env:VAR,default}`` (the default as a string, ``null`` as None),
  and ``${oc.select:key,default}``;
* ``\\${`` is a literal ``${``.

The text is parsed by a small recursive-descent parser: nothing is evaluated as code.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterator, MutableMapping, MutableSequence
from typing import Any, NamedTuple

from ato.errors import ConfigError, Problem

__all__ = ["MISSING", "missing_keys", "resolve"]

MISSING = "???"
_Key = str | int
_Path = tuple[_Key, ...]


class _Ref(NamedTuple):
    """``${path}``: the path text may itself hold interpolations."""

    path: tuple[Any, ...]  # segments: str | _Ref | _Call


class _Call(NamedTuple):
    """``${name:arg,...}``: each argument is (segments, quoted)."""

    name: str
    args: tuple[tuple[tuple[Any, ...], bool], ...]


_RESOLVER_NAME = re.compile(r"\s*([A-Za-z_][\w.\-]*)\s*:")
_INT = re.compile(r"[-+]?(?:0|[1-9](?:_?[0-9])*)")
_FLOAT = re.compile(
    r"[-+]?(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?(?:inf|nan)",
    re.IGNORECASE,
)


class _Syntax(Exception):
    pass


# ---------------------------------------------------------------------------- parsing
def has_interpolation(value: object) -> bool:
    """Whether ``value`` is a string that :func:`resolve` would change."""
    return isinstance(value, str) and "${" in value


def _parse(text: str) -> tuple[Any, ...]:
    segments, end = _text(text, 0, "")
    if end != len(text):  # pragma: no cover - top level stops only at the end
        raise _Syntax(f"unexpected {text[end]!r} at offset {end}")
    return segments


def _text(text: str, i: int, stops: str) -> tuple[tuple[Any, ...], int]:
    """Literal text and interpolations from ``i`` up to one of ``stops`` (or the end)."""
    out: list[Any] = []
    buf: list[str] = []
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and text.startswith("${", i + 1):
            buf.append("${")  # an escaped interpolation is literal text
            i += 3
            continue
        if ch == "\\" and text.startswith("\\${", i + 1):
            buf.append("\\")  # an escaped backslash, then a real interpolation
            i += 2
            continue
        if ch == "$" and text.startswith("${", i):
            if buf:
                out.append("".join(buf))
                buf = []
            node, i = _interpolation(text, i + 2)
            out.append(node)
            continue
        if ch in stops:
            break
        buf.append(ch)
        i += 1
    if buf:
        out.append("".join(buf))
    return tuple(out), i


def _interpolation(text: str, i: int) -> tuple[Any, int]:
    """Parse after ``${`` up to and including the matching ``}``."""
    named = _RESOLVER_NAME.match(text, i)
    if named is not None:
        return _call(text, named.group(1), named.end())
    path, i = _text(text, i, "}")
    if i >= len(text):
        raise _Syntax("an interpolation is not closed with '}'")
    if not path:
        raise _Syntax("empty interpolation '${}'")
    return _Ref(path), i + 1


def _call(text: str, name: str, i: int) -> tuple[_Call, int]:
    args: list[tuple[tuple[Any, ...], bool]] = []
    while True:
        while i < len(text) and text[i] == " ":
            i += 1
        if i < len(text) and text[i] in "'\"":
            quote = text[i]
            segments, i = _text(text, i + 1, quote)
            if i >= len(text):
                raise _Syntax(f"a quoted resolver argument is not closed with {quote}")
            args.append((segments, True))
            i += 1
            while i < len(text) and text[i] == " ":
                i += 1
        else:
            segments, i = _text(text, i, ",}")
            if segments and isinstance(segments[-1], str):
                segments = (*segments[:-1], segments[-1].rstrip())
            if segments and segments != ("",):
                args.append((segments, False))
        if i >= len(text):
            raise _Syntax(f"the resolver call '{name}:' is not closed with '}}'")
        if text[i] == "}":
            return _Call(name, tuple(args)), i + 1
        if text[i] != ",":
            raise _Syntax(f"unexpected {text[i]!r} after a resolver argument")
        i += 1


def _split_path(text: str) -> tuple[int, list[str]]:
    """``'..a.b[0]'`` -> (levels up, ``['a', 'b', '0']``); levels up is 0 for absolute."""
    up = len(text) - len(text.lstrip("."))
    body = text[up:].replace("[", ".").replace("]", "")
    parts = [p.strip() for p in body.split(".")] if body else []
    if any(not p for p in parts):
        raise _Syntax(f"malformed key path {text!r}")
    return up, parts


def _start(text: str, where: _Path) -> tuple[list[str], _Path]:
    """The key parts of a reference and the container they start from.

    An absolute reference starts at the top; ``.x`` in the container holding the value at
    ``where``, each further dot one level higher.
    """
    up, parts = _split_path(text)
    if not up:
        return parts, ()
    container = where[:-1]
    if up - 1 > len(container):
        raise _Missing(text, "it climbs above the top of the config")
    return parts, container[: len(container) - (up - 1)]


# ---------------------------------------------------------------------------- resolving
class _Resolver:
    def __init__(self, root: MutableMapping[Any, Any]) -> None:
        self.root = root
        self.active: list[_Path] = []
        self.done: set[_Path] = set()

    # -- addressing
    def get(self, path: _Path) -> Any:
        node: Any = self.root
        for key in path:
            node = node[key]
        return node

    def set(self, path: _Path, value: Any) -> None:
        self.get(path[:-1])[path[-1]] = value

    def locate(self, parts: list[str], base: _Path) -> _Path | None:
        node = self.get(base)
        path = list(base)
        for part in parts:
            if isinstance(node, MutableMapping):
                key: _Key | None = part if part in node else None
                if key is None and _INT.fullmatch(part) and int(part) in node:
                    key = int(part)
            elif isinstance(node, MutableSequence) and part.lstrip("-").isdigit():
                index = int(part)
                key = index if -len(node) <= index < len(node) else None
                if key is not None and index < 0:
                    key = index + len(node)
            else:
                key = None
            if key is None:
                return None
            path.append(key)
            node = node[key]
        return tuple(path)

    # -- values
    def value_at(self, path: _Path) -> Any:
        """The final value at ``path``, resolving it (and what it holds) first."""
        if path in self.active:
            raise _Cycle(path)
        if path in self.done:
            return self.get(path)
        self.active.append(path)
        try:
            value = self.get(path)
            if isinstance(value, MutableMapping):
                for key in list(value):
                    self.value_at((*path, key))
            elif isinstance(value, MutableSequence):
                for index in range(len(value)):
                    self.value_at((*path, index))
            elif has_interpolation(value):
                value = self.evaluate(_parse(value), path)
                self.set(path, value)
        finally:
            self.active.pop()
        self.done.add(path)
        return self.get(path)

    def evaluate(self, segments: tuple[Any, ...], where: _Path) -> Any:
        if len(segments) == 1 and not isinstance(segments[0], str):
            return self.node(segments[0], where)
        return "".join(s if isinstance(s, str) else str(self.node(s, where)) for s in segments)

    def node(self, item: _Ref | _Call, where: _Path) -> Any:
        if isinstance(item, _Call):
            return self.call(item, where)
        text = "".join(s if isinstance(s, str) else str(self.node(s, where)) for s in item.path)
        target = self.locate(*_start(text.strip(), where))
        if target is None:
            raise _Missing(text, "no such key")
        value = self.value_at(target)
        if isinstance(value, str) and value == MISSING:
            raise _Missing(text, "it is '???', a value that was never set")
        return copy.deepcopy(value) if isinstance(value, (dict, list)) else value

    def call(self, item: _Call, where: _Path) -> Any:
        args = [self.argument(segments, quoted, where) for segments, quoted in item.args]
        if item.name == "oc.env":
            if not 1 <= len(args) <= 2 or not isinstance(args[0], str):
                raise _Syntax("oc.env takes a variable name and an optional default")
            found = os.environ.get(args[0])
            if found is not None:
                return found
            if len(args) == 1:
                raise _Missing(f"oc.env:{args[0]}", "the environment variable is not set")
            return None if args[1] is None else str(args[1])
        if item.name == "oc.select":
            if not 1 <= len(args) <= 2 or not isinstance(args[0], str):
                raise _Syntax("oc.select takes a key and an optional default")
            target = self.locate(*_start(args[0], where))
            if target is None or self.value_at(target) == MISSING:
                return args[1] if len(args) == 2 else None
            value = self.value_at(target)
            return copy.deepcopy(value) if isinstance(value, (dict, list)) else value
        raise _Unsupported(item.name)

    def argument(self, segments: tuple[Any, ...], quoted: bool, where: _Path) -> Any:
        if quoted:  # a quoted argument is text, whatever it holds
            return "".join(s if isinstance(s, str) else str(self.node(s, where)) for s in segments)
        if any(not isinstance(s, str) for s in segments):
            return self.evaluate(segments, where)
        return _primitive("".join(segments).strip())


def _primitive(text: str) -> Any:
    """An unquoted resolver argument, typed as OmegaConf's grammar types it."""
    low = text.lower()
    if low == "null":
        return None
    if low in ("true", "false"):
        return low == "true"
    if _INT.fullmatch(text):
        return int(text.replace("_", ""))
    if _FLOAT.fullmatch(text):
        return float(text.replace("_", ""))
    return text


class _Cycle(Exception):
    def __init__(self, path: _Path) -> None:
        self.path = path


class _Missing(Exception):
    def __init__(self, reference: str, why: str) -> None:
        self.reference = reference
        self.why = why


class _Unsupported(Exception):
    def __init__(self, name: str) -> None:
        self.name = name


def dotted(root: Any, path: _Path) -> str:
    """``('a', 'b', 0, 'c')`` in ``root`` -> ``'a.b[0].c'`` (list items in brackets)."""
    out = ""
    node = root
    for key in path:
        if isinstance(node, MutableSequence):
            out += f"[{key}]"
        else:
            out = f"{out}.{key}" if out else str(key)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            node = None
    return out


def _walk(node: Any, path: _Path) -> Iterator[tuple[_Path, Any]]:
    if isinstance(node, MutableMapping):
        for key, value in node.items():
            yield from _walk(value, (*path, key))
    elif isinstance(node, MutableSequence):
        for index, value in enumerate(node):
            yield from _walk(value, (*path, index))
    else:
        yield path, node


def resolve(tree: MutableMapping[Any, Any]) -> None:
    """Replace every ``${...}`` in ``tree`` (nested mappings and lists) by its value, in place.

    Values are written back through ``container[key] = value``, so an ADict stays
    consistent. ``???`` values are left as they are (see :func:`missing_keys`).

    Raises:
        ConfigError: every interpolation that cannot be resolved, in one error: a reference
            to a key that does not exist or holds ``???``, a cycle, an unset environment
            variable without default, a resolver other than ``oc.env``/``oc.select``, or
            malformed ``${`` text. Each problem names the key and the reference.
    """
    resolver = _Resolver(tree)
    problems: list[Problem] = []
    for path, value in list(_walk(tree, ())):
        if not has_interpolation(value):
            continue
        try:
            resolver.value_at(path)
        except _Cycle as exc:
            why = f"circular interpolation: resolving it needs {dotted(tree, exc.path)!r} again"
        except _Missing as exc:
            why = f"cannot resolve ${{{exc.reference}}}: {exc.why}"
        except _Unsupported as exc:
            why = f"the resolver {exc.name!r} is not supported (only oc.env and oc.select)"
        except _Syntax as exc:
            why = f"malformed interpolation: {exc}"
        else:
            continue
        finally:
            resolver.active.clear()
        problems.append(Problem(key=dotted(tree, path), got=value, detail=why))
    if problems:
        raise ConfigError(problems=problems)


def missing_keys(tree: MutableMapping[Any, Any]) -> list[str]:
    """Dotted keys (``a.b``, ``a.items[2]``) whose value is the mandatory marker ``???``."""
    return [
        dotted(tree, path) for path, value in _walk(tree, ())
        if isinstance(value, str) and value == MISSING
    ]
