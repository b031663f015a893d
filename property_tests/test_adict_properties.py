"""ADict invariants: deep merge, update_if_absent, the structural hash, conversion and copying."""

from __future__ import annotations

import copy
import hashlib
import inspect
import pickle
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from ato import ADict, ConfigError
from property_tests.strategies import (
    SCALARS_BY_TYPE,
    config_trees,
    leaf_paths,
    leaves,
    same,
    shape_compatible_triples,
    small_key_pool,
    undotted_keys,
    values,
    walk,
)

# Trees over a handful of keys, so that two drawn independently share paths.
overlapping_trees = config_trees(small_key_pool, max_leaves=12)


def merge(x: Mapping[str, Any], y: Mapping[str, Any]) -> ADict:
    """``x`` deep-merged with ``y`` (``y`` wins), leaving both arguments untouched."""
    return ADict(copy.deepcopy(x)).clone().update(copy.deepcopy(y), recurrent=True)


def reference_merge(x: dict[str, Any], y: dict[str, Any]) -> dict[str, Any]:
    """The documented semantics on plain dicts: mapping into mapping merges, anything else replaces."""
    out = copy.deepcopy(x)
    for key, value in y.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = reference_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def reference_update_if_absent(x: dict[str, Any], y: dict[str, Any]) -> dict[str, Any]:
    """Plain-dict model of update_if_absent: add what is missing, recurse where both are mappings."""
    out = copy.deepcopy(x)
    for key, value in y.items():
        if key not in out:
            out[key] = copy.deepcopy(value)
        elif isinstance(out[key], dict) and isinstance(value, dict):
            out[key] = reference_update_if_absent(out[key], value)
    return out


def _lookup(tree: Mapping[str, Any], path: tuple[str, ...]) -> tuple[str, Any]:
    """``('present', value)``, ``('absent', None)``, or ``('blocked', None)`` past a non-mapping."""
    node: Any = tree
    for i, key in enumerate(path):
        if not isinstance(node, Mapping):
            return "blocked", None
        if key not in node:
            return "absent", None
        node = node[key]
        if i < len(path) - 1 and not isinstance(node, Mapping):
            return "blocked", None
    return "present", node


def _scribble(tree: Any) -> None:
    """Write to every container of ``tree``: a new key in each mapping, a new item in each list."""
    seen: set[int] = set()
    for node in list(walk(tree)):
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ADict):
            node["\x00scribbled"] = 1
        elif isinstance(node, list):
            node.append("scribbled")


# ------------------------------------------------------------------ recurrent update
@given(triple=shape_compatible_triples())
def test_recurrent_update_is_associative_on_shape_compatible_trees(
    triple: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
) -> None:
    """merge(merge(a, b), c) == merge(a, merge(b, c)) when no path mixes mappings and leaves."""
    a, b, c = triple
    left = merge(merge(a, b), c)
    right = merge(a, merge(b, c))
    assert same(left, right, ordered=True)


@given(a=overlapping_trees, b=overlapping_trees)
def test_recurrent_update_matches_reference_semantics(a: dict[str, Any], b: dict[str, Any]) -> None:
    """For any two trees, update(recurrent=True) equals the reference merge, key order included."""
    result = merge(a, b)
    assert same(result, reference_merge(a, b), ordered=True)
    assert all(type(node) is ADict for node in walk(result) if isinstance(node, Mapping))


def test_recurrent_update_is_not_associative_in_general() -> None:
    """A later scalar replaces a mapping but a later mapping merges into one, so grouping matters.

    At path ``x``: a holds a mapping, b a scalar, c a mapping. Left to right, b wipes a's
    mapping and c starts afresh; grouping b with c first lets c's mapping replace b's scalar,
    which then merges into a's mapping and keeps a's keys.
    """
    a, b, c = {"x": {"p": 1}}, {"x": 0}, {"x": {"q": 2}}
    left = merge(merge(a, b), c)
    right = merge(a, merge(b, c))
    assert left.to_dict() == {"x": {"q": 2}}
    assert right.to_dict() == {"x": {"p": 1, "q": 2}}
    assert left != right


@pytest.mark.parametrize("as_adict", [False, True], ids=["plain", "adict"])
@given(a=overlapping_trees, b=overlapping_trees)
def test_merging_never_mutates_or_shares_with_the_source(
    as_adict: bool, a: dict[str, Any], b: dict[str, Any]
) -> None:
    """update(recurrent=True) and update_if_absent copy containers: writes to the result never reach b."""
    source = ADict(copy.deepcopy(b)) if as_adict else copy.deepcopy(b)
    snapshot = copy.deepcopy(b)
    merged = ADict(copy.deepcopy(a)).update(source, recurrent=True)
    filled = ADict(copy.deepcopy(a)).update_if_absent(source)
    assert same(source, snapshot, ordered=True)
    _scribble(merged)
    _scribble(filled)
    assert same(source, snapshot, ordered=True)


# ------------------------------------------------------------------ update_if_absent
@given(a=overlapping_trees, b=overlapping_trees)
def test_update_if_absent_never_overwrites(a: dict[str, Any], b: dict[str, Any]) -> None:
    """Leaves of a survive update_if_absent(b); paths of b that a lacks (and does not block) arrive."""
    result = ADict(copy.deepcopy(a)).update_if_absent(copy.deepcopy(b))
    for path, value in leaves(a):
        status, now = _lookup(result, path)
        assert status == "present"
        if isinstance(value, Mapping):  # an empty mapping of a may have been filled from b
            assert isinstance(now, Mapping)
        else:
            assert same(now, value)
    for path, value in leaves(b):
        if _lookup(a, path)[0] == "absent":
            status, now = _lookup(result, path)
            assert status == "present"
            assert same(now, value)
    assert same(result, reference_update_if_absent(a, b), ordered=True)


# ------------------------------------------------------------------ structural hash
hash_trees = config_trees(undotted_keys)


def _paths_are_unique(tree: Mapping[str, Any]) -> bool:
    """Whether no two leaves share a dotted path (an empty top key hides in its children's paths)."""
    paths = [path for path, _ in leaf_paths(tree)]
    return len(paths) == len(set(paths))


@st.composite
def _same_structure(draw: st.DrawFn, tree: Mapping[str, Any]) -> dict[str, Any]:
    """``tree`` with its keys shuffled at every level and each leaf redrawn with the same type."""
    out: dict[str, Any] = {}
    for key in draw(st.permutations(list(tree))):
        value = tree[key]
        if isinstance(value, Mapping):
            out[key] = draw(_same_structure(value))
        elif isinstance(value, list):
            out[key] = draw(st.lists(values(max_leaves=6), max_size=3))
        else:
            out[key] = draw(SCALARS_BY_TYPE[type(value).__name__])
    return out


@given(tree=hash_trees, data=st.data())
def test_structural_hash_ignores_values_and_key_order(tree: dict[str, Any], data: st.DataObject) -> None:
    """Shuffling keys at every level and changing leaf values (not types) keeps the hash."""
    assume(_paths_are_unique(tree))
    other = data.draw(_same_structure(tree))
    assert ADict(other).get_structural_hash() == ADict(tree).get_structural_hash()


_LEAF_TYPES = (*SCALARS_BY_TYPE, "list")


@given(tree=hash_trees, data=st.data())
def test_structural_hash_changes_with_a_leaf_type(tree: dict[str, Any], data: st.DataObject) -> None:
    """Giving one leaf a value of another type (bool and int count as different) changes the hash."""
    assume(_paths_are_unique(tree))
    paths = [path for path, value in leaves(tree) if not isinstance(value, Mapping)]
    assume(paths)
    path = data.draw(st.sampled_from(paths))
    old_type = type(_lookup(tree, path)[1]).__name__
    new_type = data.draw(st.sampled_from([t for t in _LEAF_TYPES if t != old_type]))
    strategy = st.lists(st.integers(), max_size=2) if new_type == "list" else SCALARS_BY_TYPE[new_type]
    changed = copy.deepcopy(tree)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = data.draw(strategy)
    assert ADict(changed).get_structural_hash() != ADict(tree).get_structural_hash()


def _reference_hash(tree: Mapping[str, Any]) -> str:
    """The published recipe, written independently: 2.x's dotted paths, last duplicate wins."""
    table = dict(leaf_paths(tree))
    text = "".join(f"[{path}:{type(table[path]).__name__}]" for path in sorted(table))
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@given(tree=config_trees())
def test_structural_hash_matches_reference_formula(tree: dict[str, Any]) -> None:
    """The hash is sha1 of the sorted '[path:typename]' pieces, for any tree (dotted keys too)."""
    assert ADict(tree).get_structural_hash() == _reference_hash(tree)


# ------------------------------------------------------------------ conversion & copies
def _assert_all_adicts(tree: Any) -> None:
    for node in walk(tree):
        if isinstance(node, Mapping):
            assert type(node) is ADict
        elif isinstance(node, list | tuple):
            assert type(node) is list


@given(tree=config_trees())
def test_nested_mappings_become_adicts_and_to_dict_gives_plain_dicts(tree: dict[str, Any]) -> None:
    """Every mapping, also inside lists, becomes an ADict; to_dict() gives plain dicts equal to the input."""
    cfg = ADict(tree)
    _assert_all_adicts(cfg)
    assert same(cfg, tree, ordered=True)
    plain = cfg.to_dict()
    assert type(plain) is dict
    for node in walk(plain):
        assert not isinstance(node, ADict)
        assert not isinstance(node, Mapping) or type(node) is dict
    assert same(plain, tree, ordered=True)


@given(tree=config_trees(), frozen=st.booleans())
def test_pickle_and_deepcopy_round_trip(tree: dict[str, Any], frozen: bool) -> None:
    """pickle and deepcopy give an equal tree of ADicts, and the frozen state survives both."""
    cfg = ADict(tree)
    if frozen:
        cfg.freeze()
    for twin in (pickle.loads(pickle.dumps(cfg)), copy.deepcopy(cfg), cfg.clone()):
        assert twin is not cfg
        _assert_all_adicts(twin)
        assert same(twin, tree, ordered=True)
        nodes = [node for node in walk(twin) if isinstance(node, ADict)]
        assert all(node.frozen is frozen for node in nodes)
        if frozen:
            with pytest.raises(ConfigError):
                twin["\x00new"] = 1
            twin.defrost()
        twin["\x00new"] = 1  # a defrosted or never-frozen copy takes writes
        assert "\x00new" not in cfg


_RESERVED = frozenset(dir(ADict))


@given(tree=config_trees())
def test_keys_named_like_methods_stay_items_and_methods_still_work(tree: dict[str, Any]) -> None:
    """Every key is reachable by item access, other keys also as attributes, and methods keep working."""
    cfg = pickle.loads(pickle.dumps(ADict(tree)))  # the attribute mirror must survive pickling too
    for node in walk(cfg):
        if not isinstance(node, ADict):
            continue
        raw = list(dict.items(node))
        for key, value in raw:
            assert node[key] is value
            assert node.get(key) is value
            assert key in node
            if key in _RESERVED:  # attribute lookup still finds the class's method or property
                assert inspect.getattr_static(node, key) is inspect.getattr_static(ADict, key)
            else:
                assert getattr(node, key) is value
        assert [(k, v) for k, v in node.items()] == raw
        assert list(node.keys()) == [k for k, _ in raw]
        assert same(node.to_dict(), dict(raw), ordered=True)
        assert same(node.copy(), node, ordered=True)
        assert node.update({}) is node
        assert node.pop("\x00absent", None) is None
        assert isinstance(node.get_structural_hash(), str)
        assert node.freeze() is node and node.frozen
        node.defrost()
