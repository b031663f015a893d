"""Provenance: every write to every key, in order, with where it came from.

Writes are found by comparing flattened snapshots of the config before and after each
step (a view, a lazy block, a command-line assignment). That sees writes however they are
made (attribute, item, ``update``, a nested object mutated in place) without putting a hook
on the ADict's write path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from ato.adict import ADict, flatten

__all__ = ["DELETED", "Ledger", "Write", "file_origin", "restore", "snapshot"]


class _Deleted:
    def __repr__(self) -> str:
        return "<deleted>"


DELETED: Any = _Deleted()


class Write(NamedTuple):
    """One write: the dotted key, the value written and its source."""

    key: str
    value: Any
    source: str


def _same(a: Any, b: Any) -> bool:
    # 1 == 1.0 == True in Python, but a changed type is a write worth reporting.
    if a is b:
        return True
    try:
        return type(a) is type(b) and bool(a == b)
    except Exception:  # arbitrary user objects may refuse comparison
        return False


class Ledger:
    """The ordered writes of one build."""

    def __init__(self) -> None:
        self.writes: list[Write] = []

    def record(self, key: str, value: Any, source: str) -> None:
        self.writes.append(Write(key, value, source))

    def record_tree(self, tree: Mapping[str, Any], source: str, prefix: str = "") -> None:
        for key, value in flatten(tree, prefix).items():
            self.record(key, value, source)

    def record_diff(
        self,
        before: dict[str, Any],
        after: dict[str, Any],
        source: str,
        origin: Callable[[str, Any], str | None] | None = None,
    ) -> None:
        """Record what changed; ``origin`` may name the file a written value came from."""
        for key, value in after.items():
            if key not in before or not _same(before[key], value):
                found = origin(key, value) if origin is not None else None
                self.record(key, value, f"{source}, from {found}" if found else source)
        for key in before:
            if key not in after and not any(k.startswith(f"{key}.") for k in after):
                self.record(key, DELETED, source)

    def for_key(self, key: str) -> list[Write]:
        """Writes to ``key`` or anything below it, in order."""
        below = f"{key}."
        return [w for w in self.writes if w.key == key or w.key.startswith(below)]

    def source_of(self, key: str) -> str | None:
        """The source of the last write to ``key`` or its nearest written ancestor."""
        parts = key.split(".")
        for end in range(len(parts), 0, -1):
            prefix = ".".join(parts[:end])
            for write in self.writes[::-1]:
                if write.key == prefix or write.key.startswith(f"{prefix}."):
                    return write.source
        return None


def snapshot(config: ADict) -> dict[str, Any]:
    """A deep, plain copy of the config to restore later."""
    return copy.deepcopy(config.to_dict())


def restore(node: ADict, saved: Mapping[str, Any]) -> None:
    """Make ``node`` equal ``saved`` in place, keeping nested ADicts that survive."""
    for key in [k for k in node if k not in saved]:
        del node[key]
    for key, value in saved.items():
        current = dict.get(node, key)
        if isinstance(current, ADict) and isinstance(value, Mapping):
            restore(current, value)
        else:
            node[key] = copy.deepcopy(value)


def file_origin(
    files: list[tuple[dict[str, Any], Mapping[str, str]]],
) -> Callable[[str, Any], str | None]:
    """Match a written key to a composed file's leaf (same value, same path or path suffix).

    A view may merge a composed config at the root or place it under a key, so the
    written key ``model.depth`` matches the file's ``depth`` as well as ``model.depth``.
    """

    def origin(key: str, value: Any) -> str | None:
        parts = key.split(".")
        for flat, sources in files[::-1]:
            for start in range(len(parts)):
                tail = ".".join(parts[start:])
                if tail in sources and tail in flat and _same(flat[tail], value):
                    return sources[tail]
        return None

    return origin
