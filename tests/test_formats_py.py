"""ato.formats._py: Python config files, their errors, and dumping a tree as Python."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from ato import ADict, ConfigError
from ato.formats import loads


def _write(tmp_path: Path, text: str, name: str = "cfg.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


CONFIG = '''\
"""A config module."""
import os
import os.path as osp
from os.path import join

def helper(x):
    return x * 2

square = lambda x: x * x
__author__ = "me"
_private = 1
lr = helper(0.05)
shape = (1, 2)
one = (3,)
name = osp.basename("/a/b/run")
model = dict(type="ResNet", depth=50, stages=[1, (2,)], norm=None)
'''


class TestLoading:
    """Module-level names are the config."""

    def test_public_names_are_the_config(self, tmp_path: Path) -> None:
        """Imports, functions, lambdas and dunder names are left out; the rest is kept."""
        cfg = ADict.from_file(_write(tmp_path, CONFIG))
        assert cfg == {
            "_private": 1,
            "lr": 0.1,
            "shape": (1, 2),
            "one": (3,),
            "name": "run",
            "model": {"type": "ResNet", "depth": 50, "stages": [1, (2,)], "norm": None},
        }
        assert isinstance(cfg.model, ADict)

    def test_tuples_stay_tuples(self, tmp_path: Path) -> None:
        """A tuple in a .py config is a tuple in the ADict, also when nested."""
        cfg = ADict.from_file(_write(tmp_path, CONFIG))
        assert type(cfg.shape) is tuple
        assert type(cfg.one) is tuple
        assert type(cfg.model.stages[1]) is tuple

    def test_imported_builtin_function_is_excluded(self, tmp_path: Path) -> None:
        """A function imported from a C module (`from math import sqrt`) is not a config value."""
        cfg = ADict.from_file(_write(tmp_path, "from math import sqrt\nside = sqrt(16.0)\n"))
        assert cfg == {"side": 4.0}

    def test_file_dunder_is_available(self, tmp_path: Path) -> None:
        """`__file__` is set while the config runs (and not kept in the result)."""
        path = _write(tmp_path, "import os\nhere = os.path.basename(__file__)\n")
        assert ADict.from_file(path) == {"here": "cfg.py"}

    def test_load_merges_py_config(self, tmp_path: Path) -> None:
        """`ADict.load` deep-merges a .py config."""
        path = _write(tmp_path, "model = dict(depth=101)\n")
        cfg = ADict(model={"depth": 50, "width": 2})
        cfg.load(path)
        assert cfg == {"model": {"depth": 101, "width": 2}}

    def test_loads_refuses_python_text(self) -> None:
        """Python text is never run from a string; only from a file the user names."""
        with pytest.raises(ConfigError):
            loads("import os\nos.system('touch PWNED')\n", "py")


class TestErrors:
    """A broken .py config is a ConfigError naming the file and the line."""

    def test_syntax_error(self, tmp_path: Path) -> None:
        """A syntax error names the file and its line."""
        path = _write(tmp_path, "a = 1\n\nb = = 2\nc = 3\n")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source == f"{path}, line 3"
        assert err.value.problems[0].detail is not None
        assert err.value.problems[0].detail.startswith("invalid Python")
        assert f"{path}, line 3" in str(err.value)

    def test_runtime_error_at_top_level(self, tmp_path: Path) -> None:
        """An exception while running names the file and the line that raised."""
        path = _write(tmp_path, "a = 1\nb = 2\nc = a / 0\nd = 4\n")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source == f"{path}, line 3"
        assert "ZeroDivisionError" in str(err.value)
        assert isinstance(err.value.__cause__, ZeroDivisionError)

    def test_runtime_error_inside_a_config_function(self, tmp_path: Path) -> None:
        """When a function in the config raises, the line of the raise is named."""
        text = "def bad():\n    return {}['missing']\n\nx = 1\ny = bad()\n"
        path = _write(tmp_path, text)
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source == f"{path}, line 2"
        assert "KeyError" in str(err.value)

    def test_runtime_error_in_imported_module_names_config_line(self, tmp_path: Path) -> None:
        """An exception raised outside the config file names the config line that led there."""
        path = _write(tmp_path, "import json\n\nx = json.loads('{bad')\n")
        with pytest.raises(ConfigError) as err:
            ADict.from_file(path)
        assert err.value.source == f"{path}, line 3"
        assert "JSONDecodeError" in str(err.value)


DUMP_TREE: dict[str, Any] = {
    "lr": 0.1,
    "epochs": 10,
    "flag": False,
    "nothing": None,
    "inf": math.inf,
    "ninf": -math.inf,
    "one": (1,),
    "empty_tuple": (),
    "pair": (1, (2, {"k": "v"})),
    "text": "quotes ' \" \\ and\nnewline é 模型",
    "model": {"a-b": 1, "1": [1, {"class": None}], "": {}, "xs": [math.inf]},
    "big": 2**80,
    "empty": [],
}


class TestDumping:
    """A tree dumped to .py loads back to the same tree."""

    def test_round_trip(self, tmp_path: Path) -> None:
        """Dump then load gives the same tree, with inf, tuples and nested keys intact."""
        path = tmp_path / "out.py"
        ADict(DUMP_TREE).dump(path)
        loaded = ADict.from_file(path)
        assert loaded == DUMP_TREE
        assert list(loaded) == list(DUMP_TREE)
        assert type(loaded.one) is tuple
        assert loaded.one == (1,)
        assert type(loaded.pair[1]) is tuple
        assert loaded.inf == math.inf
        assert loaded.ninf == -math.inf

    def test_nan_round_trip(self, tmp_path: Path) -> None:
        """nan is written so that it loads back as a float nan."""
        path = tmp_path / "nan.py"
        ADict(n=math.nan, xs=[math.nan]).dump(path)
        loaded = ADict.from_file(path)
        assert math.isnan(loaded.n)
        assert math.isnan(loaded.xs[0])

    def test_written_text(self, tmp_path: Path) -> None:
        """Each top-level key becomes one assignment of a Python literal."""
        path = tmp_path / "t.py"
        ADict(a=1, b=(2,), c={"d": math.inf}, e="x").dump(path)
        assert path.read_text(encoding="utf-8") == (
            "a = 1\nb = (2,)\nc = {'d': 1e999}\ne = 'x'\n"
        )

    def test_key_named_float_with_inf(self, tmp_path: Path) -> None:
        """A top-level key named `float` does not break the writing of inf."""
        path = tmp_path / "shadow.py"
        ADict({"float": 1, "x": math.inf}).dump(path)
        assert ADict.from_file(path) == {"float": 1, "x": math.inf}

    def test_non_identifier_top_level_keys(self, tmp_path: Path) -> None:
        """Top-level keys that cannot be Python names are all reported and nothing is written."""
        path = tmp_path / "bad.py"
        tree = {"ok": 1, "a-b": 2, "1x": 3, "class": 4, "__hidden": 5, "": 6, "with space": 7}
        with pytest.raises(ConfigError) as err:
            ADict(tree).dump(path)
        keys = [p.key for p in err.value.problems]
        assert keys == ["a-b", "1x", "class", "__hidden", "", "with space"]
        assert all(p.got == p.key for p in err.value.problems)
        assert all(p.source == str(path) for p in err.value.problems)
        assert all("identifier" in (p.expected or "") for p in err.value.problems)
        assert not path.exists()

    def test_options_are_refused(self, tmp_path: Path) -> None:
        """Python writing takes no options."""
        path = tmp_path / "o.py"
        with pytest.raises(ConfigError):
            ADict(a=1).dump(path, indent=2)
        assert not path.exists()
