"""Flattening a tree to dotted leaf paths, as provenance, tables and diffs read it."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

__all__ = ["flatten"]


def flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted leaf paths to values; an empty mapping and a list count as leaves.

    Container leaves (lists, tuples, sets, empty mappings) are deep copies, so a snapshot
    taken before a step still differs from the tree after that step mutated them in place.
    """
    out: dict[str, Any] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flatten(value, f"{path}."))
        elif isinstance(value, (list, tuple, Mapping, set)):
            out[path] = copy.deepcopy(value)
        else:
            out[path] = value
    return out
