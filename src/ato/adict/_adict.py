"""ADict: the configuration container.

An ADict is a real ``dict`` (so ``json.dumps``, pydantic and ``isinstance(x, dict)`` work)
whose string keys are also readable as attributes. Attribute reads are the hot path of a
training loop, so they never run Python code: every string key that does not name a
class attribute is mirrored into the instance ``__dict__``, where CPython's ordinary
(and specialised) attribute lookup finds it. For the same reason the class defines no
``__getattr__``: its mere presence makes CPython give up that specialisation and doubles
the cost of every read. A node that needs code on a miss (auto defaults, access
tracking) switches to a twin class that has the hook, see ``_auto.py``.

Keys that collide with a method name (``items``, ``update``) are deliberately not
mirrored, so ``cfg.items()`` stays the method and ``cfg["items"]`` reaches the value.
Every mutator is overridden to keep the mirror and the frozen state honest; nothing
outside this module writes to an ADict except through them.

The class is assembled from one module per job: this one is the container (reading,
writing, merging, copying, pickling); ``_auto.py`` the auto/default twins; ``_state.py``
freezing and access tracking; ``_files.py`` the file and composition methods. The package
uses the standard library only; file formats are imported when first used.
"""

from __future__ import annotations

import copy as _copy
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Self, cast

from ato.adict._auto import (
    ConstantDefault,
    Factory,
    Recorder,
    auto_child,
    base_class,
    init_state,
    is_auto,
    refresh_class,
)
from ato.adict._files import FilesMixin
from ato.adict._hash import structural_hash
from ato.adict._state import StateMixin
from ato.errors import ConfigError, ConfigKeyError, Problem, suggest

__all__ = ["ADict", "origin_of", "recording_auto"]

_ABSENT: Any = object()
_KEEP: Any = object()


class ADict(FilesMixin, StateMixin, dict[str, Any]):
    """A dict with attribute access, deep merge, freezing and a structural hash.

    Args:
        *mappings: Mappings (or iterables of pairs) merged left to right.
        **items: Further keys.

    Nested mappings, also inside lists and tuples, become ADicts as they are stored.
    """

    __slots__ = ("__dict__", "_accessed", "_factory", "_frozen", "_origin", "_schema")

    _frozen: bool
    _schema: type | None
    _origin: dict[str, str] | None
    _factory: Factory | None
    _accessed: set[str] | None
    _reserved: frozenset[str] = frozenset()

    def __init__(self, *mappings: Mapping[str, Any] | Iterable[tuple[str, Any]], **items: Any) -> None:
        init_state(self)
        for mapping in mappings:
            pairs = mapping.items() if isinstance(mapping, Mapping) else mapping
            for key, value in pairs:
                self[key] = value
        for key, value in items.items():
            self[key] = value

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._reserved = frozenset(dir(cls))

    # ------------------------------------------------------------------ construction
    @classmethod
    def auto(cls) -> Self:
        """An ADict whose missing keys spring into existence as further auto ADicts.

        ``cfg = ADict.auto(); cfg.model.backbone.depth = 50`` needs no set-up. Names
        starting with an underscore are never created this way, so probes such as
        ``hasattr(cfg, '_repr_html_')`` do not litter the config.
        """
        return cast(Self, auto_child(base_class(cls)))

    def set_default(self, default: object) -> None:
        """Give missing keys a default: a callable is called, a value is deep-copied."""
        factory = default if callable(default) else ConstantDefault(default)
        object.__setattr__(self, "_factory", factory)
        refresh_class(self)

    def remove_default(self) -> None:
        """Make missing keys raise again."""
        object.__setattr__(self, "_factory", None)
        refresh_class(self)

    def get_default(self) -> Any:
        """A fresh default value, or ConfigError when none is defined."""
        if self._factory is None:
            raise ConfigError(detail="this ADict has no default for missing keys")
        return self._factory()

    # ------------------------------------------------------------------ reading
    if TYPE_CHECKING:
        # Any key reads as an attribute; the runtime lookup is CPython's own (see above).
        def __getattr__(self, name: str) -> Any: ...

    def __missing__(self, key: str) -> Any:
        factory = self._factory
        if factory is None or self._frozen or (isinstance(key, str) and key[:1] == "_"):
            raise KeyError(key)
        value = factory()
        self[key] = value
        return self[key]

    def __dir__(self) -> Iterable[str]:
        return [*super().__dir__(), *(k for k in self if isinstance(k, str))]

    def get_path(self, dotted: str, default: Any = _ABSENT) -> Any:
        """Read a nested value by dotted path (``'optim.lr'``).

        Raises:
            ConfigError: the path does not exist and no default was given.
        """
        node: Any = self
        walked: list[str] = []
        for part in dotted.split("."):
            if isinstance(node, Mapping) and part in node:
                node = node[part]
                walked.append(part)
                continue
            if default is not _ABSENT:
                return default
            here = node.keys() if isinstance(node, Mapping) else ()
            raise ConfigKeyError(
                key=".".join([*walked, part]), detail="no such key", suggestion=suggest(part, here)
            )
        return node

    get_value_by_name = get_path

    def set_path(self, dotted: str, value: Any) -> None:
        """Write by dotted path (``'optim.lr'``), creating missing levels.

        Raises:
            ConfigError: a level on the way holds a value that is not a mapping.
        """
        parts = dotted.split(".")
        node: ADict = self
        for i, part in enumerate(parts[:-1]):
            child = dict.get(node, part, _ABSENT)
            if child is _ABSENT:
                node[part] = {}
                child = dict.__getitem__(node, part)
            elif not isinstance(child, ADict):
                raise ConfigError(
                    key=".".join(parts[: i + 1]),
                    expected=f"a mapping to hold {dotted!r}",
                    got=child,
                )
            node = child
        node[parts[-1]] = value

    # ------------------------------------------------------------------ writing
    def _check_writable(self, key: object) -> None:
        if self._frozen:
            raise ConfigError(
                key=str(key),
                detail="cannot write to a frozen ADict; call .defrost() first",
            )

    def __setitem__(self, key: str, value: Any) -> None:
        if self._frozen:
            self._check_writable(key)
        value = _convert(value, base_class(type(self)), self._factory)
        dict.__setitem__(self, key, value)
        if self._accessed is None:
            if isinstance(key, str) and key not in self._reserved:
                self.__dict__[key] = value
        elif isinstance(value, ADict):
            value.track_access()

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __delitem__(self, key: str) -> None:
        if self._frozen:
            self._check_writable(key)
        dict.__delitem__(self, key)
        self.__dict__.pop(key, None)

    def __delattr__(self, name: str) -> None:
        try:
            del self[name]
        except KeyError:
            raise ConfigKeyError(
                key=name, detail="no such key", suggestion=suggest(name, self.keys())
            ) from None

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            self[key] = default
        return dict.__getitem__(self, key)

    def pop(self, key: str, *default: Any) -> Any:
        self._check_writable(key)
        self.__dict__.pop(key, None)
        return dict.pop(self, key, *default)

    def popitem(self) -> tuple[str, Any]:
        self._check_writable("<popitem>")
        key, value = dict.popitem(self)
        self.__dict__.pop(key, None)
        return key, value

    def clear(self) -> None:
        self._check_writable("<clear>")
        dict.clear(self)
        self.__dict__.clear()

    # dict.update returns None and takes no `recurrent`; this keeps the 2.x API.
    def update(  # type: ignore[override]
        self,
        other: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        /,
        recurrent: bool = False,
        **items: Any,
    ) -> Self:
        """Set keys from ``other`` and ``items``; returns self.

        Args:
            other: A mapping or an iterable of pairs.
            recurrent: Deep-merge: where both sides hold a mapping, merge into it instead
                of replacing it. Merged-in containers are copied, so later writes to the
                result never reach the source.
        """
        for key, value in _pairs(other, items):
            if not recurrent:
                self[key] = value
                continue
            current = dict.get(self, key, _ABSENT)
            if isinstance(current, ADict) and isinstance(value, Mapping):
                current.update(value, recurrent=True)
            else:
                self[key] = _copy_containers(value, base_class(type(self)))
        return self

    def update_if_absent(
        self,
        other: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None,
        /,
        recurrent: bool = True,
        **items: Any,
    ) -> Self:
        """Add keys that are not present; a present leaf is never overwritten.

        Where both sides hold a mapping the call recurses into it (``recurrent=False``
        keeps the present mapping untouched instead).
        """
        for key, value in _pairs(other, items):
            current = dict.get(self, key, _ABSENT)
            if current is _ABSENT:
                self[key] = _copy_containers(value, base_class(type(self)))
            elif recurrent and isinstance(current, ADict) and isinstance(value, Mapping):
                current.update_if_absent(value, recurrent=True)
        return self

    def filter(self, fn: Callable[[str, Any], bool]) -> Self:
        """Keep only the items for which ``fn(key, value)`` is true (in place); returns self."""
        self._check_writable("<filter>")
        for key in [k for k, v in self.items() if not fn(k, v)]:
            del self[key]
        return self

    def replace_keys(self, src_keys: str | Iterable[str], tgt_keys: str | Iterable[str]) -> Self:
        """Rename keys: ``src_keys[i]`` becomes ``tgt_keys[i]``, values unchanged; returns self."""
        src = [src_keys] if isinstance(src_keys, str) else list(src_keys)
        tgt = [tgt_keys] if isinstance(tgt_keys, str) else list(tgt_keys)
        if len(src) != len(tgt):
            raise ConfigError(
                key="replace_keys",
                expected=f"as many target keys as source keys ({len(src)})",
                got=tgt,
            )
        missing = [k for k in src if k not in self]
        if missing:
            raise ConfigError(
                problems=[
                    _no_such_key(k, self.keys()) for k in missing
                ]
            )
        self._check_writable(src[0] if src else "<replace_keys>")
        values = [dict.__getitem__(self, k) for k in src]
        for key in src:
            del self[key]
        for key, value in zip(tgt, values, strict=True):
            self[key] = value
        return self

    # ------------------------------------------------------------------ conversion
    def to_dict(self) -> dict[str, Any]:
        """A plain ``dict`` tree (nested ADicts become dicts, also inside lists)."""
        return cast(dict[str, Any], _to_plain(self))

    def clone(self) -> Self:
        """A deep copy (frozen state and default included)."""
        return _copy.deepcopy(self)

    def copy(self) -> Self:
        """A shallow copy, as ``dict.copy`` but an ADict."""
        new = cast(Self, base_class(type(self))())
        object.__setattr__(new, "_factory", self._factory)
        refresh_class(new)
        for key, value in self.items():
            new[key] = value
        object.__setattr__(new, "_frozen", self._frozen)
        return new

    @classmethod
    def fromkeys(cls, iterable: Iterable[str], value: Any = None) -> Self:  # type: ignore[override]
        new = cls()
        for key in iterable:
            new[key] = value
        return new

    def get_structural_hash(self) -> str:
        """Hex SHA-1 of the sorted ``[path:typename]`` leaves: values and key order do not count.

        Under a schema (the config a typed Scope built), the declared field types count
        instead of the values' types, so the hash changes only when the schema does.
        """
        if self._schema is not None:
            from ato.schema import schema_hash

            return schema_hash(self._schema)
        return structural_hash(self)

    def attach(self, *, schema: type | None = _KEEP, origin: Mapping[str, str] | None = _KEEP) -> Self:
        """Record what this tree was checked against and where its leaves came from; returns self.

        Loaders and scopes call this once they have built a config: ``schema`` is the
        pydantic model that validated it (then :meth:`get_structural_hash` hashes the
        declared types), ``origin`` maps dotted leaf keys to the file (and line) that set
        them (read back with :func:`ato.adict.origin_of`). An argument left out is kept.
        """
        if schema is not _KEEP:
            object.__setattr__(self, "_schema", schema)
        if origin is not _KEEP:
            object.__setattr__(self, "_origin", None if origin is None else dict(origin))
        return self

    # ------------------------------------------------------------------ copy & pickle
    def __copy__(self) -> Self:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        cls = base_class(type(self))
        new = cast(Self, cls.__new__(cls))
        init_state(new)
        memo[id(self)] = new
        object.__setattr__(new, "_factory", self._factory)
        refresh_class(new)
        for key, value in self.items():
            new[key] = _copy.deepcopy(value, memo)
        object.__setattr__(new, "_frozen", self._frozen)
        object.__setattr__(new, "_schema", self._schema)
        object.__setattr__(new, "_origin", None if self._origin is None else dict(self._origin))
        if self._accessed is not None:
            new.track_access()
        return new

    def __reduce__(self) -> tuple[Any, ...]:
        # Items go through __setitem__ before the state is restored, so a frozen
        # ADict unpickles without tripping over its own write guard.
        state = (self._frozen, self._factory, self._accessed, self._schema, self._origin)
        return (base_class(type(self)), (), state, None, iter(self.items()))

    def __setstate__(
        self, state: tuple[bool, Factory | None, set[str] | None, type | None, dict[str, str] | None]
    ) -> None:
        frozen, factory, accessed, schema, origin = state
        object.__setattr__(self, "_factory", factory)
        object.__setattr__(self, "_schema", schema)
        object.__setattr__(self, "_origin", origin)
        refresh_class(self)
        if accessed is not None:
            self.track_access()
            cast(set[str], self._accessed).update(accessed)
        object.__setattr__(self, "_frozen", frozen)

    # ------------------------------------------------------------------ operators
    def __or__(self, other: Any) -> Self:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        new = self.copy()
        object.__setattr__(new, "_frozen", False)
        return new.update(other)

    def __ror__(self, other: Any) -> Self:  # type: ignore[override]
        if not isinstance(other, Mapping):
            return NotImplemented
        return type(self)(other).update(self)

    def __ior__(self, other: Any) -> Self:  # type: ignore[override]
        return self.update(other)




ADict._reserved = frozenset(dir(ADict)) | frozenset(dir(Recorder))


def recording_auto(created: list[ADict]) -> ADict:
    """An auto ADict that appends every node it creates on a miss to ``created``."""
    return auto_child(ADict, created)


def origin_of(cfg: ADict) -> dict[str, str]:
    """Where each leaf of ``cfg`` came from, as :meth:`ADict.attach` recorded it (else empty)."""
    return dict(cfg._origin or {})


def _no_such_key(key: str, present: Iterable[str]) -> Problem:
    return Problem(key=key, detail="no such key", suggestion=suggest(key, present))


def _pairs(
    other: Mapping[str, Any] | Iterable[tuple[str, Any]] | None, items: Mapping[str, Any]
) -> Iterator[tuple[str, Any]]:
    if other is not None:
        yield from (other.items() if isinstance(other, Mapping) else other)
    yield from items.items()


def _convert(value: Any, cls: type[ADict], factory: Factory | None) -> Any:
    """Turn nested mappings into ADicts of ``cls`` (also inside lists/tuples); other values pass."""
    if isinstance(value, ADict):
        return value
    if isinstance(value, Mapping):
        child = cls.__new__(cls)
        init_state(child)
        if is_auto(factory):
            object.__setattr__(child, "_factory", factory)
            refresh_class(child)
        for key, item in value.items():
            child[key] = item
        return child
    if type(value) is list or type(value) is tuple:
        converted = [_convert(item, cls, factory) for item in value]
        if any(new is not old for new, old in zip(converted, value, strict=True)):
            return type(value)(converted)
    return value


def _copy_containers(value: Any, cls: type[ADict]) -> Any:
    """Copy mappings (as ``cls``) and lists, not leaves, so a merge never shares structure
    with its source."""
    if isinstance(value, Mapping):
        new = cls()
        if isinstance(value, ADict):
            object.__setattr__(new, "_factory", value._factory)
            refresh_class(new)
        for key, item in value.items():
            new[key] = _copy_containers(item, cls)
        return new
    if type(value) is list or type(value) is tuple:
        return type(value)(_copy_containers(item, cls) for item in value)
    return value


def _to_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _to_plain(item) for key, item in value.items()}
    if type(value) is list or type(value) is tuple:
        return type(value)(_to_plain(item) for item in value)
    return value
