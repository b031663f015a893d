"""The tree operations of mmengine 0.10's Config, on plain dicts and one dict type.

:class:`AttrDict` stands in for mmengine's ConfigDict where a Python config can see it
(``_base_`` and everything under it); :func:`merge` is ``Config._merge_a_into_b``;
:func:`copy_filled` the copy with ``{{ _base_.x }}`` filled in; :func:`as_base` the
conversion of a loaded base (with ``_scope_`` for a package base); :func:`plain` is
``Config.to_dict``. Each keeps mmengine's quirks where they change the result, and says so.
"""

from __future__ import annotations

import copy
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from ato.errors import ConfigError, suggest

__all__ = ["AttrDict", "Source", "as_base", "copy_filled", "merge", "plain"]

DELETE_KEY = "_delete_"
SCOPE_KEY = "_scope_"

# Where each value came from, mirroring the tree: a file for a whole subtree, or a
# mapping of key to the same for a mapping merged from several files.
Source = str | dict[Any, "Source"]

_ATOMIC = (int, float, bool, type(None), bytes, complex, type)
_PLAIN_DICTS = (dict, OrderedDict)


def merge(
    child: Mapping[Any, Any], base: dict[Any, Any], base_sources: Source, file: str, path: str
) -> tuple[dict[Any, Any], dict[Any, Source]]:
    """mmengine's ``Config._merge_a_into_b(child, base)``, also merging the sources.

    ``child`` comes from :func:`copy_filled`, so its containers are already converted as
    ConfigDict converts them, and are stored as they are.
    """
    out = base.copy()
    sources: dict[Any, Source] = (
        dict(base_sources) if isinstance(base_sources, dict) else dict.fromkeys(base, base_sources)
    )
    for key, value in child.items():
        if isinstance(value, dict):
            # The pop is only reached when the base has the key: mmengine's short circuit,
            # which is why `_delete_` elsewhere stays in the result.
            if key in out and not value.pop(DELETE_KEY, False):
                dotted = f"{path}.{key}" if path else str(key)
                if not isinstance(out[key], dict):
                    raise ConfigError(
                        key=dotted, expected=f"a mapping in the base to merge into (or "
                        f"{DELETE_KEY}=True to replace it)", got=out[key], source=file,
                    )
                out[key], sources[key] = merge(
                    value, out[key], sources.get(key, file), file, dotted
                )
            else:
                # mmengine stores ConfigDict(value): a new mapping over the same items.
                dict.__setitem__(out, key, AttrDict.from_converted(value))
                sources[key] = file
        else:
            dict.__setitem__(out, key, value)
            sources[key] = file
    return out, sources


def as_base(tree: dict[Any, Any], scope: str | None) -> dict[Any, Any]:
    """A loaded base as a child sees it in ``_base_``: attribute access all the way down.

    For a ``pkg::`` base, mmengine also adds ``_scope_: pkg`` to the outermost mappings
    with a ``type`` key, so that registries build them from that package.
    """
    if scope is None:
        return AttrDict(tree)
    return _scoped(tree, scope, True)  # type: ignore[no-any-return]


def _scoped(value: Any, scope: str, open_: bool) -> Any:
    if isinstance(value, dict):
        if open_ and "type" in value:
            open_ = False
            if value.get(SCOPE_KEY) is None:
                value[SCOPE_KEY] = scope
        out = AttrDict(value)
        for key, item in out.items():
            dict.__setitem__(out, key, _scoped(item, scope, open_))
        return out
    if isinstance(value, (list, tuple)):
        return type(value)(_scoped(item, scope, open_) for item in value)
    return value


def copy_filled(
    tree: dict[Any, Any], placeholders: Mapping[str, str], bases: Mapping[Any, Any], file: str
) -> dict[Any, Any]:
    """A copy of a file's own tree, each placeholder swapped for the value it names.

    mmengine deep-copies every container here, one value at a time, so that two names
    bound to one object (``test_evaluator = val_evaluator``) become two objects: merging
    then pops ``_delete_`` from each. The copy is made the same way; a placeholder's value
    is the bases' own object, not a copy, as in mmengine. Plain dicts are copied into
    :class:`AttrDict` at once, which mmengine does later, when it merges.

    Raises:
        ConfigError: a key the bases do not have (the ``_base_.x`` reference is named), or
            a placeholder inside a longer string, where mmengine leaves random text.
    """
    token = next(iter(placeholders)).rsplit("_", 1)[1] if placeholders else None
    plain_dicts = (*_PLAIN_DICTS, AttrDict)

    def fill(value: Any, key: str | None) -> Any:
        # `key` (the dotted path, for errors) is only spelled out when there are
        # placeholders, since only they can fail; None otherwise.
        kind = type(value)
        if kind is str:
            if token is None or key is None:
                return value
            if value in placeholders:
                return _lookup(bases, placeholders[value], key, file)
            if token in value:
                raise ConfigError(
                    key=key, expected="{{ _base_.x }} standing for a whole value",
                    got="a string around it", source=file,
                )
            return value
        if kind in _ATOMIC:
            return value
        if isinstance(value, dict):
            out = AttrDict() if kind in plain_dicts else copy.deepcopy(value)
            for k, item in dict.items(value):
                sub = None if key is None else f"{key}.{k}" if key else str(k)
                dict.__setitem__(out, k, fill(item, sub))
            return out
        # mmengine rebuilds sequences as plain lists and tuples here.
        if isinstance(value, (tuple, list)):
            items = [
                fill(item, None if key is None else f"{key}[{i}]") for i, item in enumerate(value)
            ]
            return tuple(items) if isinstance(value, tuple) else items
        return copy.deepcopy(value)

    return fill(tree, None if token is None else "")  # type: ignore[no-any-return]


def _lookup(bases: Mapping[Any, Any], dotted: str, key: str, file: str) -> Any:
    node: Any = bases
    walked = "_base_"
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            keys = list(node) if isinstance(node, Mapping) else []
            raise ConfigError(
                key=key, detail=f"{{{{ _base_.{dotted} }}}} names a key the bases do not have "
                f"({walked}.{part})", source=file, suggestion=suggest(part, keys),
            )
        node = node[part]
        walked += f".{part}"
    return node


def plain(value: Any) -> Any:
    """mmengine's ``to_dict``: every mapping a dict; lists and tuples keep their type."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in dict.items(value)}
    if isinstance(value, (list, tuple)):
        return type(value)(plain(item) for item in value)
    return value



def _hook(item: Any) -> Any:
    # Like mmengine's ConfigDict: plain dicts (and OrderedDicts) become attribute dicts,
    # also inside lists and tuples; dict subclasses of the user's stay what they are.
    if type(item) in (dict, OrderedDict):
        return AttrDict(item)
    if isinstance(item, (list, tuple)):
        return type(item)(_hook(element) for element in item)
    return item


class AttrDict(dict[Any, Any]):
    """What a Python config sees as ``_base_``: mmengine's ConfigDict, as far as configs use it.

    Item and attribute access, nested dicts converted on the way in, ``copy`` of the same
    type, a recursive ``update``, ``pop`` with a default of None. Never part of a result.
    """

    __slots__ = ()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()
        if args or kwargs:
            for key, value in dict(*args, **kwargs).items():
                self[key] = value

    @classmethod
    def from_converted(cls, value: dict[Any, Any]) -> AttrDict:
        """A new AttrDict over the items of ``value``, whose values are converted already."""
        out = cls()
        dict.update(out, value)
        return out

    def __setitem__(self, key: Any, value: Any) -> None:
        dict.__setitem__(self, key, _hook(value))

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"'ConfigDict' object has no attribute '{name}'") from None

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(type(self), name):
            raise AttributeError(f"'ConfigDict' object attribute '{name}' is read-only")
        self[name] = value

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None

    def copy(self) -> AttrDict:
        other = AttrDict()
        dict.update(other, self)
        return other

    __copy__ = copy

    def __deepcopy__(self, memo: dict[int, Any]) -> AttrDict:
        other = AttrDict()
        memo[id(self)] = other
        for key, value in dict.items(self):
            dict.__setitem__(other, copy.deepcopy(key, memo), copy.deepcopy(value, memo))
        return other

    def update(self, *args: Any, **kwargs: Any) -> None:
        for key, value in dict(*args, **kwargs).items():
            if key in self and isinstance(self[key], dict) and isinstance(value, dict):
                self[key].update(value)
            else:
                self[key] = value

    def pop(self, key: Any, default: Any = None) -> Any:
        return dict.pop(self, key, default)

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return self[key]

    def to_dict(self) -> dict[Any, Any]:
        """A plain copy, as ``ConfigDict.to_dict`` gives."""
        return plain(self)  # type: ignore[no-any-return]
