"""ato.formats._dispatch: extension dispatch, file errors, representability, atomic dump."""

from __future__ import annotations

import datetime
import enum
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest

from ato import ADict, ConfigError
from ato.formats import SUPPORTED_EXTENSIONS, dump_file, load_file

ALL_EXTENSIONS = (".json", ".yaml", ".yml", ".toml", ".xyz", ".py")


class Color(str, enum.Enum):  # noqa: UP042 - the mixin spelling is what is under test
    """A str-mixin enum, the pre-3.11 way to write a string enum."""

    RED = "red"


class Shade(enum.StrEnum):
    """A StrEnum (Python 3.11+)."""

    DARK = "dark"


class Level(enum.IntEnum):
    """An int enum."""

    HIGH = 3


def _listing(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir())


# --------------------------------------------------------------------------- dispatch
class TestExtensions:
    """Choosing a codec from the file name."""

    def test_supported_extensions_constant(self) -> None:
        """SUPPORTED_EXTENSIONS names exactly the six documented extensions."""
        assert set(SUPPORTED_EXTENSIONS) == set(ALL_EXTENSIONS)

    @pytest.mark.parametrize("name", ["config.ini", "config.JSONX", "config"])
    def test_unknown_extension_on_load(self, tmp_path: Path, name: str) -> None:
        """An unknown extension raises ConfigError listing every supported one and the file."""
        path = tmp_path / name
        path.write_text("a = 1\n", encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        message = str(err.value)
        for ext in ALL_EXTENSIONS:
            assert ext in message
            assert ext in (err.value.expected or "")
        assert str(path) in message
        assert err.value.source == str(path)
        assert err.value.got == (os.path.splitext(name)[1].lower() or "(no extension)")

    def test_unknown_extension_on_dump_writes_nothing(self, tmp_path: Path) -> None:
        """Dumping to an unknown extension raises ConfigError and creates no file."""
        path = tmp_path / "config.cfg"
        with pytest.raises(ConfigError) as err:
            ADict(a=1).dump(path)
        assert err.value.source == str(path)
        assert all(ext in str(err.value) for ext in ALL_EXTENSIONS)
        assert _listing(tmp_path) == []

    def test_extension_is_case_insensitive(self, tmp_path: Path) -> None:
        """`CONFIG.JSON` is read as JSON."""
        path = tmp_path / "CONFIG.JSON"
        path.write_text('{"a": 1}', encoding="utf-8")
        assert ADict.from_file(path) == {"a": 1}

    @pytest.mark.parametrize("ext", ALL_EXTENSIONS)
    def test_from_file_returns_adict(self, tmp_path: Path, ext: str) -> None:
        """Every format loads into an ADict whose nested mappings are ADicts."""
        path = tmp_path / f"c{ext}"
        ADict(model={"lr": 0.5, "name": "m"}, epochs=3).dump(path)
        loaded = ADict.from_file(path)
        assert isinstance(loaded, ADict)
        assert isinstance(loaded.model, ADict)
        assert loaded.model.lr == 0.5
        assert loaded == {"model": {"lr": 0.5, "name": "m"}, "epochs": 3}

    def test_load_deep_merges_into_existing(self, tmp_path: Path) -> None:
        """`ADict.load` deep-merges the file's tree into the receiver and returns it."""
        path = tmp_path / "over.json"
        path.write_text(json.dumps({"model": {"lr": 0.1}, "seed": 7}), encoding="utf-8")
        cfg = ADict(model={"lr": 1.0, "depth": 4}, epochs=2)
        assert cfg.load(path) is cfg
        assert cfg == {"model": {"lr": 0.1, "depth": 4}, "epochs": 2, "seed": 7}


# --------------------------------------------------------------------------- file errors
class TestFileErrors:
    """Missing files, directories, undecodable bytes and non-mapping documents."""

    @pytest.mark.parametrize("ext", ALL_EXTENSIONS)
    def test_missing_file(self, tmp_path: Path, ext: str) -> None:
        """A missing file raises FileNotFoundError whose `.filename` is the path."""
        path = tmp_path / f"absent{ext}"
        with pytest.raises(FileNotFoundError) as err:
            ADict.from_file(path)
        assert err.value.filename == str(path)

    @pytest.mark.parametrize("ext", ALL_EXTENSIONS)
    def test_directory(self, tmp_path: Path, ext: str) -> None:
        """A directory where a file was expected raises ConfigError naming the path."""
        path = tmp_path / f"dir{ext}"
        path.mkdir()
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None and str(path) in err.value.source
        assert str(path) in str(err.value)

    @pytest.mark.parametrize("ext", [".json", ".yaml", ".toml", ".xyz", ".py"])
    def test_non_utf8_bytes(self, tmp_path: Path, ext: str) -> None:
        """Bytes that are not UTF-8 raise ConfigError naming the file."""
        path = tmp_path / f"latin1{ext}"
        path.write_bytes("name = 'caf\xe9'\n".encode("latin-1"))
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source is not None and str(path) in err.value.source
        assert str(path) in str(err.value)

    def test_non_utf8_reports_byte_and_offset(self, tmp_path: Path) -> None:
        """The UTF-8 problem records the offending byte and its offset."""
        path = tmp_path / "bad.json"
        path.write_bytes(b'{"a": "\xff"}')
        with pytest.raises(ConfigError) as err:
            load_file(path)
        assert err.value.expected == "UTF-8 text"
        assert err.value.got == "byte 0xff at offset 7"
        assert err.value.source == str(path)

    def test_utf8_bom_is_accepted(self, tmp_path: Path) -> None:
        """A UTF-8 byte-order mark does not break parsing."""
        path = tmp_path / "bom.json"
        path.write_bytes(b'\xef\xbb\xbf{"a": 1}')
        assert ADict.from_file(path) == {"a": 1}

    @pytest.mark.parametrize(
        ("name", "text", "got"),
        [
            ("list.json", "[1, 2, 3]", "list"),
            ("number.json", "3", "int"),
            ("scalar.yaml", "just a string\n", "str"),
            ("seq.yml", "- 1\n- 2\n", "list"),
        ],
    )
    def test_top_level_not_a_mapping(self, tmp_path: Path, name: str, text: str, got: str) -> None:
        """A document whose top level is not a mapping raises ConfigError naming the file."""
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.expected == "a mapping at the top level"
        assert err.value.got == got
        assert err.value.source == str(path)

    @pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "---\n"])
    def test_empty_yaml_is_empty_adict(self, tmp_path: Path, text: str) -> None:
        """An empty YAML file (or one with only comments) loads as an empty ADict."""
        path = tmp_path / "empty.yaml"
        path.write_text(text, encoding="utf-8")
        loaded = ADict.from_file(path)
        assert isinstance(loaded, ADict)
        assert loaded == {}


# --------------------------------------------------------------------------- atomic dump
class TestAtomicDump:
    """dump renders first, writes a temp file beside the target and renames it over."""

    def test_failed_render_leaves_existing_file_unchanged(self, tmp_path: Path) -> None:
        """A tree TOML cannot hold leaves the old file byte-for-byte and no temp file."""
        path = tmp_path / "cfg.toml"
        old = b'# hand-written\nlr = 0.1\n\n[model]\nname = "x"\n'
        path.write_bytes(old)
        with pytest.raises(ConfigError) as err:
            ADict(lr=0.2, model={"name": None}).dump(path)
        assert err.value.key == "model.name"
        assert path.read_bytes() == old
        assert _listing(tmp_path) == ["cfg.toml"]

    def test_successful_dump_keeps_permission_bits(self, tmp_path: Path) -> None:
        """Replacing an existing file keeps its permission bits."""
        path = tmp_path / "cfg.json"
        path.write_text("{}", encoding="utf-8")
        path.chmod(0o640)
        ADict(a=1).dump(path)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
        assert ADict.from_file(path) == {"a": 1}
        assert _listing(tmp_path) == ["cfg.json"]

    def test_new_file_follows_umask(self, tmp_path: Path) -> None:
        """A new file gets 0o666 minus the umask, like open() would give it."""
        umask = os.umask(0o027)
        try:
            path = tmp_path / "new.yaml"
            ADict(a=1).dump(path)
        finally:
            os.umask(umask)
        assert stat.S_IMODE(path.stat().st_mode) == 0o640

    def test_dump_creates_missing_parent_directories(self, tmp_path: Path) -> None:
        """Missing parent directories are created."""
        path = tmp_path / "runs" / "exp1" / "deep" / "cfg.yaml"
        ADict(a={"b": [1, 2]}).dump(path)
        assert ADict.from_file(path) == {"a": {"b": [1, 2]}}

    def test_failed_replace_leaves_target_and_no_temp(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the final rename fails, the target is unchanged and the temp file is removed."""
        path = tmp_path / "cfg.json"
        old = b'{"old": true}\n'
        path.write_bytes(old)

        def broken_replace(src: object, dst: object) -> None:
            raise OSError("disk on fire")

        monkeypatch.setattr(os, "replace", broken_replace)
        with pytest.raises(OSError, match="disk on fire"):
            ADict(new=1).dump(path)
        assert path.read_bytes() == old
        assert _listing(tmp_path) == ["cfg.json"]

    def test_failed_write_of_new_file_leaves_nothing(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """If the rename fails for a new file, no file of any name is left behind."""
        path = tmp_path / "fresh.toml"

        def broken_replace(src: object, dst: object) -> None:
            raise OSError("no")

        monkeypatch.setattr(os, "replace", broken_replace)
        with pytest.raises(OSError, match="no"):
            dump_file({"a": 1}, path)
        assert _listing(tmp_path) == []

    def test_dump_accepts_plain_dict_and_str_path(self, tmp_path: Path) -> None:
        """dump_file takes a plain dict and a str path."""
        path = str(tmp_path / "plain.json")
        dump_file({"a": [1, {"b": None}]}, path)
        assert load_file(path) == {"a": [1, {"b": None}]}


# --------------------------------------------------------------------------- representability
class TestUnrepresentable:
    """Values no format can hold are reported with their dotted key path, all at once."""

    @pytest.mark.parametrize("ext", ALL_EXTENSIONS)
    def test_all_bad_values_listed_once(self, tmp_path: Path, ext: str) -> None:
        """A complex, a timedelta and an object are each reported by dotted path in one error."""
        path = tmp_path / f"bad{ext}"
        when = datetime.timedelta(hours=1)
        marker = object()
        tree = ADict(
            model={"layers": [1, 3 + 4j, 2], "name": "m"},
            when=when,
            extra={"deep": {"obj": marker}},
        )
        with pytest.raises(ConfigError) as err:
            tree.dump(path)
        problems = err.value.problems
        assert [p.key for p in problems] == ["model.layers[1]", "when", "extra.deep.obj"]
        assert [p.got for p in problems] == [3 + 4j, when, marker]
        assert all(p.source == str(path) for p in problems)
        assert all("str" in (p.expected or "") for p in problems)
        message = str(err.value)
        assert message.startswith("3 configuration problems:")
        for key in ("model.layers[1]", "when", "extra.deep.obj"):
            assert key in message
        assert not path.exists()

    def test_non_str_key_reported(self, tmp_path: Path) -> None:
        """A non-str key inside a nested mapping is reported with its path."""
        path = tmp_path / "k.json"
        with pytest.raises(ConfigError) as err:
            dump_file({"a": {1: "x"}}, path)
        assert err.value.key == "a[1]"
        assert err.value.expected == "a str key"
        assert err.value.got == 1

    def test_bad_values_inside_tuples(self, tmp_path: Path) -> None:
        """Positions inside tuples and nested lists are part of the reported path."""
        path = tmp_path / "t.yaml"
        with pytest.raises(ConfigError) as err:
            dump_file({"a": ({"b": [0, b"raw"]},)}, path)
        assert err.value.key == "a[0].b[1]"
        assert err.value.got == b"raw"

    @pytest.mark.parametrize("ext", ALL_EXTENSIONS)
    def test_scalar_subclasses_written_as_plain_values(self, tmp_path: Path, ext: str) -> None:
        """StrEnum, IntEnum and numpy float64 values are written as their plain value."""
        path = tmp_path / f"sub{ext}"
        tree = ADict(
            shade=Shade.DARK, level=Level.HIGH, lr=np.float64(0.25),
            nested={"items": [Shade.DARK, np.float64(1.5), Level.HIGH]},
        )
        tree.dump(path)
        loaded = ADict.from_file(path)
        assert loaded == {
            "shade": "dark", "level": 3, "lr": 0.25, "nested": {"items": ["dark", 1.5, 3]},
        }
        assert type(loaded.shade) is str
        assert type(loaded.level) is int
        assert type(loaded.lr) is float
        assert [type(v) for v in loaded.nested["items"]] == [str, float, int]

    @pytest.mark.parametrize("ext", [".json", ".yaml"])
    def test_str_mixin_enum_written_as_value(self, tmp_path: Path, ext: str) -> None:
        """A `(str, Enum)` member is written as its value, 'red', not as 'Color.RED'."""
        path = tmp_path / f"mixin{ext}"
        ADict(color=Color.RED, nested={"items": [Color.RED]}).dump(path)
        loaded = ADict.from_file(path)
        assert loaded == {"color": "red", "nested": {"items": ["red"]}}
        assert type(loaded.color) is str

    def test_str_enum_keys_written_as_values(self, tmp_path: Path) -> None:
        """Str-enum keys are written as their values."""
        path = tmp_path / "keys.json"
        dump_file({"a": {Color.RED: 1, Shade.DARK: 2}}, path)
        assert load_file(path) == {"a": {"red": 1, "dark": 2}}

    @pytest.mark.parametrize("ext", [".json", ".yaml", ".toml", ".xyz", ".py"])
    def test_numpy_scalars_written_as_python_values(self, tmp_path: Path, ext: str) -> None:
        """numpy scalars (int64, bool_, float32) are written as the Python value they hold."""
        path = tmp_path / f"np{ext}"
        dump_file({"steps": np.int64(3), "flag": np.bool_(True), "lr": np.float32(0.5)}, path)
        loaded = load_file(path)
        assert loaded == {"steps": 3, "flag": True, "lr": 0.5}
        assert [type(v) for v in loaded.values()] == [int, bool, float]

    def test_lone_surrogates_are_reported(self, tmp_path: Path) -> None:
        """Text UTF-8 cannot hold is a ConfigError naming each path; nothing is written."""
        path = tmp_path / "s.json"
        with pytest.raises(ConfigError) as err:
            dump_file({"a": {"b": "x\ud800"}, "\udc00": 1}, path)
        assert [p.key for p in err.value.problems] == ["a.b", "\udc00"]
        assert not path.exists()
        assert list(tmp_path.iterdir()) == []

