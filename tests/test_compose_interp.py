"""ato.compose._interp: OmegaConf-style `${...}` interpolations on a plain tree."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from ato import ADict
from ato.compose._interp import missing_keys, resolve
from ato.errors import ConfigError


def resolved(tree: dict[str, Any]) -> dict[str, Any]:
    resolve(tree)
    return tree


def test_whole_value_keeps_the_referenced_type() -> None:
    """`${a}` alone takes the value itself: int, mapping (copied) or list."""
    tree = resolved({"n": 3, "d": {"k": [1]}, "l": [1, 2], "a": "${n}", "b": "${d}", "c": "${l}"})
    assert tree["a"] == 3
    assert tree["b"] == {"k": [1]}
    assert tree["c"] == [1, 2]
    tree["b"]["k"].append(2)
    assert tree["d"] == {"k": [1]}


def test_inside_text_values_are_written_with_str() -> None:
    """`run_${x}` writes each value with str(), as OmegaConf does."""
    tree = resolved({"f": 1.5, "t": True, "z": None, "s": "run_${f}_${t}_${z}", "p": " ${f}"})
    assert tree["s"] == "run_1.5_True_None"
    assert tree["p"] == " 1.5"


def test_relative_and_indexed_references() -> None:
    """`${.x}` is a sibling, each further dot one level up; `a.0` and `a[0]` index lists."""
    tree = resolved({
        "top": 9,
        "a": {"x": 1, "sib": "${.x}", "up": "${..top}", "b": {"upup": "${...top}"}},
        "l": [{"v": 5}, "w"], "i": "${l.0.v}", "j": "${l[1]}", "k": ["${.1}", "z"],
    })
    assert tree["a"] == {"x": 1, "sib": 1, "up": 9, "b": {"upup": 9}}
    assert (tree["i"], tree["j"], tree["k"]) == (5, "w", ["z", "z"])


def test_nested_interpolation_in_a_key() -> None:
    """`${models.${pick}}` first resolves the inner reference."""
    tree = resolved({"pick": "big", "models": {"big": 100}, "size": "${models.${pick}}"})
    assert tree["size"] == 100


def test_chains_resolve_whatever_their_order() -> None:
    """A reference to a value that is itself a reference gets the final value."""
    tree = resolved({"a": "${b}", "b": "${c.d}", "c": {"d": "${e}"}, "e": [1]})
    assert tree == {"a": [1], "b": [1], "c": {"d": [1]}, "e": [1]}


def test_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """`${oc.env:VAR}` and its defaults: as a string, null as None, quoted with commas."""
    monkeypatch.setenv("ATO_TEST_HOME", "/home/me")
    monkeypatch.delenv("ATO_TEST_UNSET", raising=False)
    tree = resolved({
        "home": "${oc.env:ATO_TEST_HOME}",
        "data": "${oc.env:ATO_TEST_HOME}/data",
        "n": "${oc.env:ATO_TEST_UNSET,8}",
        "f": "${oc.env:ATO_TEST_UNSET,1e3}",
        "none": "${oc.env:ATO_TEST_UNSET,null}",
        "quoted": "${oc.env:ATO_TEST_UNSET,'a,b'}",
        "spaced": "${oc.env:ATO_TEST_UNSET, abc }",
    })
    assert tree == {"home": "/home/me", "data": "/home/me/data", "n": "8", "f": "1000.0",
                    "none": None, "quoted": "a,b", "spaced": "abc"}


def test_select_with_default() -> None:
    """`${oc.select:key,default}` falls back when the key is absent."""
    tree = resolved({"a": 1, "x": "${oc.select:a,5}", "y": "${oc.select:b.c,5}", "z": "${oc.select:b}"})
    assert (tree["x"], tree["y"], tree["z"]) == (1, 5, None)


def test_escaped_interpolation_is_literal() -> None:
    """`\\${x}` is the text `${x}`; a backslash elsewhere stays."""
    tree = resolved({"x": 1, "a": "\\${x}", "b": "C:\\dir", "c": "\\\\${x}"})
    assert tree == {"x": 1, "a": "${x}", "b": "C:\\dir", "c": "\\1"}


def test_cycles_name_the_key_and_reference() -> None:
    """A cycle is a ConfigError for each key in it, naming the reference."""
    with pytest.raises(ConfigError) as info:
        resolve({"a": "${b}", "b": "${a}", "ok": 1})
    keys = [p.key for p in info.value.problems]
    assert keys == ["a", "b"]
    assert "circular" in str(info.value)
    assert "'${b}'" in str(info.value)


def test_reference_to_a_parent_is_a_cycle() -> None:
    """A value that refers to the mapping holding it is circular."""
    with pytest.raises(ConfigError, match="circular"):
        resolve({"a": {"b": "${a}"}})


def test_every_unresolvable_reference_is_reported_at_once() -> None:
    """Missing keys, `???` targets, unset variables and unknown resolvers in one error."""
    tree = {"a": "${nope.x}", "m": "???", "b": "${m}", "c": "${oc.env:ATO_TEST_UNSET}",
            "d": "${now:%Y}", "e": "${unclosed", "f": "${}"}
    with pytest.raises(ConfigError) as info:
        resolve(tree)
    problems = {p.key: p.render() for p in info.value.problems}
    assert set(problems) == {"a", "b", "c", "d", "e", "f"}
    assert "${nope.x}" in problems["a"]
    assert "no such key" in problems["a"]
    assert "???" in problems["b"]
    assert "ATO_TEST_UNSET" in problems["c"]
    assert "'now' is not supported" in problems["d"]
    assert "malformed" in problems["e"]


def test_no_code_is_evaluated() -> None:
    """Text that looks like Python is only ever a key name."""
    with pytest.raises(ConfigError, match="no such key"):
        resolve({"a": "${__import__('os').system('true')}"})


def test_resolve_writes_through_an_adict() -> None:
    """Resolving an ADict in place updates attribute access too."""
    cfg = ADict({"model": {"name": "vit"}, "run": "run_${model.name}", "m": "${model}"})
    resolve(cfg)
    assert cfg.run == "run_vit"
    assert cfg.m.name == "vit"


def test_strings_without_interpolation_are_untouched() -> None:
    """Values with no `${` are left exactly as they were, including `???`."""
    tree = {"a": "$x", "b": "{y}", "c": "???", "d": [1, "${"[:1]]}
    before = copy.deepcopy(tree)
    assert resolved(tree) == before


def test_missing_keys_paths() -> None:
    """missing_keys lists `???` values by dotted path, list items in brackets."""
    tree = {"a": "???", "b": {"c": ["x", "???"], "d": {"e": "???"}}, "f": "ok"}
    assert missing_keys(tree) == ["a", "b.c[1]", "b.d.e"]


CASES: list[dict[str, Any]] = [
    {"a": 1, "b": "${a}", "c": "x${a}y"},
    {"a": {"b": 1.5, "c": "${.b}", "d": "${..e}"}, "e": "E"},
    {"l": [1, {"x": 2}], "r": "${l.1.x}", "r2": "${l[0]}", "r3": "${l}"},
    {"k": "b", "a": {"b": 7}, "r": "${a.${k}}"},
    {"x": 1, "esc": "\\${x}", "esc2": "a\\\\${x}", "bs": "C:\\foo", "bs2": "a\\b${x}"},
    {"x": True, "n": None, "s": "${x}-${n}", "d": {"k": 1}, "t": "v${d}"},
    {"s": {"x": "${oc.select:t.y,5}", "y": "${oc.select:z}"}, "z": 3},
    {"e": "${oc.env:ATO_TEST_UNSET,2}", "f": "${oc.env:ATO_TEST_UNSET,true}"},
]


@pytest.mark.parametrize("tree", CASES)
def test_same_as_omegaconf(tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    """Where OmegaConf is installed, resolve() gives what OmegaConf.to_container(resolve=True) gives."""
    omegaconf = pytest.importorskip("omegaconf", reason="omegaconf is not installed")
    monkeypatch.delenv("ATO_TEST_UNSET", raising=False)
    expected = omegaconf.OmegaConf.to_container(omegaconf.OmegaConf.create(tree), resolve=True)
    assert resolved(copy.deepcopy(tree)) == expected
