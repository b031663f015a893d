"""ato.formats._yaml: OmegaConf-style scalars, safe loading, errors with lines, anchors."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from ato import ADict, ConfigError
from ato.formats import dumps, loads


def _load(tmp_path: Path, text: str, name: str = "cfg.yaml") -> ADict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ADict.from_file(path)


class TestScalars:
    """How bare scalars are typed when read."""

    @pytest.mark.parametrize(
        ("text", "value"),
        [
            ("1e-3", 1e-3),
            ("1.5E+3", 1500.0),
            ("-2e5", -200000.0),
            ("+3e2", 300.0),
            ("1E3", 1000.0),
            ("2.5", 2.5),
            (".5", 0.5),
            ("1.", 1.0),
        ],
    )
    def test_exponent_floats(self, tmp_path: Path, text: str, value: float) -> None:
        """Numbers with an exponent but no dot are floats (YAML 1.1 would say str)."""
        loaded = _load(tmp_path, f"x: {text}\n")
        assert type(loaded.x) is float
        assert loaded.x == value

    def test_infinities_and_nan(self, tmp_path: Path) -> None:
        """`.inf`, `-.inf`, `+.inf` and `.nan` are the float specials."""
        loaded = _load(tmp_path, "a: .inf\nb: -.inf\nc: +.inf\nd: .nan\ne: .NaN\nf: .Inf\n")
        assert loaded.a == math.inf
        assert loaded.b == -math.inf
        assert loaded.c == math.inf
        assert math.isnan(loaded.d)
        assert math.isnan(loaded.e)
        assert loaded.f == math.inf

    def test_integers_stay_int(self, tmp_path: Path) -> None:
        """Plain integers are ints, not floats."""
        loaded = _load(tmp_path, "a: 3\nb: -7\nc: 0\n")
        assert (loaded.a, loaded.b, loaded.c) == (3, -7, 0)
        assert all(type(v) is int for v in loaded.values())

    @pytest.mark.parametrize("text", ["2024-01-01", "2024-01-01 10:30:00", "2001-12-14t21:59:43.10-05:00"])
    def test_dates_are_strings(self, tmp_path: Path, text: str) -> None:
        """A date or timestamp is read as the string, not a datetime."""
        loaded = _load(tmp_path, f"when: {text}\n")
        assert loaded.when == text
        assert type(loaded.when) is str

    @pytest.mark.parametrize(
        ("text", "value"),
        [("yes", True), ("Yes", True), ("on", True), ("ON", True), ("no", False), ("off", False),
         ("true", True), ("False", False)],
    )
    def test_yaml_1_1_booleans(self, tmp_path: Path, text: str, value: bool) -> None:
        """`yes`/`on`/`no`/`off` are booleans, as in YAML 1.1 and OmegaConf."""
        loaded = _load(tmp_path, f"flag: {text}\n")
        assert loaded.flag is value

    def test_null_spellings(self, tmp_path: Path) -> None:
        """`null`, `~` and an empty value are None."""
        loaded = _load(tmp_path, "a: null\nb: ~\nc:\n")
        assert loaded == {"a": None, "b": None, "c": None}

    @pytest.mark.parametrize(
        "text",
        ["1e-3", "1.5E+3", "yes", "on", "null", "~", "2024-01-01", ".inf", ".nan", "1:30", "True",
         "0x1F", "1_000", "", " padded ", "line1\nline2", "#not a comment", "a: b", "- x", "'"],
    )
    def test_lookalike_strings_round_trip(self, tmp_path: Path, text: str) -> None:
        """A str that spells another type is dumped quoted and re-read as str."""
        path = tmp_path / "s.yaml"
        ADict(s=text, keys={text: 1}).dump(path)
        loaded = ADict.from_file(path)
        assert loaded.s == text
        assert type(loaded.s) is str
        assert loaded["keys"] == {text: 1}

    def test_exponent_string_is_written_quoted(self) -> None:
        """The text of a dumped `"1e-3"` string is quoted."""
        assert dumps({"s": "1e-3", "f": 1e-3}, "yaml") == "s: '1e-3'\nf: 0.001\n"

    def test_float_round_trip(self, tmp_path: Path) -> None:
        """Floats of any magnitude, and inf/nan, re-read as the same floats."""
        path = tmp_path / "f.yaml"
        values = [1e-10, 1e20, -2.5e-7, 0.1, 1.0, math.inf, -math.inf]
        ADict(v=values, n=math.nan).dump(path)
        loaded = ADict.from_file(path)
        assert loaded.v == values
        assert all(type(v) is float for v in loaded.v)
        assert math.isnan(loaded.n)


class TestSafety:
    """YAML never constructs Python objects."""

    @pytest.mark.parametrize(
        "text",
        [
            'x: !!python/object/apply:os.system ["touch PWNED"]\n',
            "x: !!python/object/apply:os.system\n  - touch PWNED\n",
            'x: !!python/object/new:subprocess.Popen [["touch", "PWNED"]]\n',
            "x: !!python/name:os.system\n",
            "x: !!python/object:argparse.Namespace {a: 1}\n",
        ],
    )
    def test_python_tags_are_rejected(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
    ) -> None:
        """A python/* tag raises ConfigError and nothing is constructed or run."""
        work = tmp_path / "cwd"
        work.mkdir()
        monkeypatch.chdir(work)
        path = tmp_path / "evil.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None
        assert err.value.source.startswith(f"{path}, line 1")
        assert "python/" in str(err.value)
        assert not (work / "PWNED").exists()
        assert not (tmp_path / "PWNED").exists()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cwd", "evil.yaml"]


class TestMalformed:
    """Syntax errors and duplicate keys name the file and the line."""

    @pytest.mark.parametrize(
        ("text", "line"),
        [
            ("model:\n  depth: 4\n   width: 8\n", 3),
            ("a: 1\nb:\n  c: 2\n d: 3\n", 4),
            ("# header\n\nlist:\n  - 1\n  x: 2\n", 5),
            ("a: [1, 2\nb: 3\n", 2),
            ('a: "unterminated\n', 2),
            ("a: 1\n\tb: 2\n", 2),
        ],
    )
    def test_line_number(self, tmp_path: Path, text: str, line: int) -> None:
        """Bad indentation and other syntax errors give ConfigError at the real line."""
        path = tmp_path / "bad.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None
        assert err.value.source.startswith(f"{path}, line {line}, column ")
        assert err.value.problems[0].detail is not None
        assert err.value.problems[0].detail.startswith("malformed YAML")
        assert f"line {line}" in str(err.value)

    @pytest.mark.parametrize(
        ("text", "key", "line"),
        [
            ("lr: 0.1\nepochs: 2\nlr: 0.2\n", "lr", 3),
            ("model:\n  depth: 1\n  width: 2\n  depth: 3\n", "depth", 4),
            ("runs:\n  - name: a\n    seed: 1\n    name: b\n", "name", 4),
            ("flow: {a: 1, a: 2}\n", "a", 1),
        ],
    )
    def test_duplicate_keys(self, tmp_path: Path, text: str, key: str, line: int) -> None:
        """A key repeated in one mapping raises ConfigError naming the key and its line."""
        path = tmp_path / "dup.yaml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.key == key
        assert err.value.source == f"{path}, line {line}"
        assert f"line {line}" in str(err.value)
        assert "twice" in str(err.value)

    def test_same_key_in_sibling_mappings_is_fine(self, tmp_path: Path) -> None:
        """The same key in two mappings is not a duplicate."""
        loaded = _load(tmp_path, "a:\n  x: 1\nb:\n  x: 2\n")
        assert loaded == {"a": {"x": 1}, "b": {"x": 2}}

    def test_multiple_documents_rejected(self, tmp_path: Path) -> None:
        """A stream of two documents is a ConfigError, not a silent first-one-wins."""
        path = tmp_path / "multi.yaml"
        path.write_text("a: 1\n---\nb: 2\n", encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None
        assert err.value.source.startswith(f"{path}, line ")


class TestAnchorsAndMerge:
    """Anchors, aliases and `<<` merge keys."""

    def test_merge_key_with_override(self, tmp_path: Path) -> None:
        """`<<: *base` copies the anchored mapping and later keys override it."""
        text = (
            "base: &base\n"
            "  lr: 0.1\n"
            "  depth: 4\n"
            "model:\n"
            "  <<: *base\n"
            "  depth: 8\n"
        )
        loaded = _load(tmp_path, text)
        assert loaded.model == {"lr": 0.1, "depth": 8}
        assert loaded.base == {"lr": 0.1, "depth": 4}

    def test_merge_of_several_anchors(self, tmp_path: Path) -> None:
        """`<<: [*a, *b]` merges several mappings, earlier ones winning."""
        text = (
            "a: &a {x: 1, y: 1}\n"
            "b: &b {y: 2, z: 2}\n"
            "c:\n"
            "  <<: [*a, *b]\n"
            "  w: 0\n"
        )
        loaded = _load(tmp_path, text)
        assert loaded.c == {"x": 1, "y": 1, "z": 2, "w": 0}

    def test_alias_of_scalar_and_list(self, tmp_path: Path) -> None:
        """Aliases of scalars and sequences resolve to equal values."""
        text = "lr: &lr 0.5\nsizes: &sizes [1, 2]\nopt:\n  lr: *lr\n  sizes: *sizes\n"
        loaded = _load(tmp_path, text)
        assert loaded.opt == {"lr": 0.5, "sizes": [1, 2]}

    def test_merge_key_then_duplicate_still_detected(self, tmp_path: Path) -> None:
        """A real duplicate next to a merge key is still reported."""
        path = tmp_path / "m.yaml"
        path.write_text("base: &b {x: 1}\nm:\n  <<: *b\n  y: 1\n  y: 2\n", encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.key == "y"
        assert err.value.source == f"{path}, line 5"


class TestRoundTrip:
    """Dump then load gives the same tree."""

    def test_representative_tree(self, tmp_path: Path) -> None:
        """A nested tree with unicode, lists of dicts and empty containers round-trips."""
        tree: dict[str, Any] = {
            "model": {"layers": [{"w": 64}, {"w": None}], "name": "naïve 模型"},
            "items": [1, "two", 3.0, True, None],
            "a.b": {"": 0},
            "empty_map": {},
            "empty_list": [],
            "text": "line1\nline2\n",
        }
        path = tmp_path / "r.yml"
        ADict(tree).dump(path)
        loaded = ADict.from_file(path)
        assert loaded == tree
        assert list(loaded) == list(tree)
        assert "naïve 模型" in path.read_text(encoding="utf-8")

    def test_tuple_becomes_list(self, tmp_path: Path) -> None:
        """A tuple is written as a plain sequence (no python/tuple tag)."""
        path = tmp_path / "t.yaml"
        ADict(shape=(1, 2)).dump(path)
        assert "python" not in path.read_text(encoding="utf-8")
        assert ADict.from_file(path).shape == [1, 2]

    def test_loads_string_api(self) -> None:
        """`loads(text, 'yaml')` parses text directly."""
        assert loads("a:\n  b: [1, 2]\n", "yaml") == {"a": {"b": [1, 2]}}


class TestLines:
    """loads_with_lines: the same tree as loads, plus the line of every mapping key."""

    def test_lines_of_nested_keys(self) -> None:
        """Each dotted key maps to the 1-based line it is written on; lists are one value."""
        from ato.formats._yaml import loads_with_lines

        text = "a: 1\nb:\n  c: 1e-3\n  d: [1, {x: 1}]\n\n7: seven\n"
        tree, lines = loads_with_lines(text, "cfg.yaml")
        assert tree == loads(text, "yaml")
        assert lines == {"a": 1, "b": 2, "b.c": 3, "b.d": 4, "7": 6}

    def test_merge_keys_and_aliases(self) -> None:
        """A key from `<<: *base` maps to the anchor's line; the mapping's own key wins."""
        from ato.formats._yaml import loads_with_lines

        text = "base: &b\n  k: 1\n  j: 2\ne:\n  <<: *b\n  j: 3\nr: &r\n  s: *r\n"
        tree, lines = loads_with_lines(text, "cfg.yaml")
        assert tree["e"] == {"k": 1, "j": 3}
        assert (lines["e.k"], lines["e.j"], lines["r.s"]) == (2, 6, 8)

    def test_errors_and_empty_documents(self) -> None:
        """Malformed text is the same ConfigError as loads gives; empty text is None."""
        from ato.formats._dispatch import loads_with_lines as dispatch_with_lines
        from ato.formats._yaml import loads_with_lines

        assert loads_with_lines("", "cfg.yaml") == (None, {})
        with pytest.raises(ConfigError, match=r"cfg\.yaml, line 3"):
            loads_with_lines("a: 1\nb: [\n", "cfg.yaml")
        assert dispatch_with_lines(b"", "yaml") == ({}, {})
        assert dispatch_with_lines(b'{"a": 1}', "json") == ({"a": 1}, {})
        with pytest.raises(ConfigError, match="a mapping at the top level"):
            dispatch_with_lines("- 1\n", "yaml", source="cfg.yaml")
        assert dispatch_with_lines("- 1\n", "yaml", mapping_only=False) == ([1], {})
