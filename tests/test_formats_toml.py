"""ato.formats._toml: TOML written by tomli-w round-trips through tomllib; None and big ints are refused."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest

from ato import ADict, ConfigError
from ato.formats import dumps, loads
from ato.formats._toml import MAX_DEPTH

TRICKY_STRINGS = [
    "back\\slash",
    "C:\\new\\table",
    'double "quotes"',
    "single 'quotes'",
    "triple \"\"\" and '''",
    "tab\there",
    "new\nline",
    "carriage\rreturn",
    "nul\x00bell\x07esc\x1bunit\x1f",
    "del\x7f",
    "unicode é 模型 🎉",
    "",
    "   ",
    "\\u0041 is not A",
    "# not a comment",
    "[not.a.table]",
]

TREE: dict[str, Any] = {
    "plain_key": 1,
    "a b": 2,
    "dotted.key": 3,
    "": "empty key",
    "1": "numeric key",
    "true": "boolean-looking key",
    "é": "non-ascii key",
    'quote"key': "q",
    "back\\key": "b",
    "strings": TRICKY_STRINGS,
    "numbers": {"int": -42, "float": 0.1, "exp": 1e-30, "big": 2**63 - 1, "small": -(2**63)},
    "bools": [True, False],
    "nested": {"level1": {"level2": {"level3": {"x": 1}}, "y": 2}, "z": 3},
    "empty_table": {},
    "deep_empty": {"inner": {}},
    "lot": [{"name": "a", "w": 1}, {"name": "b", "sub": {"c": [{"d": {}}]}}],
    "lolot": [[{"a": 1}, {"b": 2}], [], [{}]],
    "mixed": [1, "two", 3.0, True, [4, "five"], {"six": 6}],
    "empty_list": [],
    "floats": [math.inf, -math.inf, 1.5],
}


def _assert_same(loaded: Any, expected: Any) -> None:
    """Compare trees where nan == nan."""
    if isinstance(expected, dict):
        assert isinstance(loaded, dict)
        assert set(loaded) == set(expected)
        for key in expected:
            _assert_same(loaded[key], expected[key])
    elif isinstance(expected, list):
        assert isinstance(loaded, list)
        assert len(loaded) == len(expected)
        for got, want in zip(loaded, expected, strict=True):
            _assert_same(got, want)
    elif isinstance(expected, float) and math.isnan(expected):
        assert isinstance(loaded, float)
        assert math.isnan(loaded)
    else:
        assert type(loaded) is type(expected)
        assert loaded == expected


class TestRoundTrip:
    """The writer produces TOML that tomllib reads back to the same tree."""

    def test_representative_tree(self, tmp_path: Path) -> None:
        """Quoted keys, escaped strings, tables, arrays of tables and specials round-trip."""
        path = tmp_path / "cfg.toml"
        ADict(TREE).dump(path)
        _assert_same(ADict.from_file(path).to_dict(), TREE)
        # The file is real TOML, readable by the standard library without ato.
        with path.open("rb") as handle:
            _assert_same(tomllib.load(handle), TREE)

    @pytest.mark.parametrize("text", TRICKY_STRINGS)
    def test_each_tricky_string_as_value_and_key(self, tmp_path: Path, text: str) -> None:
        """Each awkward string survives both as a value and as a key."""
        path = tmp_path / "s.toml"
        ADict(v=text, t={text: text}).dump(path)
        loaded = ADict.from_file(path)
        assert loaded.v == text
        assert loaded.t == {text: text}

    def test_nan(self, tmp_path: Path) -> None:
        """nan (top level and in a list) is written as `nan` and reads back as nan."""
        path = tmp_path / "n.toml"
        ADict(n=math.nan, xs=[math.nan, 1.0]).dump(path)
        assert "n = nan" in path.read_text(encoding="utf-8")
        loaded = ADict.from_file(path)
        assert math.isnan(loaded.n)
        assert math.isnan(loaded.xs[0])

    def test_layout_of_small_tree(self) -> None:
        """Scalars come first, then one [table] per mapping (empty ones too), in tree order.

        The exact spacing is tomli-w's, so it is not pinned here.
        """
        tree = {
            "b": {"x": 1, "c": {"y": "z"}},
            "a": 1,
            "e": {},
            "lot": [{"k": "v"}],
            "k ey": True,
        }
        text = dumps(tree, "toml")
        assert tomllib.loads(text) == tree
        lines = text.splitlines()
        headers = [line for line in lines if line.startswith("[")]
        assert headers == ["[b]", "[b.c]", "[e]"]
        before_tables = lines[: lines.index("[b]")]
        assert before_tables[0] == "a = 1"
        assert '"k ey" = true' in before_tables
        assert any(line.startswith("lot = [") for line in before_tables)

    def test_empty_tree(self, tmp_path: Path) -> None:
        """An empty tree writes an empty file that reads back as an empty ADict."""
        path = tmp_path / "empty.toml"
        ADict().dump(path)
        assert path.read_text(encoding="utf-8") == ""
        assert ADict.from_file(path) == {}

    def test_tuple_becomes_array(self, tmp_path: Path) -> None:
        """A tuple is written as an array and reads back as a list."""
        path = tmp_path / "t.toml"
        ADict(shape=(1, (2, 3))).dump(path)
        assert ADict.from_file(path).shape == [1, [2, 3]]

    def test_loads_reads_toml_text(self) -> None:
        """`loads(text, 'toml')` parses dotted keys, inline tables and arrays of tables."""
        text = 'a.b = 1\nc = {d = "e"}\n[[runs]]\nseed = 1\n[[runs]]\nseed = 2\n'
        assert loads(text, "toml") == {"a": {"b": 1}, "c": {"d": "e"}, "runs": [{"seed": 1}, {"seed": 2}]}


class TestUnrepresentable:
    """None and out-of-range integers are refused with every path named."""

    def test_none_everywhere_all_listed(self, tmp_path: Path) -> None:
        """None at top level, nested, in a list and in a table in a list is reported per path."""
        path = tmp_path / "none.toml"
        tree = ADict(
            top=None,
            model={"act": None, "ok": 1},
            xs=[1, None],
            runs=[{"seed": None}],
            grid=[[None]],
        )
        with pytest.raises(ConfigError) as err:
            tree.dump(path)
        keys = [p.key for p in err.value.problems]
        assert keys == ["top", "model.act", "xs[1]", "runs[0].seed", "grid[0][0]"]
        assert all(p.has_got and p.got is None for p in err.value.problems)
        assert all(p.source == str(path) for p in err.value.problems)
        assert all("TOML" in (p.expected or "") for p in err.value.problems)
        assert all("None" not in (p.expected or "") for p in err.value.problems)
        message = str(err.value)
        for key in keys:
            assert key in message
        assert not path.exists()

    @pytest.mark.parametrize(("value", "key"), [(2**63, "n"), (-(2**63) - 1, "n"), (10**30, "n")])
    def test_int_beyond_64_bits(self, tmp_path: Path, value: int, key: str) -> None:
        """An int outside the signed 64-bit range is a ConfigError naming its key."""
        path = tmp_path / "big.toml"
        with pytest.raises(ConfigError) as err:
            ADict(n=value).dump(path)
        assert err.value.key == key
        assert err.value.got == value
        assert "64" in (err.value.expected or "")
        assert err.value.source == str(path)
        assert not path.exists()

    def test_big_ints_and_none_in_one_error(self, tmp_path: Path) -> None:
        """Big ints deep in lists are reported together with None values."""
        path = tmp_path / "both.toml"
        with pytest.raises(ConfigError) as err:
            ADict(a={"b": [0, 2**64]}, c=None).dump(path)
        assert sorted(p.key or "" for p in err.value.problems) == ["a.b[1]", "c"]

    def test_bool_is_not_a_big_int(self, tmp_path: Path) -> None:
        """Booleans are written as true/false, never range-checked as ints."""
        path = tmp_path / "b.toml"
        ADict(flag=True).dump(path)
        assert path.read_text(encoding="utf-8") == "flag = true\n"

    def test_options_are_refused(self, tmp_path: Path) -> None:
        """TOML writing takes no options; passing one is a ConfigError and writes nothing."""
        path = tmp_path / "o.toml"
        with pytest.raises(ConfigError):
            ADict(a=1).dump(path, indent=4)
        assert not path.exists()


class TestMalformed:
    """Broken TOML names the file and the line."""

    @pytest.mark.parametrize(
        ("text", "line"),
        [
            ("a = 1\nb = \n", 2),
            ('a = 1\n\n[t]\nx = "unterminated\n', 4),
            ("a = 1\na = 2\n", 2),
            ("[t]\nx = 1\n[t]\n", 3),
            ("a = 1 b = 2\n", 1),
            ("# comment\n[table\nx = 1\n", 2),
        ],
    )
    def test_line_number(self, tmp_path: Path, text: str, line: int) -> None:
        """A syntax error or a redefinition raises ConfigError with `line N`."""
        path = tmp_path / "bad.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None
        assert err.value.source.startswith(f"{path}, line {line}, column ")
        assert err.value.problems[0].detail is not None
        assert err.value.problems[0].detail.startswith("malformed TOML")
        assert "(at line" not in err.value.problems[0].detail
        assert f"line {line}" in str(err.value)


def _nested(shape: str, depth: int) -> tuple[dict[str, Any], str]:
    """``{"a": ...}`` with ``depth`` containers under ``a``, and the key path of the innermost.

    ``shape`` is "list", "table" or "mixed" (a list holding a table holding a list ...).
    """
    kinds = [
        "list" if shape == "list" or (shape == "mixed" and i % 2 == 0) else "table" for i in range(depth)
    ]
    value: Any = 1
    for kind in reversed(kinds):
        value = [value] if kind == "list" else {"k": value}
    path = "a" + "".join("[0]" if kind == "list" else ".k" for kind in kinds[:-1])
    return {"a": value}, path


class TestHostileText:
    """Text that strains the reader is a ConfigError naming the file, never another exception."""

    @pytest.mark.parametrize(
        "text", ["a = " + "9" * 5000, "a = [1, -" + "9" * 5000 + "]", "t = {x = " + "1" * 10_000 + "}"]
    )
    def test_integer_too_long_to_convert(self, tmp_path: Path, text: str) -> None:
        """An integer of more digits than Python converts is reported, not a bare ValueError."""
        path = tmp_path / "big.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source == str(path)
        assert "malformed TOML" in str(err.value)

    def test_huge_float_and_megabyte_values_read(self) -> None:
        """1e999999 overflows to inf as in Python; a 1 MB string and a 1 MB key read as text."""
        big = "x" * 1_000_000
        assert loads("a = 1e999999", "toml") == {"a": math.inf}
        assert loads(f'a = "{big}"', "toml") == {"a": big}
        assert loads(f'"{big}" = 1', "toml") == {big: 1}


class TestDeepNesting:
    """Nesting is a ConfigError on both paths, never a RecursionError."""

    @pytest.mark.parametrize(
        "text",
        [
            "a = " + "[" * 100_000,
            "a = " + "[" * 100_000 + "]" * 100_000,
            "a = " + "{b = " * 100_000,
            "a = " + "[{b = " * 50_000 + "1" + "}]" * 50_000,
        ],
        ids=["open", "closed", "inline tables", "tables in arrays"],
    )
    def test_reading_100_000_levels(self, tmp_path: Path, text: str) -> None:
        """A file nesting 100,000 arrays or inline tables is one ConfigError naming the file."""
        path = tmp_path / "deep.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source == str(path)
        assert "nest too deeply to read" in str(err.value)

    @pytest.mark.parametrize("shape", ["list", "table", "mixed"])
    def test_writing_at_the_limit_round_trips(self, tmp_path: Path, shape: str) -> None:
        """A tree exactly MAX_DEPTH containers deep is written and reads back the same."""
        tree, _ = _nested(shape, MAX_DEPTH)
        path = tmp_path / "deep.toml"
        ADict(tree).dump(path)
        assert ADict.from_file(path).to_dict() == tree

    @pytest.mark.parametrize("shape", ["list", "table", "mixed"])
    # 250: well past the limit, yet within what the shared to_plain walk recurses through.
    @pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 250])
    def test_writing_beyond_the_limit(self, tmp_path: Path, shape: str, depth: int) -> None:
        """Deeper trees are refused before writing, naming the first container past the limit."""
        tree, path_at_limit = _nested(shape, MAX_DEPTH + 1)
        if depth != MAX_DEPTH + 1:
            tree, _ = _nested(shape, depth)
        path = tmp_path / "deep.toml"
        with pytest.raises(ConfigError) as err:
            ADict(tree).dump(path)
        (problem,) = err.value.problems
        assert problem.key == path_at_limit
        assert f"at most {MAX_DEPTH} nested" in str(err.value)
        assert not path.exists()
