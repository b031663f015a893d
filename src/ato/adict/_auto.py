"""Auto and default ADicts, and the twin classes that give a node a hook on attribute misses.

A plain ADict has no ``__getattr__`` (see ``_adict.py`` for why). A node that must run code
when an attribute is missing (it creates children on a miss, has a default, or records
reads) is moved into a *twin* class: a subclass of the user's class that adds the hook and
nothing else, so ``__class__`` can switch back and forth without touching the instance.
Pickles and new children always name the user's class (:func:`base_class`), never a twin.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from ato.errors import ConfigKeyError, suggest

if TYPE_CHECKING:
    from ato.adict._adict import ADict

__all__ = [
    "ConstantDefault",
    "Factory",
    "MissHook",
    "Recorder",
    "auto_child",
    "base_class",
    "init_state",
    "is_auto",
    "refresh_class",
]

Factory = Callable[[], Any]


class ConstantDefault:
    """A default value handed out as a fresh deep copy on every miss (picklable)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __call__(self) -> Any:
        return copy.deepcopy(self.value)


def auto_child(cls: type[ADict], created: list[ADict] | None = None) -> ADict:
    """A new auto node of ``cls``; every node it creates on a miss is appended to ``created``."""
    child = cls()
    object.__setattr__(child, "_factory", functools.partial(auto_child, cls, created))
    refresh_class(child)
    if created is not None:
        created.append(child)
    return child


def is_auto(factory: Factory | None) -> bool:
    """Whether ``factory`` makes auto children (as opposed to a user's default)."""
    return isinstance(factory, functools.partial) and factory.func is auto_child


def init_state(obj: ADict) -> None:
    """Give a fresh node its slots: unfrozen, no default, no tracking, no schema or origin."""
    object.__setattr__(obj, "_schema", None)
    object.__setattr__(obj, "_origin", None)
    object.__setattr__(obj, "_frozen", False)
    object.__setattr__(obj, "_factory", None)
    object.__setattr__(obj, "_accessed", None)


class MissHook:
    """Mixed in front of an ADict class while a node needs code on an attribute miss."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Reached for missing keys, and for every key while tracking (the mirror is empty).
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)
        node = cast("ADict", self)
        try:
            return node[name]
        except KeyError:
            pass
        raise ConfigKeyError(
            key=name, detail="no such key", suggestion=suggest(name, node.keys())
        ) from None


class Recorder(MissHook):
    """Mixed in while a node's reads are tracked: item reads and ``get`` record too."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        node = cast("ADict", self)
        value = dict.__getitem__(node, key)
        accessed = node._accessed
        if accessed is not None:
            accessed.add(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        if key in cast("ADict", self):
            return self[key]
        return default


_twins: dict[tuple[type[ADict], type[MissHook]], type[ADict]] = {}


def base_class(cls: type[ADict]) -> type[ADict]:
    """The user-visible class behind a twin (what pickles and new children use)."""
    base: type[ADict] = cls.__dict__.get("_twin_of", cls)
    return base


def refresh_class(node: ADict) -> None:
    """Put ``node`` in the class its state needs: hooked only when a miss must run code."""
    base = base_class(type(node))
    hook: type[MissHook] | None
    if node._accessed is not None:
        hook = Recorder
    elif node._factory is not None:
        hook = MissHook
    else:
        hook = None
    target = base
    if hook is not None:
        twin = _twins.get((base, hook))
        if twin is None:
            # Same layout as `base` (no new slots), so `__class__` may switch between them.
            twin = type(base.__name__, (hook, base), {"__slots__": (), "_twin_of": base})
            twin.__module__ = base.__module__
            twin.__qualname__ = base.__qualname__
            _twins[(base, hook)] = twin
        target = twin
    if type(node) is not target:
        object.__setattr__(node, "__class__", target)
