"""Every codec round-trips every tree it can represent and rejects, by key, what it cannot.

``dumps``/``loads`` are checked per text format; real files (written atomically by
``ADict.dump`` and read by ``ADict.from_file``) are checked once for every extension,
since reading a file is not the same as reading a string (BOM handling, encoding) and the
``.py`` codec only reads files. Temporary directories are made per example: pytest's
function-scoped fixtures are not reset between Hypothesis examples.
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from ato import ADict, ConfigError
from ato.formats import dumps, loads
from property_tests.strategies import (
    config_trees,
    keys,
    problem_paths,
    py_key_problem,
    py_top_keys,
    same,
    toml_problem,
    values,
)

FILE_EXTENSIONS = (".json", ".yaml", ".yml", ".toml", ".xyz", ".py")


def _expected_problems(tree: dict[str, Any], fmt: str) -> set[str]:
    """The key paths a format must name when asked to write ``tree`` (empty: representable)."""
    if fmt == "toml":
        return problem_paths(tree, toml_problem)
    if fmt == "py":
        return {key for key in tree if py_key_problem(key)}
    return set()


def _assert_names(err: ConfigError, expected: set[str]) -> None:
    """The error lists exactly the offending key paths, and its message shows each."""
    assert {p.key for p in err.problems} == expected, str(err)
    message = str(err)
    for path in expected:
        assert path in message


@pytest.mark.parametrize("fmt", ["json", "yaml", "toml", "xyz"])
@given(tree=config_trees())
def test_dumps_loads_round_trip(fmt: str, tree: dict[str, Any]) -> None:
    """dumps then loads gives the tree back, or dumps raises ConfigError naming each bad key."""
    expected = _expected_problems(tree, fmt)
    if expected:
        with pytest.raises(ConfigError) as err:
            dumps(tree, fmt)
        _assert_names(err.value, expected)
        return
    text = dumps(tree, fmt)
    back = loads(text, fmt)
    assert same(back, tree), text


_TOML_UNREPRESENTABLE = st.one_of(
    st.none(), st.integers(min_value=2**63), st.integers(max_value=-(2**63) - 1)
)


@given(
    tree=config_trees(),
    bad=_TOML_UNREPRESENTABLE,
    top=keys,
    steps=st.lists(st.one_of(keys, st.just(0)), max_size=3),
)
def test_toml_rejects_none_and_big_ints_by_key_path(
    tree: dict[str, Any], bad: Any, top: str, steps: list[str | int]
) -> None:
    """A None or a non-int64 int anywhere makes TOML dumps raise ConfigError naming its path."""
    # Plant the bad value under `top` along `steps`: a str enters a mapping, 0 a one-item list.
    planted: Any = bad
    for step in reversed(steps):
        planted = {step: planted} if isinstance(step, str) else [planted]
    tree = {**tree, top: planted}
    expected = problem_paths(tree, toml_problem)
    assert expected
    with pytest.raises(ConfigError) as err:
        dumps(tree, "toml")
    _assert_names(err.value, expected)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cfg.toml")
        with pytest.raises(ConfigError):
            ADict(tree).dump(path)
        assert os.listdir(tmp) == []  # nothing written, not even a temporary file


# Top-level keys that Python folds under NFKC ("\ufb01" -> "fi") must be refused by name;
# the explicit example guards NaN/inf next to a key named `float`.
@example(tree={"float": 0, "x": math.nan, "y": -math.inf})
@given(tree=config_trees(top_keys=py_top_keys))
def test_py_round_trips_through_a_file(tree: dict[str, Any]) -> None:
    """A .py file holds any tree whose top-level keys Python can bind; others raise ConfigError."""
    expected = _expected_problems(tree, "py")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cfg.py")
        if expected:
            with pytest.raises(ConfigError) as err:
                ADict(tree).dump(path)
            _assert_names(err.value, expected)
            assert os.listdir(tmp) == []
            return
        ADict(tree).dump(path)
        back = ADict.from_file(path)
    assert same(back, tree)


@given(tree=config_trees(top_keys=st.one_of(py_top_keys, keys)))
def test_every_format_round_trips_through_a_file(tree: dict[str, Any]) -> None:
    """ADict.dump then ADict.from_file gives the tree back for every extension, or ConfigError."""
    with tempfile.TemporaryDirectory() as tmp:
        for ext in FILE_EXTENSIONS:
            path = os.path.join(tmp, "cfg" + ext)
            expected = _expected_problems(tree, ext.lstrip(".").replace("yml", "yaml"))
            if expected:
                with pytest.raises(ConfigError) as err:
                    ADict(tree).dump(path)
                _assert_names(err.value, expected)
                assert not os.path.exists(path)
                continue
            ADict(tree).dump(path)
            back = ADict.from_file(path)
            assert isinstance(back, ADict)
            assert same(back, tree), (ext, Path(path).read_text(encoding="utf-8"))


@pytest.mark.parametrize("fmt", ["json", "yaml", "xyz"])
@given(value=values())
def test_single_values_round_trip(fmt: str, value: Any) -> None:
    """Any single value under one key round-trips (small trees hit leaf edge cases faster)."""
    tree = {"k": value}
    assert same(loads(dumps(tree, fmt), fmt), tree)


# The smallest trees Hypothesis found that once broke a file round trip, kept as regressions.
@pytest.mark.parametrize(
    ("tree", "ext"),
    [
        pytest.param({"\ufb01": None}, ".py", id="py-key-not-nfkc-normalised"),
        pytest.param({"e\u0301": None}, ".py", id="py-key-decomposed-accent"),
        pytest.param({"\ufeffa": 1}, ".xyz", id="xyz-leading-bom-in-first-key"),
    ],
)
def test_minimal_counterexamples_round_trip_through_a_file(tree: dict[str, Any], ext: str) -> None:
    """Trees that once broke a file round trip: a non-NFKC .py key, a leading U+FEFF in .xyz."""
    expected = _expected_problems(tree, ext.lstrip("."))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "cfg" + ext)
        if expected:
            with pytest.raises(ConfigError) as err:
                ADict(tree).dump(path)
            _assert_names(err.value, expected)
            return
        ADict(tree).dump(path)
        back = ADict.from_file(path)
    assert same(back, tree)
