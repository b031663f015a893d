"""Freezing and access tracking: states that apply to a whole tree at once.

Both walk every ADict of the tree (shared and cyclic nodes once). Tracking moves attribute
reads off CPython's fast path (the node switches to its recording twin, see ``_auto.py``),
which is why it is off until ``track_access()`` asks for it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Self, cast

from ato.adict._auto import base_class, refresh_class

if TYPE_CHECKING:
    from ato.adict._adict import ADict

__all__ = ["StateMixin", "rebuild_mirror", "settle", "walk_adicts"]


class StateMixin:
    """The freezing and tracking methods of ADict (it is the only class that mixes this in)."""

    __slots__ = ()

    @property
    def frozen(self) -> bool:
        """Whether writes are rejected."""
        return cast("ADict", self)._frozen

    def freeze(self) -> Self:
        """Reject every later write to this tree (nested ADicts too); returns self."""
        for node in walk_adicts(cast("ADict", self)):
            object.__setattr__(node, "_frozen", True)
        return self

    def defrost(self) -> Self:
        """Allow writes again, in the whole tree; returns self."""
        for node in walk_adicts(cast("ADict", self)):
            object.__setattr__(node, "_frozen", False)
        return self

    def track_access(self, enabled: bool = True) -> Self:
        """Record every key read from now on, in the whole tree (for ``get_minimal_config``).

        Tracking moves attribute reads from the fast path to a recording one, so it is off
        until asked for.
        """
        for node in walk_adicts(cast("ADict", self)):
            if enabled and node._accessed is None:
                object.__setattr__(node, "_accessed", set())
                node.__dict__.clear()
                refresh_class(node)
            elif not enabled and node._accessed is not None:
                object.__setattr__(node, "_accessed", None)
                refresh_class(node)
                rebuild_mirror(node)
        return self

    @property
    def accessed_keys(self) -> frozenset[str]:
        """Keys read (by attribute, item or ``get``) since ``track_access()``."""
        return frozenset(cast("ADict", self)._accessed or ())

    def get_minimal_config(self) -> ADict:
        """A new ADict (of this node's class) with only the keys that were read, recursively."""
        node = cast("ADict", self)
        minimal = base_class(type(node))()
        for key in self.accessed_keys:
            if key not in node:
                continue
            value = dict.__getitem__(node, key)
            is_node = isinstance(value, StateMixin)
            minimal[key] = value.get_minimal_config() if is_node else copy.deepcopy(value)
        return minimal


def walk_adicts(root: ADict) -> Iterator[ADict]:
    """Every ADict in the tree, once each (shared or cyclic nodes included)."""
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        if isinstance(node, StateMixin):
            seen.add(id(node))
            yield cast("ADict", node)
            stack.extend(dict.values(cast("ADict", node)))
        elif type(node) is list or type(node) is tuple:
            seen.add(id(node))
            stack.extend(node)


def rebuild_mirror(node: ADict) -> None:
    """Copy every string key that names no class attribute into the instance ``__dict__``."""
    mirror = node.__dict__
    mirror.clear()
    reserved = node._reserved
    for key, value in dict.items(node):
        if isinstance(key, str) and key not in reserved:
            mirror[key] = value


def settle(root: ADict, created: list[ADict]) -> None:
    """End auto mode for a whole tree and drop nodes a miss created that stayed empty.

    A view that reads a key nobody set (``if cfg.use_amp:``) gets an empty auto node; that
    node is not part of the config the user meant, so it is removed here.
    """
    made = {id(node) for node in created}

    def prune(node: ADict) -> None:
        for key, value in list(dict.items(node)):
            if isinstance(value, StateMixin):
                child = cast("ADict", value)
                prune(child)
                if id(child) in made and not child:
                    del node[key]

    prune(root)
    for node in walk_adicts(root):
        if node._factory is not None:
            object.__setattr__(node, "_factory", None)
            refresh_class(node)
