"""ato.formats._xyz: the exact text written, 2.x files, quoting that makes every tree round-trip."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from ato import ADict, ConfigError
from ato.formats import xyz_dumps, xyz_loads

REPRESENTATIVE: dict[str, Any] = {
    "name": "resnet",
    "lr": 0.001,
    "epochs": 10,
    "flag": True,
    "off": False,
    "nothing": None,
    "neg": -1.5,
    "big": 1e20,
    "model": {
        "layers": [64, "relu", {"w": None}, [], {}],
        "opt": {"betas": [0.9, 0.999]},
    },
    "empty": {},
    "none_list": [],
    "text": "hi there",
    "looks_true": "True",
}

REPRESENTATIVE_TEXT = """\
name: resnet
lr: 0.001
epochs: 10
flag: True
off: False
nothing: None
neg: -1.5
big: 1e+20
model:
  layers:
    0) 64
    1) relu
    2)
      w: None
    3) [Empty Sequence]
    4) [Empty Mapping]
  opt:
    betas:
      0) 0.9
      1) 0.999
empty: [Empty Mapping]
none_list: [Empty Sequence]
text: hi there
looks_true: "True"
"""

# Produced by `ADict.to_xyz` of ato 2.2.1 (pip install ato==2.2.1).
ATO2_TEXT = """\
a: 1
b:
  c:
    0) 1
    1) x
    2)
      q: None
  d: [Empty Mapping]
  e: [Empty Sequence]
f: 2.5
g: hi there
h: True
n: -3
neg: -1.5
"""
ATO2_TREE: dict[str, Any] = {
    "a": 1,
    "b": {"c": [1, "x", {"q": None}], "d": {}, "e": []},
    "f": 2.5,
    "g": "hi there",
    "h": True,
    "n": -3,  # ato 2.x read this back as the string '-3'; ato 3 reads the number.
    "neg": -1.5,
}


LOSSY = ("True", "false", "1", "-3", "2.5", "inf", "nan", "None", "", " padded ", "line1\nline2",
         "[Empty Mapping]", "[Empty Sequence]", '"starts with a quote', "tab\tin", "del\x7f")


def _load(tmp_path: Path, text: str, name: str = "cfg.xyz") -> ADict:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return ADict.from_file(path)


class TestWriting:
    """The exact text of the format."""

    def test_representative_text(self, tmp_path: Path) -> None:
        """A representative tree is written exactly as pinned here, to_xyz and dump alike."""
        assert ADict(REPRESENTATIVE).to_xyz() == REPRESENTATIVE_TEXT
        path = tmp_path / "cfg.xyz"
        ADict(REPRESENTATIVE).dump(path)
        assert path.read_text(encoding="utf-8") == REPRESENTATIVE_TEXT

    def test_representative_reads_back(self, tmp_path: Path) -> None:
        """The pinned text reads back to the tree it came from, with types."""
        loaded = _load(tmp_path, REPRESENTATIVE_TEXT)
        assert loaded == REPRESENTATIVE
        assert loaded.looks_true == "True"
        assert type(loaded.epochs) is int
        assert type(loaded.big) is float

    def test_custom_key_postfix_text(self) -> None:
        """A non-default marker is announced in a header line and used on every key line."""
        text = ADict(a=1, b={"c": "x", "d": [1]}).to_xyz(format_dict={"key_postfix": "="})
        assert text == "key-postfix -> =\na= 1\nb=\n  c= x\n  d=\n    0) 1\n"

    def test_empty_tree(self) -> None:
        """An empty tree is an empty text, and an empty text an empty tree."""
        assert xyz_dumps({}) == ""
        assert xyz_loads("") == {}

    def test_unknown_format_name(self) -> None:
        """An unknown format_dict name is a ConfigError naming it."""
        with pytest.raises(ConfigError) as err:
            ADict(a=1).to_xyz(format_dict={"key_suffix": "="})
        assert err.value.key == "key_suffix"

    def test_empty_postfix_refused(self) -> None:
        """An empty key or index postfix cannot be parsed back, so it is refused."""
        with pytest.raises(ConfigError):
            ADict(a=1).to_xyz(format_dict={"key_postfix": ""})


class TestAto2Files:
    """Files written by ato 2.x load unchanged."""

    def test_default_markers(self, tmp_path: Path) -> None:
        """The 2.2.1 text of a nested tree loads to that tree."""
        loaded = _load(tmp_path, ATO2_TEXT)
        assert loaded == ATO2_TREE
        assert type(loaded.n) is int
        assert type(loaded.f) is float
        assert loaded.h is True
        assert loaded.b.c[2].q is None

    @pytest.mark.parametrize("header", ["key-postfix -> =", "key_postfix -> ="])
    def test_custom_marker_header(self, tmp_path: Path, header: str) -> None:
        """A `key-postfix -> =` header (or 2.x's `key_postfix`) switches the key marker."""
        text = f"{header}\n\na= 1\nb=\n  c= x\n"
        assert _load(tmp_path, text) == {"a": 1, "b": {"c": "x"}}

    def test_crlf_line_endings(self, tmp_path: Path) -> None:
        """A 2.x file saved with Windows line endings loads the same."""
        path = tmp_path / "crlf.xyz"
        path.write_bytes(ATO2_TEXT.replace("\n", "\r\n").encode())
        assert ADict.from_file(path) == ATO2_TREE

    @pytest.mark.parametrize(
        ("text", "value"),
        [("None", None), ("none", None), ("TRUE", True), ("false", False), ("007", 7), ("+4", 4),
         ("1e3", 1000.0), (".5", 0.5), ("inf", math.inf), ("-Infinity", -math.inf),
         ("hello world", "hello world"), ("1.2.3", "1.2.3"), ("a: b", "a: b")],
    )
    def test_bare_scalars(self, tmp_path: Path, text: str, value: object) -> None:
        """Bare scalars read as None, bool, int, float where they spell one, else str."""
        loaded = _load(tmp_path, f"v: {text}\n")
        assert loaded.v == value
        assert type(loaded.v) is type(value)

    def test_bare_nan(self, tmp_path: Path) -> None:
        """A bare `nan` reads as a float nan."""
        assert math.isnan(_load(tmp_path, "v: nan\n").v)

    def test_key_without_value_at_end_is_empty_string(self, tmp_path: Path) -> None:
        """A key line with neither value nor children holds the empty string (2.x wrote '')."""
        assert _load(tmp_path, "a:\nb: 1\nc:\n") == {"a": "", "b": 1, "c": ""}


class TestQuoting:
    """Strings and keys the 2.x syntax would lose are JSON-quoted and round-trip."""

    @pytest.mark.parametrize("text", LOSSY)
    def test_string_values_round_trip(self, tmp_path: Path, text: str) -> None:
        """A string that would read back as something else is quoted and survives a file."""
        path = tmp_path / "s.xyz"
        ADict(v=text, nested={"xs": [text, {"w": text}]}).dump(path)
        written = path.read_text(encoding="utf-8")
        assert written.startswith('v: "')
        loaded = ADict.from_file(path)
        assert loaded.v == text
        assert type(loaded.v) is str
        assert loaded.nested == {"xs": [text, {"w": text}]}

    def test_plain_strings_stay_bare(self) -> None:
        """Strings that read back as themselves are written without quotes."""
        assert xyz_dumps({"a": "hi there", "b": 'say "x"', "c": "1.2.3"}) == (
            'a: hi there\nb: say "x"\nc: 1.2.3\n'
        )

    @pytest.mark.parametrize(
        "key", ["a:b", "x: y", ":", "0)", "12) item", "", " lead", "True", "7", "new\nline",
                "key-postfix -> =", '"q"']
    )
    def test_awkward_keys_round_trip(self, tmp_path: Path, key: str) -> None:
        """Keys containing the marker, looking like list items or headers are quoted."""
        path = tmp_path / "k.xyz"
        tree = {key: 1, "outer": {key: {key: [key]}}}
        ADict(tree).dump(path)
        assert ADict.from_file(path) == tree

    def test_index_like_key_as_first_child(self, tmp_path: Path) -> None:
        """A mapping whose first key is '0)' is not mistaken for a list."""
        path = tmp_path / "k.xyz"
        ADict(m={"0)": "a", "1)": "b"}).dump(path)
        loaded = ADict.from_file(path)
        assert loaded.m == {"0)": "a", "1)": "b"}
        assert isinstance(loaded.m, dict)

    def test_float_specials_round_trip(self, tmp_path: Path) -> None:
        """inf, -inf, nan and tiny or huge floats re-read as the same floats."""
        path = tmp_path / "f.xyz"
        ADict(xs=[math.inf, -math.inf, 1e-300, 1e300, -0.0, 0.1], n=math.nan).dump(path)
        loaded = ADict.from_file(path)
        assert loaded.xs == [math.inf, -math.inf, 1e-300, 1e300, -0.0, 0.1]
        assert math.copysign(1.0, loaded.xs[4]) == -1.0
        assert math.isnan(loaded.n)

    def test_format_dict_round_trips_through_file(self, tmp_path: Path) -> None:
        """`to_xyz(format_dict={'key_postfix': '='})` written to a file loads back."""
        tree = ADict(a=1, b={"c": "x=y", "d": [1, {"e": None}]}, f="=", g={})
        path = tmp_path / "custom.xyz"
        path.write_text(tree.to_xyz(format_dict={"key_postfix": "="}), encoding="utf-8")
        assert ADict.from_file(path) == tree
        path2 = tmp_path / "custom2.xyz"
        tree.dump(path2, format_dict={"key_postfix": "="})
        assert path2.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")

    @pytest.mark.parametrize(
        "format_dict",
        [
            {"index_prefix": "[", "index_postfix": "]"},
            {"key_prefix": "- "},
            {"key_postfix": " ->"},
            {"index_prefix": "- "},
            {"index_postfix": " )"},
        ],
    )
    def test_other_markers_round_trip(self, format_dict: dict[str, str]) -> None:
        """Any accepted choice of markers reads back to the same tree."""
        tree = {"a": 1, "b": {"c": [1, {"d": "x"}], "e": "y"}, "f": [[1, 2]]}
        assert xyz_loads(xyz_dumps(tree, format_dict)) == tree


class TestMalformed:
    """Malformed files raise ConfigError naming the file and the line."""

    @pytest.mark.parametrize(
        ("text", "line"),
        [
            ("a:\n\tb: 1\n", 2),
            ("a:\n  \tb: 1\n", 2),
            ("a:\n  1) x\n", 2),
            ("a:\n  0) x\n  2) y\n", 3),
            ('a: 1\nb: "unterminated\n', 2),
            ('"unterminated key: 1\n', 1),
            ('a: "x" trailing\n', 1),
            ("a:\n  b: 1\n   c: 2\n", 3),
            ("a:\n    b: 1\n  c: 2\n", 3),
            ("a: 1\n  b: 2\n", 2),
            ("a:\n  0) 1\n  b: 2\n", 3),
            ("a: 1\nno marker here\n", 2),
            ("a: 1\nb: 2\na: 3\n", 3),
            ("a:1\n", 1),
        ],
    )
    def test_line_is_named(self, tmp_path: Path, text: str, line: int) -> None:
        """Tabs, out-of-order indices, bad quotes and bad indentation name the line."""
        path = tmp_path / "bad.xyz"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source == f"{path}, line {line}"
        assert f"line {line}" in str(err.value)

    def test_out_of_order_index_records_got(self) -> None:
        """An index out of order reports the index found and the one expected."""
        with pytest.raises(ConfigError) as err:
            xyz_loads("a:\n  1) x\n")
        assert err.value.got == 1
        assert "0" in str(err.value)

    def test_duplicate_key_names_it(self) -> None:
        """A key repeated in one mapping is reported with the key."""
        with pytest.raises(ConfigError) as err:
            xyz_loads("m:\n  k: 1\n  k: 2\n")
        assert err.value.got == "k"
        assert err.value.source == "<string>, line 3"
