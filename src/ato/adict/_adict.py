"""ADict: the configuration container.

An ADict is a real ``dict`` (so ``json.dumps``, pydantic and ``isinstance(x, dict)`` work)
whose string keys are also readable as attributes. Attribute reads are the hot path of a
training loop, so they never run Python code: every string key that does not name a
class attribute is mirrored into the instance ``__dict__``, where CPython's ordinary
(and specialised) attribute lookup finds it. For the same reason the class defines no
``__getattr__``: its mere presence makes CPython give up that specialisation and doubles
the cost of every read. A node that needs code on a miss (auto defaults, access
tracking) switches to a twin class that has the hook, see ``_refresh_class``.

Keys that collide with a method name (``items``, ``update``) are deliberately not
mirrored, so ``cfg.items()`` stays the method and ``cfg["items"]`` reaches the value.
Every mutator is overridden to keep the mirror and the frozen state honest; nothing
outside this module writes to an ADict except through them.

This module uses the standard library only; file formats are imported when first used.
"""

from __future__ import annotations

import copy as _copy
import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Self, cast

from ato.adict._hash import structural_hash
from ato.errors import ConfigError, ConfigKeyError, suggest

if TYPE_CHECKING:
    from os import PathLike

__all__ = ["ADict"]

_Factory = Callable[[], Any]
_ABSENT: Any = object()


class _ConstantDefault:
    """A default value handed out as a fresh deep copy on every miss (picklable)."""

    __slots__ = ("value",)

    def __init__(self, value: object) -> None:
        self.value = value

    def __call__(self) -> Any:
        return _copy.deepcopy(self.value)


def _auto_child(cls: type[ADict], created: list[ADict] | None = None) -> ADict:
    child = cls()
    object.__setattr__(child, "_factory", functools.partial(_auto_child, cls, created))
    _refresh_class(child)
    if created is not None:
        created.append(child)
    return child


def _is_auto(factory: _Factory | None) -> bool:
    return isinstance(factory, functools.partial) and factory.func is _auto_child


class ADict(dict[str, Any]):
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
    _factory: _Factory | None
    _accessed: set[str] | None
    _reserved: frozenset[str] = frozenset()

    def __init__(self, *mappings: Mapping[str, Any] | Iterable[tuple[str, Any]], **items: Any) -> None:
        _init_state(self)
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
        return cast(Self, _auto_child(_base_class(cls)))

    def set_default(self, default: object) -> None:
        """Give missing keys a default: a callable is called, a value is deep-copied."""
        factory = default if callable(default) else _ConstantDefault(default)
        object.__setattr__(self, "_factory", factory)
        _refresh_class(self)

    def remove_default(self) -> None:
        """Make missing keys raise again."""
        object.__setattr__(self, "_factory", None)
        _refresh_class(self)

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
    def _check_writable(self, key: object, value: object = None) -> None:
        if self._frozen:
            raise ConfigError(
                key=str(key),
                detail="cannot write to a frozen ADict; call .defrost() first",
            )

    def __setitem__(self, key: str, value: Any) -> None:
        if self._frozen:
            self._check_writable(key)
        value = _convert(value, _base_class(type(self)), self._factory)
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
                self[key] = _copy_containers(value)
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
                self[key] = _copy_containers(value)
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

    # ------------------------------------------------------------------ freezing
    @property
    def frozen(self) -> bool:
        """Whether writes are rejected."""
        return self._frozen

    def freeze(self) -> Self:
        """Reject every later write to this tree (nested ADicts too); returns self."""
        for node in _walk_adicts(self):
            object.__setattr__(node, "_frozen", True)
        return self

    def defrost(self) -> Self:
        """Allow writes again, in the whole tree; returns self."""
        for node in _walk_adicts(self):
            object.__setattr__(node, "_frozen", False)
        return self

    # ------------------------------------------------------------------ access tracking
    def track_access(self, enabled: bool = True) -> Self:
        """Record every key read from now on, in the whole tree (for ``get_minimal_config``).

        Tracking moves attribute reads from the fast path to a recording one, so it is off
        until asked for.
        """
        for node in _walk_adicts(self):
            if enabled and node._accessed is None:
                object.__setattr__(node, "_accessed", set())
                node.__dict__.clear()
                _refresh_class(node)
            elif not enabled and node._accessed is not None:
                object.__setattr__(node, "_accessed", None)
                _refresh_class(node)
                _rebuild_mirror(node)
        return self

    @property
    def accessed_keys(self) -> frozenset[str]:
        """Keys read (by attribute, item or ``get``) since ``track_access()``."""
        return frozenset(self._accessed or ())

    def get_minimal_config(self) -> ADict:
        """A new ADict with only the keys that were read, recursively."""
        minimal = ADict()
        for key in self.accessed_keys:
            if key not in self:
                continue
            value = dict.__getitem__(self, key)
            minimal[key] = value.get_minimal_config() if isinstance(value, ADict) else _copy.deepcopy(value)
        return minimal

    # ------------------------------------------------------------------ conversion
    def to_dict(self) -> dict[str, Any]:
        """A plain ``dict`` tree (nested ADicts become dicts, also inside lists)."""
        return cast(dict[str, Any], _to_plain(self))

    def clone(self) -> Self:
        """A deep copy (frozen state and default included)."""
        return _copy.deepcopy(self)

    def copy(self) -> Self:
        """A shallow copy, as ``dict.copy`` but an ADict."""
        new = cast(Self, _base_class(type(self))())
        object.__setattr__(new, "_factory", self._factory)
        _refresh_class(new)
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

    def json(self, **kwargs: Any) -> str:
        """The tree as a JSON string."""
        import json

        return json.dumps(self.to_dict(), **kwargs)

    def to_xyz(self, format_dict: Mapping[str, str] | None = None) -> str:
        """The tree in the indented ``.xyz`` text format."""
        from ato.formats import xyz_dumps

        return xyz_dumps(self, format_dict)

    # ------------------------------------------------------------------ files
    @classmethod
    def from_file(cls, path: str | PathLike[str]) -> Self:
        """Read a .json, .yaml/.yml, .toml, .xyz or .py config file.

        Raises:
            FileNotFoundError: the file does not exist.
            ConfigError: the extension is unknown, or the file is malformed (file and line).
        """
        from ato.formats import load_file

        return cls(load_file(path))

    def load(self, path: str | PathLike[str]) -> Self:
        """Deep-merge a config file into this ADict; returns self."""
        from ato.formats import load_file

        self._check_writable("<load>")
        return self.update(load_file(path), recurrent=True)

    def dump(self, path: str | PathLike[str], **options: Any) -> None:
        """Write the tree to ``path`` (format by extension), atomically.

        Raises:
            ConfigError: the extension is unknown or the format cannot hold a value
                (e.g. None in TOML); nothing is written then.
        """
        from ato.formats import dump_file

        dump_file(self, path, **options)

    # ------------------------------------------------------------------ composition
    @classmethod
    def compose_hierarchy(
        cls,
        root: str | PathLike[str],
        config_filename: str = "config",
        select: Mapping[str, str | Iterable[str]] | None = None,
        overrides: Mapping[str, Any] | None = None,
        required: Iterable[str] | None = None,
        on_missing: str = "error",
        schema: type | None = None,
    ) -> Self:
        """Compose a Hydra-style config tree (see ``ato.compose.compose_hierarchy``)."""
        from ato.compose import compose_hierarchy

        return cast(Self, compose_hierarchy(
            root, config_filename, select=select, overrides=overrides, required=required,
            on_missing=on_missing, schema=schema, cls=_base_class(cls),
        ))

    @classmethod
    def from_mm_config(cls, path: str | PathLike[str]) -> Self:
        """Load an OpenMMLab config (``_base_`` chains, ``_delete_``) as mmengine does."""
        from ato.compose import load_mm_config

        return cast(Self, load_mm_config(path, cls=_base_class(cls)))

    def load_mm_config(self, path: str | PathLike[str]) -> Self:
        """Merge an OpenMMLab config into this ADict (its top-level keys replace ours)."""
        self._check_writable("<load_mm_config>")
        return self.update(self.from_mm_config(path))

    def resolve(self) -> Self:
        """Replace ``${a.b}`` interpolations in place by the values they point at; returns self.

        Raises:
            ConfigError: a reference to a missing key, a cycle, or a ``???`` left unset.
        """
        from ato.compose import resolve

        self._check_writable("<resolve>")
        resolve(self)
        return self

    # ------------------------------------------------------------------ copy & pickle
    def __copy__(self) -> Self:
        return self.copy()

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        cls = _base_class(type(self))
        new = cast(Self, cls.__new__(cls))
        _init_state(new)
        memo[id(self)] = new
        object.__setattr__(new, "_factory", self._factory)
        _refresh_class(new)
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
        return (_base_class(type(self)), (), state, None, iter(self.items()))

    def __setstate__(
        self, state: tuple[bool, _Factory | None, set[str] | None, type | None, dict[str, str] | None]
    ) -> None:
        frozen, factory, accessed, schema, origin = state
        object.__setattr__(self, "_factory", factory)
        object.__setattr__(self, "_schema", schema)
        object.__setattr__(self, "_origin", origin)
        _refresh_class(self)
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


class _MissHook:
    """Mixed in front of an ADict class while a node needs code on an attribute miss."""

    __slots__ = ()

    def __getattr__(self, name: str) -> Any:
        # Reached for missing keys, and for every key while tracking (the mirror is empty).
        if name[:2] == "__" and name[-2:] == "__":
            raise AttributeError(name)
        node = cast(ADict, self)
        try:
            return node[name]
        except KeyError:
            pass
        raise ConfigKeyError(
            key=name, detail="no such key", suggestion=suggest(name, node.keys())
        ) from None


class _Recorder(_MissHook):
    """Mixed in while a node's reads are tracked: item reads and ``get`` record too."""

    __slots__ = ()

    def __getitem__(self, key: str) -> Any:
        node = cast(ADict, self)
        value = dict.__getitem__(node, key)
        accessed = node._accessed
        if accessed is not None:
            accessed.add(key)
        return value

    def get(self, key: str, default: Any = None) -> Any:
        if key in cast(ADict, self):
            return self[key]
        return default


ADict._reserved = frozenset(dir(ADict)) | frozenset(dir(_Recorder))
_twins: dict[tuple[type[ADict], type[_MissHook]], type[ADict]] = {}


def _base_class(cls: type[ADict]) -> type[ADict]:
    """The user-visible class behind a twin (what pickles and new children use)."""
    base: type[ADict] = cls.__dict__.get("_twin_of", cls)
    return base


def _refresh_class(node: ADict) -> None:
    """Put ``node`` in the class its state needs: hooked only when a miss must run code."""
    base = _base_class(type(node))
    hook: type[_MissHook] | None
    if node._accessed is not None:
        hook = _Recorder
    elif node._factory is not None:
        hook = _MissHook
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


def _init_state(obj: ADict) -> None:
    object.__setattr__(obj, "_schema", None)
    object.__setattr__(obj, "_origin", None)
    object.__setattr__(obj, "_frozen", False)
    object.__setattr__(obj, "_factory", None)
    object.__setattr__(obj, "_accessed", None)


def _no_such_key(key: str, present: Iterable[str]) -> Any:
    from ato.errors import Problem

    return Problem(key=key, detail="no such key", suggestion=suggest(key, present))


def _pairs(
    other: Mapping[str, Any] | Iterable[tuple[str, Any]] | None, items: Mapping[str, Any]
) -> Iterator[tuple[str, Any]]:
    if other is not None:
        yield from (other.items() if isinstance(other, Mapping) else other)
    yield from items.items()


def _convert(value: Any, cls: type[ADict], factory: _Factory | None) -> Any:
    """Turn nested mappings into ADicts (also inside lists/tuples); other values pass."""
    if isinstance(value, ADict):
        return value
    if isinstance(value, Mapping):
        child = cls.__new__(cls)
        _init_state(child)
        if _is_auto(factory):
            object.__setattr__(child, "_factory", factory)
            _refresh_class(child)
        for key, item in value.items():
            child[key] = item
        return child
    if type(value) is list or type(value) is tuple:
        converted = [_convert(item, cls, factory) for item in value]
        if any(new is not old for new, old in zip(converted, value, strict=True)):
            return type(value)(converted)
    return value


def _copy_containers(value: Any) -> Any:
    """Copy mappings and lists (not leaves) so a merge never shares structure with its source."""
    if isinstance(value, Mapping):
        new = ADict()
        if isinstance(value, ADict):
            object.__setattr__(new, "_factory", value._factory)
            _refresh_class(new)
        for key, item in value.items():
            new[key] = _copy_containers(item)
        return new
    if type(value) is list or type(value) is tuple:
        return type(value)(_copy_containers(item) for item in value)
    return value


def _to_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _to_plain(item) for key, item in value.items()}
    if type(value) is list or type(value) is tuple:
        return type(value)(_to_plain(item) for item in value)
    return value


def _walk_adicts(root: ADict) -> Iterator[ADict]:
    """Every ADict in the tree, once each (shared or cyclic nodes included)."""
    seen: set[int] = set()
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        if isinstance(node, ADict):
            seen.add(id(node))
            yield node
            stack.extend(dict.values(node))
        elif type(node) is list or type(node) is tuple:
            seen.add(id(node))
            stack.extend(node)


def _rebuild_mirror(node: ADict) -> None:
    mirror = node.__dict__
    mirror.clear()
    reserved = node._reserved
    for key, value in dict.items(node):
        if isinstance(key, str) and key not in reserved:
            mirror[key] = value


def recording_auto(created: list[ADict]) -> ADict:
    """An auto ADict that appends every node it creates on a miss to ``created``."""
    return _auto_child(ADict, created)


def settle(root: ADict, created: list[ADict]) -> None:
    """End auto mode for a whole tree and drop nodes a miss created that stayed empty.

    A view that reads a key nobody set (``if cfg.use_amp:``) gets an empty auto node; that
    node is not part of the config the user meant, so it is removed here.
    """
    made = {id(node) for node in created}

    def prune(node: ADict) -> None:
        for key, value in list(dict.items(node)):
            if isinstance(value, ADict):
                prune(value)
                if id(value) in made and not value:
                    del node[key]

    prune(root)
    for node in _walk_adicts(root):
        if node._factory is not None:
            object.__setattr__(node, "_factory", None)
            _refresh_class(node)
