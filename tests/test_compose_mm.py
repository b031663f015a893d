"""ato.compose._mm: OpenMMLab configs (``_base_`` chains) loaded as mmengine loads them."""

from __future__ import annotations

import math
import os
import sys
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from _mm_trees import FAKE_PACKAGE, write_files, write_tree

from ato import ADict
from ato.compose._mm import load_mm
from ato.errors import ConfigError


def _load(root: Path, name: str) -> tuple[dict[str, Any], dict[str, str]]:
    return load_mm(write_tree(root, name))


class TestBases:
    def test_chain_of_string_and_list_bases(self, tmp_path: Path) -> None:
        """A string and a list of relative bases, three levels deep, merge in order."""
        tree, _ = _load(tmp_path, "chain")
        assert tree == {
            "model": {
                "type": "Net",
                "backbone": {"depth": 101, "frozen": (1, 2)},
                "head": {"num_classes": 3, "loss": {"type": "CE", "weight": 1.0}},
            },
            "log_level": "DEBUG",
            "hooks": [{"type": "C"}],
        }
        assert "_base_" not in tree

    def test_sources_name_the_file_of_each_leaf(self, tmp_path: Path) -> None:
        """Each leaf's source is the file that set its final value."""
        _, sources = _load(tmp_path, "chain")
        assert sources == {
            "model.type": str(tmp_path / "base/models/net.py"),
            "model.backbone.depth": str(tmp_path / "configs/mid.py"),
            "model.backbone.frozen": str(tmp_path / "base/models/net.py"),
            "model.head.num_classes": str(tmp_path / "configs/top.py"),
            "model.head.loss.type": str(tmp_path / "base/models/net.py"),
            "model.head.loss.weight": str(tmp_path / "base/models/net.py"),
            "log_level": str(tmp_path / "configs/top.py"),
            "hooks": str(tmp_path / "configs/mid.py"),
        }

    def test_lists_of_dicts_are_replaced_and_tuples_kept(self, tmp_path: Path) -> None:
        """A list (of dicts too) replaces the base's list; a tuple stays a tuple."""
        tree, _ = _load(tmp_path, "chain")
        assert tree["hooks"] == [{"type": "C"}]
        assert type(tree["model"]["backbone"]["frozen"]) is tuple

    def test_path_like_and_relative_top_file(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The top file may be a relative str or a PathLike; bases resolve next to it."""
        write_tree(tmp_path, "chain")
        monkeypatch.chdir(tmp_path / "configs")
        assert load_mm("top.py") == load_mm(Path(tmp_path / "configs" / "top.py"))

    def test_duplicate_key_among_bases(self, tmp_path: Path) -> None:
        """Two bases defining one top-level key is an error naming the key and both files."""
        write_files(tmp_path, {"a.py": "x = 1\n", "b.py": "x = 2\n", "c.py": "_base_ = ['a.py', 'b.py']\n"})
        with pytest.raises(ConfigError) as info:
            load_mm(tmp_path / "c.py")
        assert info.value.key == "x"
        assert "a.py" in str(info.value) and "b.py" in str(info.value)

    def test_yaml_and_json_chain_read_as_yaml_1_1(self, tmp_path: Path) -> None:
        """YAML and JSON bases merge; YAML reads as mmengine's PyYAML does (1e-3 a str)."""
        tree, sources = _load(tmp_path, "yaml_chain")
        assert tree == {
            "optim": {"lr": 0.01, "nesterov": True},
            "steps": [1, 2],
            "data": {"batch": 4, "shuffle": True},
            "none": None,
        }
        assert sources["optim.nesterov"] == str(tmp_path / "a.yaml")
        assert sources["none"] == str(tmp_path / "b.json")
        write_files(tmp_path, {"plain.yaml": "lr: 1e-3\n"})
        assert load_mm(tmp_path / "plain.yaml")[0] == {"lr": "1e-3"}


class TestDelete:
    def test_delete_true_replaces_false_merges(self, tmp_path: Path) -> None:
        """`_delete_=True` replaces the base mapping; `_delete_=False` is dropped and merges."""
        tree, sources = _load(tmp_path, "delete")
        assert tree["optimizer"] == {"type": "Adam", "lr": 0.001}
        assert tree["model"]["neck"] == {"type": "FPN", "channels": [128]}
        assert sources["optimizer.type"] == str(tmp_path / "child.py")
        assert "optimizer.momentum" not in sources

    def test_delete_stays_where_nothing_is_merged(self, tmp_path: Path) -> None:
        """As in mmengine, `_delete_` stays in a new key's mapping and below a replaced one."""
        tree, _ = _load(tmp_path, "delete")
        assert tree["extra"] == {"_delete_": True, "x": 1}
        assert tree["model"]["head"] == {"b": {"_delete_": True, "c": 1}}

    def test_mapping_onto_a_value_is_an_error(self, tmp_path: Path) -> None:
        """Merging a mapping onto a base's non-mapping names the key and suggests `_delete_`."""
        write_files(tmp_path, {"a.py": "x = [1]\n", "b.py": "_base_ = 'a.py'\nx = dict(y=1)\n"})
        with pytest.raises(ConfigError) as info:
            load_mm(tmp_path / "b.py")
        assert info.value.key == "x"
        assert "_delete_=True" in str(info.value)


class TestPythonConfigs:
    def test_base_variable_references(self, tmp_path: Path) -> None:
        """`_base_.x` reads the merged bases, with attribute access into lists of dicts."""
        tree, _ = _load(tmp_path, "py_refs")
        assert tree["train_pipeline"] == [
            {"type": "Load"}, {"type": "Resize", "scale": (1333, 800)}, {"type": "Pack"}
        ]
        assert tree["scale"] == (1333, 800)
        assert tree["model"] == {"type": "Net", "backbone": {"depth": 101, "style": "pytorch"}}
        assert tree["data"] == {"batch": 4, "root": "data/coco/"}

    def test_two_names_for_one_dict_merge_separately(self, tmp_path: Path) -> None:
        """`test_evaluator = val_evaluator` with `_delete_=True` replaces both (mmdet's mask2former)."""
        tree, _ = _load(tmp_path, "py_refs")
        assert tree["val_evaluator"] == tree["test_evaluator"] == {"type": "Panoptic"}

    def test_base_objects_behave_like_configdicts(self, tmp_path: Path) -> None:
        """`_base_` objects copy, update, pop and mutate in place as mmengine's ConfigDict does."""
        tree, sources = _load(tmp_path, "base_methods")
        assert tree["model"] == {"type": "A", "backbone": {"depth": 101, "out": (1, 2)}, "neck": {"ch": 3}}
        assert tree["pipeline"] == [{"type": "Load"}, {"type": "Resize", "keep": False}]
        assert tree["test_pipeline"] == [{"type": "Load"}, {"type": "Resize", "keep": True}]
        assert tree["opt"] == {"lr": 0.1, "m": 0.9}
        assert tree["o"] == {"lr": 0.5, "wd": 1}
        assert (tree["d"], tree["g"], tree["q"], tree["s"]) == (
            {"depth": 101, "out": (1, 2)}, "default", None, 0.9)
        assert tree["k"] == ["model", "pipeline", "test_pipeline", "opt", "extra"]
        assert tree["extra"] == {"lr": 0.1}
        assert sources["model.neck.ch"] == str(tmp_path / "mid.yaml")

    def test_what_names_are_kept(self, tmp_path: Path) -> None:
        """Modules, functions and `__` names are dropped; classes, built-ins and `_` names kept."""
        tree, _ = _load(tmp_path, "filter")
        assert tree == {
            "x": 1,
            "OrderedDict": OrderedDict,
            "sqrt": math.sqrt,
            "_private": 4,
            "ordered": {"b": 1, "a": 2},
            "klass": OrderedDict,
            "root": math.sqrt,
            "pi": math.pi,
            "custom_imports": {"imports": ["ato_mm_never_imported"], "allow_failed_imports": False},
        }
        assert type(tree["ordered"]) is dict

    def test_custom_imports_are_never_imported(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A module named in custom_imports is kept as data and never imported."""
        write_files(tmp_path, {
            "site/ato_mm_never_imported.py": "open(__file__ + '.ran', 'w').close()\n",
            "cfg.py": "custom_imports = dict(imports=['ato_mm_never_imported'])\n",
        })
        monkeypatch.syspath_prepend(str(tmp_path / "site"))
        tree, _ = load_mm(tmp_path / "cfg.py")
        assert tree == {"custom_imports": {"imports": ["ato_mm_never_imported"]}}
        assert "ato_mm_never_imported" not in sys.modules
        assert not (tmp_path / "site" / "ato_mm_never_imported.py.ran").exists()

    def test_plain_from_file_is_unchanged(self, tmp_path: Path) -> None:
        """ADict.from_file runs a Python config as-is (no _base_ handling) and drops built-ins."""
        write_files(tmp_path, {"p.py": "from math import sqrt\n_base_ = 'x.py'\nname = __name__\n"})
        assert ADict.from_file(tmp_path / "p.py") == {"_base_": "x.py", "name": "p"}

    def test_base_assignments_are_removed_everywhere(self, tmp_path: Path) -> None:
        """Every `_base_ = ...` is taken out before running, even one inside an `if`."""
        write_files(tmp_path, {
            "a.py": "depth = 50\n",
            "b.py": "_base_ = 'a.py'\nif True:\n    _base_ = 'other.py'\nseen = _base_.depth\n",
        })
        assert load_mm(tmp_path / "b.py")[0] == {"depth": 50, "seen": 50}

    def test_deprecation_is_popped_with_a_warning(self, tmp_path: Path) -> None:
        """`_deprecation_` leaves the data and warns, naming the suggested file."""
        with pytest.warns(DeprecationWarning, match="new.py"):
            tree, _ = _load(tmp_path, "deprecation")
        assert tree == {"value": 1, "other": 2}

    def test_pure_python_configs_are_refused(self, tmp_path: Path) -> None:
        """mmengine's lazy-import configs (read_base, package imports) are refused, not run."""
        write_files(tmp_path, {
            "lazy.py": "from mmengine.config import read_base\nwith read_base():\n    from .a import *\n",
            "pkg.py": "import ato_mm_never_imported\nx = 1\n",
            "ok.py": "import math\nx = math.floor(1.5)\n",
        })
        for name, why in (("lazy.py", "read_base"), ("pkg.py", "ato_mm_never_imported")):
            with pytest.raises(ConfigError, match=why):
                load_mm(tmp_path / name)
        assert "ato_mm_never_imported" not in sys.modules
        assert load_mm(tmp_path / "ok.py")[0] == {"x": 1}

    def test_other_with_statements_are_refused(self, tmp_path: Path) -> None:
        """A `with` other than `with read_base():` is an error, as in mmengine."""
        write_files(tmp_path, {"w.py": "with open(__file__) as f:\n    x = 1\n"})
        with pytest.raises(ConfigError, match="read_base"):
            load_mm(tmp_path / "w.py")

    def test_errors_name_file_and_line(self, tmp_path: Path) -> None:
        """Syntax errors, failing code and a failing `_base_` expression name file and line."""
        write_files(tmp_path, {
            "syntax.py": "x = (\n",
            "raises.py": "_base_ = []\nx = 1\ny = _base_.missing\n",
            "expr.py": "_base_ = undefined_name\n",
        })
        for name, where in (("syntax.py", "line"), ("raises.py", "line 3"), ("expr.py", "line 1")):
            with pytest.raises(ConfigError) as info:
                load_mm(tmp_path / name)
            assert str(tmp_path / name) in str(info.value) and where in str(info.value)


class TestSubstitutions:
    def test_base_variables_in_yaml_json_and_python(self, tmp_path: Path) -> None:
        """`{{ _base_.x }}` takes the bases' value in YAML, JSON and Python, inside lists too."""
        tree, _ = _load(tmp_path, "base_vars")
        loader = {"args": None, "items": ["data/coco/", 1]}
        assert tree["root"] == "data/coco/"
        assert tree["mean"] == [1, 2, 3]
        assert tree["loader"] == loader
        assert tree["flag"] is True and tree["rgb"] is True
        assert tree["copy"] == loader
        assert tree["pair"] == ("data/coco/", ["data/coco/", 1])

    def test_unknown_base_variable(self, tmp_path: Path) -> None:
        """A `{{ _base_.x }}` naming no key of the bases names the key and the reference."""
        write_files(tmp_path, {"a.py": "model = dict(depth=1)\n",
                               "b.yaml": "_base_: a.py\nd: {{_base_.model.dept}}\n"})
        with pytest.raises(ConfigError) as info:
            load_mm(tmp_path / "b.yaml")
        assert info.value.key == "d"
        assert "_base_.model.dept" in str(info.value) and "'depth'" in str(info.value)

    def test_base_variable_inside_a_string(self, tmp_path: Path) -> None:
        """A `{{ _base_.x }}` inside a longer string is an error (mmengine leaves random text)."""
        write_files(tmp_path, {"a.py": "root = 'r/'\n", "b.py": "_base_ = 'a.py'\np = '{{_base_.root}}x'\n"})
        with pytest.raises(ConfigError) as info:
            load_mm(tmp_path / "b.py")
        assert info.value.key == "p"

    def test_predefined_variables(self, tmp_path: Path) -> None:
        """fileDirname, fileBasename, fileBasenameNoExtension, fileExtname, also in `_base_`."""
        tree, _ = _load(tmp_path, "predefined")
        assert tree == {
            "dirname": str(tmp_path / "exp"),
            "work_dir": "./work_dirs/run_one",
            "name": "run_one.py",
            "ext": ".py",
        }
        tree, _ = _load(tmp_path, "predefined_yaml")
        assert tree == {"work_dir": "./work_dirs/run_two", "name": "run_two.yml", "ext": ".yml"}

    def test_environment_variables(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """`{{$NAME:default}}` takes the variable when set, else the default."""
        monkeypatch.delenv("ATO_MM_NUM", raising=False)
        monkeypatch.setenv("ATO_MM_ROOT", "/data")
        assert _load(tmp_path, "env")[0] == {"data_root": "/data/images", "num": 3}
        monkeypatch.delenv("ATO_MM_ROOT")
        assert _load(tmp_path, "env")[0] == {"data_root": "/default/root/images", "num": 3}


class TestErrors:
    def test_missing_base_names_both_files(self, tmp_path: Path) -> None:
        """A missing base is FileNotFoundError naming the base and the config listing it."""
        write_files(tmp_path, {"a.py": "_base_ = ['./nope.py']\n"})
        with pytest.raises(FileNotFoundError) as info:
            load_mm(tmp_path / "a.py")
        assert info.value.filename == str(tmp_path / "nope.py")
        assert str(tmp_path / "a.py") in str(info.value)

    def test_missing_top_file(self, tmp_path: Path) -> None:
        """A missing config file is FileNotFoundError naming it."""
        with pytest.raises(FileNotFoundError) as info:
            load_mm(tmp_path / "none.py")
        assert info.value.filename == str(tmp_path / "none.py")

    def test_cycle_lists_the_chain(self, tmp_path: Path) -> None:
        """A `_base_` cycle is a ConfigError listing the files around it."""
        write_files(tmp_path, {"a.py": "_base_ = 'b.yaml'\n", "b.yaml": "_base_: c.py\n",
                               "c.py": "_base_ = ['a.py']\n"})
        with pytest.raises(ConfigError) as info:
            load_mm(tmp_path / "a.py")
        chain = " -> ".join(str(tmp_path / n) for n in ("a.py", "b.yaml", "c.py", "a.py"))
        assert chain in str(info.value)

    def test_self_reference_is_a_cycle(self, tmp_path: Path) -> None:
        """A file listing itself as its base is a cycle too."""
        write_files(tmp_path, {"a.py": "_base_ = './a.py'\n"})
        with pytest.raises(ConfigError, match="cycle"):
            load_mm(tmp_path / "a.py")

    def test_bad_base_entries_and_extensions(self, tmp_path: Path) -> None:
        """A non-str `_base_` entry and an unsupported extension are ConfigErrors."""
        write_files(tmp_path, {"a.py": "_base_ = [1]\n", "b.py": "_base_ = 'c.toml'\n", "c.toml": "x = 1\n"})
        with pytest.raises(ConfigError, match="_base_"):
            load_mm(tmp_path / "a.py")
        with pytest.raises(ConfigError, match=r"\.toml"):
            load_mm(tmp_path / "b.py")

    def test_malformed_data_files(self, tmp_path: Path) -> None:
        """Malformed YAML or JSON, or a top level that is no mapping, names the file."""
        write_files(tmp_path, {"a.yaml": "a: [1\n", "b.json": "{1}\n", "c.yaml": "- 1\n"})
        for name in ("a.yaml", "b.json", "c.yaml"):
            with pytest.raises(ConfigError) as info:
                load_mm(tmp_path / name)
            assert str(tmp_path / name) in str(info.value)

    def test_python_tags_are_refused(self, tmp_path: Path) -> None:
        """YAML is read with the safe constructors: a python tag is an error, never run."""
        write_files(tmp_path, {"a.yaml": "x: !!python/object/apply:os.system ['touch PWNED']\n"})
        with pytest.raises(ConfigError):
            load_mm(tmp_path / "a.yaml")
        assert not Path("PWNED").exists()

    def test_reserved_top_level_keys(self, tmp_path: Path) -> None:
        """Keys mmengine's Config reserves (filename, text, ...) are refused at the top."""
        write_files(tmp_path, {"a.py": "filename = 'x'\n"})
        with pytest.raises(ConfigError) as info:
            load_mm(tmp_path / "a.py")
        assert info.value.key == "filename"

    def test_environment_variable_without_default(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`{{$NAME:}}` with the variable unset is an error naming it."""
        monkeypatch.delenv("ATO_MM_UNSET", raising=False)
        write_files(tmp_path, {"a.py": "x = '{{$ATO_MM_UNSET:}}'\n"})
        with pytest.raises(ConfigError) as info:
            load_mm(tmp_path / "a.py")
        assert info.value.key == "$ATO_MM_UNSET"


class TestPackageBases:
    @pytest.fixture
    def site(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """A fake `mmflow` package with configs in `.mim/configs`, on sys.path."""
        site = tmp_path / "site"
        write_files(site, FAKE_PACKAGE)
        monkeypatch.syspath_prepend(str(site))
        return site

    def test_package_base_resolves_without_import(self, tmp_path: Path, site: Path) -> None:
        """`mmflow::path` reads the installed package's `.mim/configs` and never imports it."""
        write_files(tmp_path, {"cfg.py": """
            _base_ = 'mmflow::_base_/models/flow.py'
            model = dict(encoder=dict(depth=4))
        """})
        tree, sources = load_mm(tmp_path / "cfg.py")
        assert tree["model"] == {
            "type": "Flow", "encoder": {"type": "Enc", "depth": 4}, "heads": [{"type": "H"}],
            "_scope_": "mmflow",
        }
        assert tree["losses"] == [{"type": "L1", "_scope_": "mmflow"}, {"name": "no type"}]
        assert tree["num"] == 1
        assert sources["num"] == str(site / "mmflow/.mim/configs/_base_/models/flow.py")
        assert "mmflow" not in sys.modules
        assert not (site / "mmflow" / "IMPORTED").exists()

    def test_package_scope_errors(self, tmp_path: Path) -> None:
        """An unknown scope, a package not installed and a malformed entry are ConfigErrors."""
        write_files(tmp_path, {
            "unknown.py": "_base_ = 'mmfoo::_base_/x.py'\n",
            "missing.py": "_base_ = 'mmagic::_base_/x.py'\n",
            "malformed.py": "_base_ = 'mmdet::x.py'\n",
        })
        for name, text in (("unknown.py", "mmfoo"), ("missing.py", "not installed"),
                           ("malformed.py", "package::dir/config")):
            with pytest.raises(ConfigError, match=text):
                load_mm(tmp_path / name)


def test_environment_is_left_alone(tmp_path: Path) -> None:
    """Loading changes neither the working directory nor sys.path."""
    before = (os.getcwd(), list(sys.path))
    _load(tmp_path, "chain")
    assert (os.getcwd(), list(sys.path)) == before
