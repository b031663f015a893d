"""Hypothesis strategies for config trees, and the helpers the property suites share.

A config tree is a ``dict`` with str keys whose values are leaves (None, bool, int, float,
str), lists (of leaves and of mappings, possibly empty) or further mappings (possibly
empty). Keys are deliberately awkward: empty, padded with whitespace, spelling numbers,
bools or None, carrying the markers of the ``.xyz`` format, naming ADict methods, or holding
newlines and control characters. Text never contains surrogate code points (category
``Cs``), since no UTF-8 file can hold them. NaN is generated; compare trees with
:func:`same`, which treats NaN as equal to itself and is strict about types.

Trees stay small (at most about 20 leaves, at most four containers deep) so that the whole
suite runs in seconds. The last section draws the rich values a schema field may hold
(paths, datetimes, Decimals, secrets) for the show-and-save round trip.
"""

from __future__ import annotations

import datetime
import decimal
import keyword
import math
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from pydantic import SecretStr

# Examples vary a lot in size (a tree may hold 20 long unicode strings), so a per-example
# deadline would only produce flaky failures.
settings.register_profile(
    "ato",
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("ato")

MAX_DEPTH = 4
MAX_LEAVES = 20

# Keys that have broken, or could break, one codec or the attribute mirror of ADict.
AWKWARD_KEYS: tuple[str, ...] = (
    "", " ", "  lead", "trail ", " both ", "a b",
    ":", "a: b", "a:", ")", "0)", "12)", "0) x", ".", "a.b", "..",
    '"', '"quoted"', 'a"b', "'", "#", "# comment", "=", "a = b", "[a]", "{}", "a[0]", "-", "~", "?",
    "é", "e\u0301", "漢", "漢字キー", "\u00a0", "\u3000",
    "\n", "line\nbreak", "\r", "\r\n", "\t", "\x00", "\x1f", "\x7f", "\x85", "\u2028", "\ufeff",
    "1", "-1", "007", "1.5", "1e3", "0x10", "1_000", "inf", "nan",
    "True", "true", "False", "yes", "None", "null",
    "items", "update", "keys", "values", "get", "pop", "copy", "freeze", "defrost",
    "to_dict", "clone", "frozen", "_frozen", "__dict__", "__class__",
    "key-postfix -> =", "index_prefix -> >", "[Empty Mapping]", "[Empty Sequence]",
    # Python names: a builtin the .py writer itself relies on, an identifier Python
    # NFKC-normalises, a plain identifier and the throwaway name.
    "float", "\ufb01", "lr", "_",
)
# Strings that other codecs read back as something else unless written with care.
AWKWARD_STRINGS: tuple[str, ...] = (
    *AWKWARD_KEYS,
    "1.0", "+1", "-.5", ".5", "Infinity", "-inf", "NaN", "0o17", "0b1", "1:20", "2024-01-01",
    "on", "off", "~", "[1, 2]", "{a: 1}", "&anchor", "*alias", "!tag", "%", "@", "`",
    "a\\b", "\\", "\\n", "'quoted'", "a #b", "- item", "---", "...",
)

TEXT_CHARS = st.characters(exclude_categories=("Cs",))
_text = st.text(TEXT_CHARS, max_size=8)
_identifiers = st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True).filter(
    lambda s: not keyword.iskeyword(s) and not s.startswith("__")
)

keys: st.SearchStrategy[str] = st.one_of(st.sampled_from(AWKWARD_KEYS), _text, _identifiers)
"""Any str key, awkward ones often."""

undotted_keys: st.SearchStrategy[str] = keys.filter(lambda k: "." not in k)
"""Keys without a dot, for the structural hash whose dotted paths would otherwise collide."""

small_key_pool: st.SearchStrategy[str] = st.sampled_from(
    ("a", "b", "c", "", "items", "1", "x y", "é")
)
"""Few keys, so that two independently drawn trees overlap and merges have work to do."""

texts: st.SearchStrategy[str] = st.one_of(st.sampled_from(AWKWARD_STRINGS), st.text(TEXT_CHARS, max_size=12))

# Leaf strategies by type name, so a test can ask for "the same type" or "another type".
SCALARS_BY_TYPE: dict[str, st.SearchStrategy[Any]] = {
    "NoneType": st.none(),
    "bool": st.booleans(),
    "int": st.integers(),  # unbounded: some fall outside TOML's int64
    "float": st.floats(allow_nan=True, allow_infinity=True),
    "str": texts,
}
scalars: st.SearchStrategy[Any] = st.one_of(*SCALARS_BY_TYPE.values())


def depth(value: Any) -> int:
    """How many containers deep ``value`` nests (a scalar is 0, ``{}`` and ``[]`` are 1)."""
    if isinstance(value, Mapping):
        return 1 + max((depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth(v) for v in value), default=0)
    return 0


def values(
    key_strategy: st.SearchStrategy[str] = keys, max_leaves: int = MAX_LEAVES
) -> st.SearchStrategy[Any]:
    """Any config value: a scalar, or a list or mapping of values (possibly empty)."""
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=3),
            st.dictionaries(key_strategy, children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def non_mappings(key_strategy: st.SearchStrategy[str] = keys) -> st.SearchStrategy[Any]:
    """A value that is not a mapping: a scalar or a list (which may hold mappings)."""
    return st.one_of(scalars, st.lists(values(key_strategy, max_leaves=6), max_size=3))


def config_trees(
    key_strategy: st.SearchStrategy[str] = keys,
    top_keys: st.SearchStrategy[str] | None = None,
    max_leaves: int = MAX_LEAVES,
) -> st.SearchStrategy[dict[str, Any]]:
    """A top-level mapping of values, at most MAX_DEPTH containers deep in all."""
    return st.dictionaries(
        top_keys if top_keys is not None else key_strategy,
        values(key_strategy, max_leaves=max_leaves),
        max_size=5,
    ).filter(lambda tree: depth(tree) <= MAX_DEPTH)


py_top_keys: st.SearchStrategy[str] = st.one_of(
    _identifiers,
    st.sampled_from(("lr", "items", "float", "\ufb01", "é", "_", "x1")),
    st.sampled_from(("", "1", "a b", "class", "None", "__x", "__dict__", "é-", "a.b")),
)
"""Top-level keys for .py files: mostly identifiers, sometimes names Python cannot bind."""


def py_key_problem(key: str) -> bool:
    """Whether a .py config cannot bind ``key`` as a top-level name (what dump must reject).

    Python NFKC-normalises identifiers as it compiles, so ``\ufb01 = 1`` binds ``fi``: a
    key that normalisation changes cannot come back under its own name.
    """
    return (
        not key.isidentifier()
        or keyword.iskeyword(key)
        or key.startswith("__")
        or unicodedata.normalize("NFKC", key) != key
    )


# ------------------------------------------------------------------ shapes for merging
class Leaf:
    """Marks a path of a shape that holds a non-mapping value in every tree that has it."""

    def __repr__(self) -> str:
        return "LEAF"


LEAF = Leaf()

shapes: st.SearchStrategy[dict[str, Any]] = st.dictionaries(
    small_key_pool,
    st.recursive(
        st.just(LEAF),
        lambda children: st.dictionaries(small_key_pool, children, max_size=3),
        max_leaves=10,
    ),
    min_size=1,
    max_size=4,
).filter(lambda shape: depth(shape) <= MAX_DEPTH)
"""Which paths are mappings and which are leaves; trees derived from one shape agree on it."""


# Keep a key three times in four (shrinking towards keeping it), so the trees overlap a lot.
_include = st.sampled_from((True, True, True, False))


@st.composite
def tree_of_shape(draw: st.DrawFn, shape: Mapping[str, Any]) -> dict[str, Any]:
    """A tree holding a random subset of ``shape``'s keys, with random leaf values."""
    out: dict[str, Any] = {}
    for key, sub in shape.items():
        if not draw(_include):
            continue
        if isinstance(sub, Mapping):
            out[key] = draw(tree_of_shape(sub))
        else:
            out[key] = draw(non_mappings(small_key_pool))
    return out


@st.composite
def shape_compatible_triples(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Three trees that, at every path, all hold a mapping or all hold a non-mapping."""
    shape = draw(shapes)
    return draw(tree_of_shape(shape)), draw(tree_of_shape(shape)), draw(tree_of_shape(shape))


# ------------------------------------------------------------------ comparing and walking
def same(a: Any, b: Any, *, ordered: bool = False) -> bool:
    """Deep equality that is strict about types, treats NaN as NaN and tells -0.0 from 0.0.

    Any two mappings compare by items (an ADict equals a dict); ``ordered`` also requires
    the same key order at every level.
    """
    if isinstance(a, Mapping) or isinstance(b, Mapping):
        if not (isinstance(a, Mapping) and isinstance(b, Mapping)) or a.keys() != b.keys():
            return False
        if ordered and list(a) != list(b):
            return False
        return all(same(a[k], b[k], ordered=ordered) for k in a)
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y, ordered=ordered) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


def walk(value: Any) -> Iterator[Any]:
    """Every value in the tree, containers included, depth first."""
    yield value
    if isinstance(value, Mapping):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from walk(item)


def leaves(tree: Mapping[str, Any], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """``(path, value)`` for every non-mapping value and every empty mapping."""
    for key, value in tree.items():
        path = (*prefix, key)
        if isinstance(value, Mapping) and value:
            yield from leaves(value, path)
        else:
            yield path, value


def leaf_paths(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """``(dotted path, value)`` per value that is not a mapping, dotted as ato 2.x dotted it.

    2.x joined a key to its parent's path with a dot unless that path was the empty
    string, so a key ``""`` at the top does not show up in its children's paths. The
    structural hash and the error messages of the codecs keep that rule.
    """
    for key, value in tree.items():
        path = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            yield from leaf_paths(value, path)
        else:
            yield path, value


def problem_paths(value: Any, is_problem: Callable[[Any], bool], path: str = "") -> set[str]:
    """Paths (``a.b``, ``a[0]``) of the values for which ``is_problem`` holds, as errors name them."""
    found: set[str] = set()
    if isinstance(value, Mapping):
        for key, item in value.items():
            found |= problem_paths(item, is_problem, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found |= problem_paths(item, is_problem, f"{path}[{i}]")
    elif is_problem(value):
        found.add(path)
    return found


def toml_problem(value: Any) -> bool:
    """Whether TOML cannot hold a leaf: None, or an int outside the signed 64-bit range."""
    if value is None:
        return True
    return type(value) is int and not -(2**63) <= value <= 2**63 - 1


# --------------------------------------------------------------------------- rich values
# What a schema field may hold beyond JSON's kinds, for the show-and-save round trip.
# Values are kept to what pydantic reads back as an equal value: finite Decimals (NaN is
# never equal to itself), whole-minute UTC offsets (ISO 8601 text and pydantic's parser
# agree on them), TOML-sized ints.

toml_ints: st.SearchStrategy[int] = st.integers(min_value=-(2**63), max_value=2**63 - 1)
"""Ints every format holds (TOML's are 64-bit)."""

finite_floats: st.SearchStrategy[float] = st.floats(allow_nan=False)
"""Floats equal to themselves, infinities included."""

paths: st.SearchStrategy[Path] = st.builds(Path, texts)
"""A path from awkward text: empty (``.``), dotted, with spaces, quotes or newlines."""

_offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
datetimes: st.SearchStrategy[datetime.datetime] = st.datetimes(timezones=st.none() | _offsets)
"""Naive or aware datetimes, microseconds included."""

decimals: st.SearchStrategy[decimal.Decimal] = st.decimals(allow_nan=False, allow_infinity=False)
"""Finite Decimals of any precision and exponent, trailing zeros kept ('1.10')."""

secrets: st.SearchStrategy[SecretStr] = st.builds(SecretStr, texts)
"""A secret of any text, the empty one included."""


# ------------------------------------------------------------------ views
class ViewSpec(NamedTuple):
    """One view to register on a Scope: its ``observe`` options, and whether it holds a lazy block."""

    name: str
    priority: int
    lazy: bool
    default: bool
    chain_with: tuple[str, ...]
    lazy_block: bool


@st.composite
def view_sets(draw: st.DrawFn, *, max_views: int = 7) -> list[ViewSpec]:
    """0-7 views named v0, v1, ... with random options, in a random registration order.

    Priorities are few (-2..2) so that ties are common. A view chains only to views with a
    smaller number, so that ``chain_with`` never loops; with the random registration order
    a prerequisite is as often registered after its dependent as before it.
    """
    specs = []
    for i in range(draw(st.integers(0, max_views))):
        earlier = [f"v{j}" for j in range(i)]
        chain = draw(st.lists(st.sampled_from(earlier), unique=True, max_size=2)) if earlier else []
        specs.append(ViewSpec(
            f"v{i}", draw(st.integers(-2, 2)), draw(st.booleans()), draw(st.booleans()), tuple(chain),
            draw(st.booleans()),
        ))
    return list(draw(st.permutations(specs)))
