"""The untyped structural hash: what the config's shape is, not what its values are.

Each leaf (any value that is not a mapping; a list is one leaf) contributes
``[dotted.path:typename]``; the pieces are sorted by path, joined and hashed with SHA-1.
The recipe is the one ato 2.x used, so the same config hashes the same in both. As there,
paths are collected into one table first, so a key spelled ``"a.b"`` and a nested
``a -> b`` count once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["hash_leaves", "structural_hash", "structural_leaves"]


def structural_leaves(tree: Mapping[Any, Any]) -> dict[str, str]:
    """Map each leaf's dotted path to the name of its value's type."""
    leaves: dict[str, str] = {}
    stack: list[tuple[str, Any]] = [("", tree)]
    # Depth-first in insertion order, as 2.x walked it, so duplicate paths resolve alike.
    ordered: list[tuple[str, Any]] = []
    while stack:
        path, node = stack.pop()
        if isinstance(node, Mapping):
            children = [(f"{path}.{k}" if path else f"{k}", v) for k, v in node.items()]
            stack.extend(reversed(children))
        else:
            ordered.append((path, node))
    for path, value in ordered:
        leaves[path] = type(value).__name__
    return leaves


def structural_hash(tree: Mapping[Any, Any]) -> str:
    """Hex SHA-1 of the sorted ``[path:typename]`` pieces of ``tree``."""
    return hash_leaves(structural_leaves(tree))


def hash_leaves(leaves: Mapping[str, str]) -> str:
    """Hex SHA-1 of ``[path:type]`` pieces sorted by path (shared with the typed hash)."""
    pieces = sorted(leaves.items(), key=lambda item: item[0])
    text = "".join(f"[{path}:{name}]" for path, name in pieces)
    import hashlib  # loading OpenSSL costs start-up time; most programs never hash

    # SHA-1 is the published recipe (2.x compatibility), not a security boundary.
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()
