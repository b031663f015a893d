"""ato.formats._json: round trip, malformed input with line numbers, duplicate keys."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from ato import ADict, ConfigError
from ato.formats import dumps, loads

TREE: dict[str, Any] = {
    "a.b": 1,
    "items": {"keys": [1, 2], "update": None},
    "": "empty key",
    "ünïcödé ключ": "值 🎉",
    "model": {
        "layers": [{"width": 64, "act": "relu"}, {"width": 32, "act": None}],
        "lr": 1e-3,
        "flags": [True, False],
        "nested": {"deeper": {"deepest": -0.5}},
    },
    "empty_map": {},
    "empty_list": [],
    "list_of_lists": [[1, [2, {"x": "y"}]], []],
    "big": 2**70,
    "text": 'quote " backslash \\ newline \n tab \t',
}


def _write(tmp_path: Path, text: str, name: str = "cfg.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class TestRoundTrip:
    """Dumping and re-reading gives the same tree."""

    def test_representative_tree(self, tmp_path: Path) -> None:
        """A nested tree with awkward keys and lists of dicts survives dump and load."""
        path = tmp_path / "cfg.json"
        ADict(TREE).dump(path)
        loaded = ADict.from_file(path)
        assert loaded == TREE
        assert list(loaded) == list(TREE)
        assert loaded["items"]["update"] is None
        assert loaded["a.b"] == 1
        assert loaded[""] == "empty key"
        assert isinstance(loaded.model.layers[0], ADict)
        assert loaded.model.layers[1].width == 32

    def test_file_is_plain_json(self, tmp_path: Path) -> None:
        """The written file is standard JSON with unicode kept readable."""
        path = tmp_path / "cfg.json"
        ADict(TREE).dump(path)
        text = path.read_text(encoding="utf-8")
        assert json.loads(text) == TREE
        assert "ünïcödé ключ" in text
        assert text.endswith("\n")

    def test_tuple_becomes_list(self, tmp_path: Path) -> None:
        """JSON has no tuple: a tuple is written as an array and reads back as a list."""
        path = tmp_path / "t.json"
        ADict(shape=(1, 2)).dump(path)
        assert ADict.from_file(path)["shape"] == [1, 2]

    def test_non_finite_floats(self, tmp_path: Path) -> None:
        """inf and nan use Python's JSON extension spelling and read back."""
        path = tmp_path / "f.json"
        ADict(a=math.inf, b=-math.inf, c=math.nan).dump(path)
        loaded = ADict.from_file(path)
        assert loaded.a == math.inf
        assert loaded.b == -math.inf
        assert math.isnan(loaded.c)

    def test_dump_options_are_passed(self, tmp_path: Path) -> None:
        """Keyword options to dump reach json.dumps (indent, ensure_ascii)."""
        path = tmp_path / "o.json"
        ADict(k="é").dump(path, indent=None, ensure_ascii=True)
        assert path.read_text(encoding="utf-8") == '{"k": "\\u00e9"}\n'

    def test_loads_and_dumps_strings(self) -> None:
        """The string-level API round-trips too."""
        assert loads(dumps(TREE, "json"), "json") == TREE


class TestMalformed:
    """Broken JSON is a ConfigError naming the file and the real line."""

    @pytest.mark.parametrize(
        ("text", "line"),
        [
            ('{\n  "a": 1,\n  "b": [1, 2,]\n}\n', 3),
            ('{\n  "a": 1\n  "b": 2\n}\n', 3),
            ('{\n\n\n\n  "a": tru\n}\n', 5),
            ('{"a": 1', 1),
            ("", 1),
            ('{\n  "a": "unterminated\n}\n', 2),
        ],
    )
    def test_line_number(self, tmp_path: Path, text: str, line: int) -> None:
        """The message and source carry `line N` where N is where the parser stopped."""
        path = _write(tmp_path, text)
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None
        assert err.value.source.startswith(f"{path}, line {line}, column ")
        assert f"line {line}" in str(err.value)
        assert err.value.problems[0].detail is not None
        assert err.value.problems[0].detail.startswith("malformed JSON")
        assert err.value.key is None

    def test_comments_are_not_json(self, tmp_path: Path) -> None:
        """JSON with a // comment is malformed (no JSON5 leniency)."""
        path = _write(tmp_path, '{\n  // lr\n  "lr": 1\n}\n')
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None
        assert err.value.source.startswith(f"{path}, line 2")


class TestDuplicateKeys:
    """A key repeated in one object is an error, not last-one-wins."""

    def test_top_level_duplicate(self, tmp_path: Path) -> None:
        """A repeated top-level key raises ConfigError naming the key and the file."""
        path = _write(tmp_path, '{"lr": 0.1, "epochs": 2, "lr": 0.2}')
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.key == "lr"
        assert err.value.source == str(path)
        assert "lr" in str(err.value)
        assert "twice" in str(err.value)

    def test_nested_duplicate(self, tmp_path: Path) -> None:
        """A repeated key inside a nested object is reported."""
        path = _write(tmp_path, '{"model": {"layers": [{"w": 1, "w": 2}]}}')
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.key == "w"

    def test_same_key_in_sibling_objects_is_fine(self, tmp_path: Path) -> None:
        """The same key in two different objects is not a duplicate."""
        path = _write(tmp_path, '{"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]}')
        assert ADict.from_file(path) == {"a": {"x": 1}, "b": {"x": 2}, "c": [{"x": 3}, {"x": 4}]}
