"""What a config file can hold: the one conversion of rich values into plain data.

A schema field may hold values that no config format spells. Everything that shows or
writes a config (``dump`` in every format, ``print`` and ``explain``, the config the
tracker stores) converts them here, so the file, the terminal and the database agree:

- a ``Path`` (any ``os.PathLike``): its text;
- an ``Enum`` (str, int or plain): its value, itself converted;
- a ``set`` or ``frozenset``: a list, sorted;
- a ``tuple``: a tuple where the format has them (``.py``), else a list;
- a ``datetime``, ``date`` or ``time``: ISO 8601 text;
- a ``Decimal``: its exact text (``'1.10'``, never the float ``1.1``);
- a ``UUID``: its canonical text;
- a pydantic model (a discriminated union's member too): its fields, converted;
- a ``SecretStr``, ``SecretBytes`` or ``Secret``: the mask ``'**********'``;
- another type pydantic defines (``HttpUrl``): pydantic's own JSON form of it;
- a NumPy scalar, or a subclass of bool, int, float or str: the plain scalar it holds.

pydantic parses every text form back, so a file loaded through the schema gives an equal
model. Secrets are the exception, by design: the mask is all that is ever shown or
written, so a secret read back from a file is the mask itself. A set's items are sorted
(by type name and ``repr`` where they do not compare) so that a file does not change
with Python's hash seed from one run to the next.

Only what is shown or written is converted; the values in memory stay as they are. Any
other object is not guessed at, since writing its ``str`` would silently change the
config: the walk names its key as a :class:`~ato.errors.Problem` and the caller decides
(the file writers refuse, listing every such key; the tracker and ``explain`` fall back
to text).

Nothing is imported here to recognise a type: a ``Decimal``, a ``UUID``, a ``datetime``
or a pydantic secret can only exist once its module is loaded, so the classes are looked
up in ``sys.modules``. That keeps ``import ato.formats`` as cheap as before.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from typing import Any

from ato.errors import ConfigError, Problem

__all__ = ["SECRET_MASK", "holds_secret", "to_plain", "walk"]

SECRET_MASK = "**********"  # noqa: S105 - the mask, not a password
"""What a secret is shown and written as: pydantic's own mask for a ``SecretStr``."""

_SCALARS = (bool, int, float, str)

# (module, class names) whose instances become their text: ISO 8601 for the datetime
# types, the exact digits for a Decimal, the canonical form for a UUID.
_AS_TEXT = (
    ("datetime", ("datetime", "date", "time")),
    ("decimal", ("Decimal",)),
    ("uuid", ("UUID",)),
)


def _loaded(module: str, names: tuple[str, ...]) -> tuple[type[Any], ...]:
    found = sys.modules.get(module)
    if found is None:
        return ()
    return tuple(cls for cls in (getattr(found, name, None) for name in names) if isinstance(cls, type))


class _Kinds:
    """The classes of the values this walk converts, among the modules loaded right now."""

    __slots__ = ("enum", "model", "secret", "text")

    def __init__(self) -> None:
        self.enum = _loaded("enum", ("Enum",))
        self.text = tuple(cls for module, names in _AS_TEXT for cls in _loaded(module, names))
        self.model = _loaded("pydantic.main", ("BaseModel",))
        self.secret = _loaded("pydantic.types", ("SecretStr", "SecretBytes", "Secret"))


def walk(
    value: Any,
    *,
    keep_tuples: bool = False,
    allow_none: bool = True,
    expected: str = "a value a config file can hold",
    fallback: Callable[[Any], Any] | None = None,
) -> tuple[Any, list[Problem]]:
    """Copy ``value`` into plain dicts, lists and exact scalars; note what cannot go.

    Args:
        value: A config tree, or any single value.
        keep_tuples: Keep tuples (the ``.py`` format writes them); else they become lists.
        allow_none: Whether None may appear (TOML has no null); else None is a problem.
        expected: What a problem says was expected.
        fallback: Called with each value there is no plain form for, its result used in
            that place instead of noting a problem; a non-str mapping key then becomes
            ``str(key)``. The result is used as given, so it must be plain itself.

    Returns:
        ``(plain, problems)``: the converted copy, and one problem per key that could not
        be converted (its place in ``plain`` holds None).
    """
    problems: list[Problem] = []
    kinds = _Kinds()

    def go(node: Any, path: str) -> Any:
        if isinstance(node, Mapping):
            out: dict[str, Any] = {}
            for raw_key, item in node.items():
                key = _key(raw_key)
                if key is None and fallback is not None:
                    key = str(raw_key)
                if key is None:
                    problems.append(Problem(
                        key=f"{path}[{raw_key!r}]" if path else repr(raw_key),
                        expected="a str key", got=raw_key,
                    ))
                    continue
                out[key] = go(item, f"{path}.{key}" if path else key)
            return out
        if isinstance(node, (list, tuple)):
            items = [go(item, f"{path}[{i}]") for i, item in enumerate(node)]
            return tuple(items) if keep_tuples and isinstance(node, tuple) else items
        if node is None:
            if not allow_none:
                problems.append(Problem(key=path, expected=expected, got=None))
            return None
        if kinds.secret and isinstance(node, kinds.secret):
            return SECRET_MASK
        if kinds.enum and isinstance(node, kinds.enum):
            return go(node.value, path)
        for kind in _SCALARS:
            if isinstance(node, kind):
                return _plain_scalar(node, kind)
        if isinstance(node, (set, frozenset)):
            # A set has no order to name an item by, so a problem names the set's key.
            return _sorted([go(item, path) for item in node])
        if isinstance(node, os.PathLike):
            return go(os.fspath(node), path)
        if kinds.text and isinstance(node, kinds.text):
            return node.isoformat() if hasattr(node, "isoformat") else str(node)
        if kinds.model and isinstance(node, kinds.model):
            return go(node.model_dump(), path)
        if type(node).__module__ == "numpy" and getattr(node, "ndim", None) == 0:
            # NumPy scalars (np.int64, np.bool_) turn up wherever configs meet arrays; an
            # array with items is no scalar, and `.item()` would raise on it.
            item = node.item()
            if item is None or isinstance(item, _SCALARS):
                return go(item, path)
        if type(node).__module__.partition(".")[0] in _PYDANTIC:
            # A type pydantic defines (a URL, an e-mail name) is written in pydantic's own
            # JSON form, which its validators read back. Other types are not guessed at,
            # whether or not pydantic happens to be loaded: a file must not depend on that.
            jsonable = _pydantic_jsonable(node)
            if jsonable is not _NONE:
                return go(jsonable, path)
        if fallback is not None:
            return fallback(node)
        problems.append(Problem(key=path, expected=expected, got=node))
        return None

    return go(value, ""), problems


_PYDANTIC = ("pydantic", "pydantic_core")
_NONE = object()


def _pydantic_jsonable(value: Any) -> Any:
    core = sys.modules.get("pydantic_core")
    if core is None:
        return _NONE
    try:
        return core.to_jsonable_python(value)
    except core.PydanticSerializationError:
        return _NONE


def _key(key: Any) -> str | None:
    if isinstance(key, str):
        return _plain_scalar(key, str)  # type: ignore[no-any-return]
    return None


def _plain_scalar(value: Any, kind: type) -> Any:
    if type(value) is kind:
        return value
    # str(member) of a (str, Enum) is 'Color.RED'; the str content itself is what was meant.
    return str.__str__(value) if kind is str else kind(value)


def _sorted(items: list[Any]) -> list[Any]:
    try:
        return sorted(items)
    except TypeError:
        # Items that do not compare (1 and 'a', two mappings) still get one stable order.
        return sorted(items, key=lambda item: (type(item).__name__, repr(item)))


def to_plain(value: Any, *, fallback: Callable[[Any], Any] | None = None) -> Any:
    """``value`` as a config file holds it: JSON's kinds of data, rich values converted.

    See this module's table for what each kind of value becomes; a secret becomes
    :data:`SECRET_MASK`. ``value`` itself is left unchanged.

    Args:
        value: A config tree (an ADict, a mapping, a pydantic model) or a single value.
        fallback: Called with each value there is no plain form for, its result used
            instead (a non-str mapping key becomes ``str(key)``); without it such a value
            raises.

    Returns:
        A copy made of dicts, lists, None, bool, int, float and str.

    Raises:
        ConfigError: Without ``fallback``, some value has no plain form; every such key
            is listed.
    """
    plain, problems = walk(value, fallback=fallback)
    if problems:
        raise ConfigError(problems=problems)
    return plain


def holds_secret(value: Any) -> bool:
    """Whether ``value`` is, or contains, a pydantic secret (which is only shown masked)."""
    kinds = _Kinds()
    if not kinds.secret:
        return False

    def has(node: Any) -> bool:
        if isinstance(node, kinds.secret):
            return True
        if kinds.model and isinstance(node, kinds.model):
            return any(has(getattr(node, name, None)) for name in type(node).model_fields)
        if isinstance(node, Mapping):
            return any(has(item) for item in node.values())
        if isinstance(node, (list, tuple, set, frozenset)):
            return any(has(item) for item in node)
        return False

    return has(value)
