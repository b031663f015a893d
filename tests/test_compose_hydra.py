"""ato.compose._hydra: Hydra-style composition of a config directory, file by file."""

from __future__ import annotations

import copy
import warnings
from pathlib import Path
from typing import Any

import pytest
from _hydra_trees import APP, EDGE, MERGING, PACKAGES, SELF_ORDER, SPEC, write_tree

from ato.compose._hydra import ConfigFileNotFoundError, compose
from ato.compose._interp import missing_keys, resolve
from ato.errors import ConfigError

TRIED_EXTENSIONS = (".yaml", ".yml", ".json", ".toml", ".xyz")


def tree_of(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_tree(tmp_path / "configs", files)


def composed(root: Path, name: str = "config", **kwargs: Any) -> dict[str, Any]:
    return compose(root, name, **kwargs)[0]


# ---------------------------------------------------------------------------- the spec
def test_spec_example_compose_hierarchy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The spec's compose_hierarchy call, exactly as written, on the spec's layout."""
    write_tree(tmp_path / "configs", SPEC)
    monkeypatch.chdir(tmp_path)
    # Switch to ADict.compose_hierarchy(...) (same arguments) once the ADict method lands.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing is missing, so on_missing='warn' stays quiet
        config, sources = compose(
            root='configs',
            config_filename='config',
            select={
                'model': 'resnet50',
                'data': 'imagenet'
            },
            overrides={
                'model.lr': 0.01,
                'data.batch_size': 64
            },
            required=['model.backbone', 'data.dataset'],
            on_missing='warn'
        )
    assert config == {
        "seed": 0, "lr": 1e-3,
        "model": {"lr": 0.01, "backbone": "resnet50", "depth": 50,
                  "head": {"dropout": 0.5, "sizes": [512, 256]}},
        "data": {"dataset": "imagenet", "batch_size": 64, "root": "/data/${data.dataset}"},
    }
    assert sources["model.backbone"] == "configs/model/resnet50.yaml:1"
    assert sources["model.head.sizes"] == "configs/model/resnet50.yaml:6"
    assert sources["model.lr"] == "override 'model.lr'"
    assert sources["data.batch_size"] == "override 'data.batch_size'"
    assert sources["seed"] == "configs/config.yaml:1"


# ---------------------------------------------------------------------------- files
@pytest.mark.parametrize(
    ("ext", "text"),
    [
        (".yml", "a: 1\nb: {c: x}\n"),
        (".json", '{"a": 1, "b": {"c": "x"}}'),
        (".toml", 'a = 1\n[b]\nc = "x"\n'),
        (".xyz", "a: 1\nb:\n  c: x\n"),
    ],
)
def test_other_extensions_for_primary_and_options(tmp_path: Path, ext: str, text: str) -> None:
    """.yml, .json, .toml and .xyz files serve as primary config and as group options."""
    root = tree_of(tmp_path, {f"config{ext}": text, f"grp/opt{ext}": text})
    tree, sources = compose(root, "config", select={"grp": "opt"})
    assert tree == {"a": 1, "b": {"c": "x"}, "grp": {"a": 1, "b": {"c": "x"}}}
    line = ":1" if ext == ".yml" else ""
    assert sources["grp.a"] == str(root / f"grp/opt{ext}") + line


def test_two_files_for_one_option_is_an_error_naming_both(tmp_path: Path) -> None:
    """model/a.yaml next to model/a.json is a ConfigError listing both, never a merge."""
    root = tree_of(tmp_path, {"config.yaml": "x: 1\n", "model/a.yaml": "k: 1\n", "model/a.json": '{"k": 2}'})
    with pytest.raises(ConfigError) as info:
        compose(root, select={"model": "a"})
    assert str(root / "model/a.yaml") in str(info.value)
    assert str(root / "model/a.json") in str(info.value)


def test_a_name_with_its_extension_picks_that_file(tmp_path: Path) -> None:
    """'config.yaml' names one file when config.yml exists too, as Hydra allows."""
    root = tree_of(tmp_path, {"config.yaml": "which: yaml\n", "config.yml": "which: yml\n"})
    with pytest.raises(ConfigError, match="2 files for the one config"):
        compose(root, "config")
    assert composed(root, "config.yml") == {"which": "yml"}


def test_python_options_are_never_read(tmp_path: Path) -> None:
    """A .py option is not composed (nor run); the error says it exists."""
    marker = tmp_path / "ran"
    root = tree_of(tmp_path, {
        "config.yaml": "x: 1\n",
        "model/net.py": f"open({str(marker)!r}, 'w').close()\ndepth = 3\n",
    })
    with pytest.raises(ConfigFileNotFoundError, match="never reads Python options") as info:
        compose(root, select={"model": "net"})
    assert str(root / "model/net.yaml") in str(info.value)
    assert not marker.exists()


def test_yaml_is_read_as_omegaconf_reads_it(tmp_path: Path) -> None:
    """1e-3 is a float, dates stay strings, yes is True, a lone word is {word: None}."""
    root = tree_of(tmp_path, {
        "config.yaml": "lr: 1e-3\nday: 2024-01-01\nflag: yes\nbig: 6.02e23\n",
        "words/one.yaml": "# @package _global_\nhello\n",
    })
    tree = composed(root, select={"words": "one"})
    assert tree == {"lr": 1e-3, "day": "2024-01-01", "flag": True, "big": 6.02e23, "hello": None}
    assert type(tree["lr"]) is float


def test_a_list_option_is_placed_under_its_group(tmp_path: Path) -> None:
    """An option whose file is a list lands under its key; as the primary it is refused."""
    root = tree_of(tmp_path, {"config.yaml": "x: 1\n", "items/some.yaml": "- a\n- b\n"})
    assert composed(root, select={"items": "some"}) == {"x": 1, "items": ["a", "b"]}
    with pytest.raises(ConfigError, match="primary config"):
        compose(root, "items/some")


def test_malformed_file_names_file_and_line(tmp_path: Path) -> None:
    """A YAML syntax error in an option reports that file and line."""
    root = tree_of(tmp_path, {"config.yaml": "x: 1\n", "model/bad.yaml": "a: 1\nb: [\n"})
    with pytest.raises(ConfigError, match=r"bad\.yaml, line 3"):
        compose(root, select={"model": "bad"})


# ---------------------------------------------------------------------------- placement
def test_options_are_placed_under_their_group_key(tmp_path: Path) -> None:
    """model/resnet50.yaml lands at cfg.model, db/engine/inno.yaml at cfg.db.engine."""
    root = tree_of(tmp_path, {
        "config.yaml": "x: 1\n",
        "model/resnet50.yaml": "depth: 50\n",
        "db/engine/inno.yaml": "pages: 16\n",
    })
    tree = composed(root, select={"model": "resnet50", "db/engine": "inno"})
    assert tree == {"x": 1, "model": {"depth": 50}, "db": {"engine": {"pages": 16}}}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("# @package _global_\n", {"x": 1, "depth": 50}),
        ("# @package deep.inside\n", {"x": 1, "deep": {"inside": {"depth": 50}}}),
        ("# @package _global_.top\n", {"x": 1, "top": {"depth": 50}}),
        ("# @package _group_\n", {"x": 1, "model": {"depth": 50}}),
        ("# a comment first hides the header\n# @package _global_\n", {"x": 1, "model": {"depth": 50}}),
    ],
)
def test_package_headers(tmp_path: Path, header: str, expected: dict[str, Any]) -> None:
    """`# @package` headers place an option as Hydra places it."""
    root = tree_of(tmp_path, {"config.yaml": "x: 1\n", "model/resnet50.yaml": header + "depth: 50\n"})
    assert composed(root, select={"model": "resnet50"}) == expected


def test_package_header_with_name_keyword_is_refused(tmp_path: Path) -> None:
    """Hydra 1.0's `_name_` in a header is a ConfigError naming the file."""
    root = tree_of(tmp_path, {"config.yaml": "x: 1\n", "m/a.yaml": "# @package _group_._name_\nk: 1\n"})
    with pytest.raises(ConfigError, match="_name_") as info:
        compose(root, select={"m": "a"})
    assert str(root / "m/a.yaml") in str(info.value)


def test_packages_in_defaults_lists(tmp_path: Path) -> None:
    """`group@pkg`, `_here_`, headers, plain entries and `${...}` options, as Hydra does."""
    root = tree_of(tmp_path, PACKAGES)
    assert composed(root) == {
        "common": True, "name": "app",
        "primary_db": {"driver": "mysql"},
        "backup_db": {"driver": "postgres"},
        "web": {"frontend": {"port": 80}},
        "server_conf": {"conf": "httpd.conf"},
        "file": "x.db",
    }
    nginx = composed(root, select={"server": "nginx"})
    assert nginx["server"] == {"shared": {"cert": "a.pem"}, "port": 8080}
    assert nginx["server_conf"] == {"conf": "nginx.conf"}
    assert composed(root, select={"db@backup_db": "sqlite"})["backup_db"] == {"file": "x.db"}


def test_primary_header_and_global_entries(tmp_path: Path) -> None:
    """A primary's header moves its subtree; `@_global_` and `@_group_.x` entries escape it."""
    root = tree_of(tmp_path, EDGE)
    assert composed(root) == {
        "top": {"first": True, "own": 1, "deep": {"er": {"thing": 1}}, "server": {"port": 80}},
        "driver": "mysql",
        "db": {"copy": {"driver": "mysql"}},
    }


# ---------------------------------------------------------------------------- select
def test_select_list_deep_merges_options_in_order(tmp_path: Path) -> None:
    """A list of options merges them in order; a mapping merges into the mapping."""
    root = tree_of(tmp_path, SPEC)
    model = composed(root, select={"model": ["resnet50", "resnet101"]})["model"]
    assert model == {"lr": 0.1, "backbone": "resnet101", "depth": 101,
                     "head": {"dropout": 0.5, "sizes": [1024]}}


def test_select_replaces_the_defaults_choice(tmp_path: Path) -> None:
    """Selecting a group the defaults list names replaces that choice, in its place."""
    root = tree_of(tmp_path, APP)
    tree = composed(root, select={"db": "postgres"})
    assert tree["db"] == {"driver": "postgres", "port": 5432, "timeout": 5}
    assert list(tree)[:2] == ["db", "model"]


def test_select_adds_a_group_after_the_primary(tmp_path: Path) -> None:
    """A group no defaults list names is merged after the primary, so the option wins."""
    root = tree_of(tmp_path, SPEC)
    assert composed(root, select={"model": "resnet101"})["model"]["lr"] == 0.1
    assert composed(root, select={"model": "resnet50"})["model"]["backbone"] == "resnet50"


def test_select_none_leaves_a_group_out(tmp_path: Path) -> None:
    """select={'db': None} drops the defaults list's db option."""
    root = tree_of(tmp_path, APP)
    assert composed(root, select={"db": None})["db"] == {"timeout": 5}


def test_select_with_package_key(tmp_path: Path) -> None:
    """A select key 'group@pkg' places a second copy of a group at another key."""
    root = tree_of(tmp_path, APP)
    tree = composed(root, select={"optimizer@opt_b": "sgd", "optimizer@opt_a": "adam"})
    assert tree["opt_b"] == {"lr": 0.1, "momentum": 0.9}
    assert tree["opt_a"]["lr"] == 3e-4


@pytest.mark.parametrize(
    ("select", "message"),
    [
        ({"model": 3}, "an option name"),
        ({"model": ["a", 1]}, "an option name"),
        ({"hydra/launcher": "basic"}, "runtime groups"),
        ({"": "x"}, "group name"),
    ],
)
def test_bad_select_is_refused(tmp_path: Path, select: dict[str, Any], message: str) -> None:
    """A select value that names no option is a ConfigError before any file is read."""
    root = tree_of(tmp_path, SPEC)
    with pytest.raises(ConfigError, match=message):
        compose(root, select=select)


# ---------------------------------------------------------------------------- defaults lists
def test_a_hydra_tree_composes_without_select(tmp_path: Path) -> None:
    """The primary's defaults list chooses groups, nested groups and `_self_` order."""
    root = tree_of(tmp_path, APP)
    tree = composed(root)
    assert tree == {
        "db": {"driver": "mysql", "port": 3306, "pool": {"size": 5, "extra": [1, 2]}, "timeout": 5},
        "model": {"encoder": {"kernel": 3}, "name": "small", "width": 64},
        "seed": 1, "lr": 1e-3, "day": "2024-01-01", "run_name": "run_${model.name}", "out": "???",
    }


def test_experiment_overrides_defaults(tmp_path: Path) -> None:
    """An experiment's `override /group` entries change choices made earlier."""
    root = tree_of(tmp_path, APP)
    tree = composed(root, select={"experiment": "fast"})
    assert tree["db"]["driver"] == "postgres"
    assert tree["model"] == {"encoder": {"heads": 8, "layers": 12},
                             "optim": {"lr": 3e-4, "betas": [0.9, 0.999]},
                             "name": "large", "width": 2048}
    assert tree["lr"] == 0.01


def test_self_position(tmp_path: Path) -> None:
    """`_self_` first lets options win; without `_self_` the config's own content is last."""
    root = tree_of(tmp_path, SELF_ORDER)
    first = composed(root)
    assert first["v"] == "primary"
    assert first["opt"] == {"v": "a", "only_primary": 1, "sub": {"v": "x"}}
    last = composed(root, "last")
    assert last["opt"] == {"v": "mine", "sub": {"v": "x"}}


def test_optional_missing_option_is_skipped(tmp_path: Path) -> None:
    """`optional local: dev` without local/dev.* composes without it, silently."""
    root = tree_of(tmp_path, APP)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "debug" not in composed(root)
    assert composed(root, select={"local": "prod"})["local"] == {"debug": False, "seed": 7}


def test_mandatory_choice_must_be_selected(tmp_path: Path) -> None:
    """`group: ???` in a defaults list needs a select, and the error lists the options."""
    root = tree_of(tmp_path, {
        "config.yaml": "defaults:\n  - model: ???\n",
        "model/a.yaml": "k: 1\n", "model/b.yaml": "k: 2\n",
    })
    with pytest.raises(ConfigError, match=r"choose one.*a, b"):
        compose(root)
    assert composed(root, select={"model": "b"}) == {"model": {"k": 2}}


def test_interpolated_option_name(tmp_path: Path) -> None:
    """`- conf: ${server}` follows the server group's final choice."""
    root = tree_of(tmp_path, PACKAGES)
    assert composed(root, select={"server": "nginx"})["server_conf"]["conf"] == "nginx.conf"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"config.yaml": "defaults:\n  - _self_\n  - _self_\n"}, "_self_ appears twice"),
        ({"config.yaml": "defaults:\n  - override g: a\n  - h: b\n", "g/a.yaml": "", "h/b.yaml": ""},
         "overrides must be at the end"),
        ({"config.yaml": "defaults:\n  - g: a\n  - override nothere: b\n", "g/a.yaml": ""},
         "no defaults list chooses"),
        ({"config.yaml": "defaults:\n  - g: a\n  - g: b\n", "g/a.yaml": "", "g/b.yaml": ""},
         "a second option"),
        ({"config.yaml": "defaults:\n  - g: [a, '${x}']\n", "g/a.yaml": ""}, "list of options"),
        ({"config.yaml": "defaults: {g: a}\n"}, "expected a list"),
        ({"config.yaml": "defaults:\n  - g: 3\n"}, "an option name"),
        ({"config.yaml": "defaults:\n  - maybe g: a\n", "g/a.yaml": ""}, "'optional' or 'override'"),
        ({"config.yaml": "defaults:\n  - g: ${nope}\n"}, "known choices"),
    ],
)
def test_defaults_list_errors(tmp_path: Path, files: dict[str, str], message: str) -> None:
    """What Hydra refuses in a defaults list is a ConfigError naming the file."""
    root = tree_of(tmp_path, files)
    with pytest.raises(ConfigError, match=message) as info:
        compose(root)
    assert str(root / "config.yaml") in str(info.value)


def test_structured_config_reference_is_refused(tmp_path: Path) -> None:
    """A defaults entry naming a ConfigStore schema fails, saying structured configs are not read."""
    root = tree_of(tmp_path, {"config.yaml": "defaults:\n  - base_mysql\n  - _self_\nport: 1\n"})
    with pytest.raises(ConfigError, match="structured config"):
        compose(root)


def test_hydra_runtime_config_is_left_out(tmp_path: Path) -> None:
    """`hydra:` nodes and `override hydra/...` entries are dropped, as compose() drops them."""
    root = tree_of(tmp_path, {
        "config.yaml": "defaults:\n  - _self_\n  - override hydra/job_logging: disabled\n"
                       "hydra:\n  run:\n    dir: out\nx: 1\n",
    })
    assert composed(root) == {"x": 1}


def test_hydra_searchpath_is_refused(tmp_path: Path) -> None:
    """hydra.searchpath would pull configs from elsewhere: a ConfigError naming it."""
    root = tree_of(tmp_path, {"config.yaml": "hydra:\n  searchpath: [pkg://x]\nx: 1\n"})
    with pytest.raises(ConfigError, match=r"hydra\.searchpath"):
        compose(root)


def test_hydra_group_placed_outside_hydra_node_is_refused(tmp_path: Path) -> None:
    """A tree's own hydra/ option that writes outside the hydra node is refused, not ignored."""
    root = tree_of(tmp_path, {
        "config.yaml": "defaults:\n  - _self_\n  - override hydra/launcher: mine\nx: 1\n",
        "hydra/launcher/mine.yaml": "# @package _global_\nlauncher_flag: true\n",
    })
    with pytest.raises(ConfigError, match="outside the 'hydra' node"):
        compose(root)


# ---------------------------------------------------------------------------- merging
def test_merge_follows_omegaconf(tmp_path: Path) -> None:
    """Mappings merge, lists are replaced, ??? never unsets, anything else replaces."""
    root = tree_of(tmp_path, MERGING)
    assert composed(root)["tree"] == {
        "deep": {"a": 1, "b": [3], "c": 1e-3},
        "keep": 5, "gone": "replaced", "scal": {"now": "dict"}, "nul": {"also": "dict"},
        "ref": "${tree.x}", "day": "2020-01-02", "flag": True, "sci": 6.02e23, "x": 1,
    }


def test_merging_a_mapping_into_a_list_is_refused(tmp_path: Path) -> None:
    """A mapping over a list is a ConfigError naming key and file, as OmegaConf refuses it."""
    root = tree_of(tmp_path, {"config.yaml": "a: [1]\n", "g/o.yaml": "# @package _global_\na: {k: 1}\n"})
    with pytest.raises(ConfigError, match="cannot merge a mapping into a list") as info:
        compose(root, select={"g": "o"})
    assert info.value.key == "a"


# ---------------------------------------------------------------------------- overrides
def test_overrides_are_applied_last(tmp_path: Path) -> None:
    """Dotted overrides create levels, merge mappings, index lists, and win over files."""
    root = tree_of(tmp_path, SPEC)
    tree, sources = compose(root, select={"model": "resnet50"}, overrides={
        "model.head": {"dropout": 0.1},
        "model.head.sizes.0": 1024,
        "new.deep.key": [1, 2],
        "seed": 3,
    })
    assert tree["model"]["head"] == {"dropout": 0.1, "sizes": [1024, 256]}
    assert tree["new"] == {"deep": {"key": [1, 2]}}
    assert tree["seed"] == 3
    assert sources["model.head.dropout"] == "override 'model.head'"
    assert sources["model.head.sizes"] == "override 'model.head.sizes.0'"
    assert sources["new.deep.key"] == "override 'new.deep.key'"


def test_override_through_a_value_is_refused(tmp_path: Path) -> None:
    """Setting 'seed.x' when seed is 0 is a ConfigError naming the override."""
    root = tree_of(tmp_path, SPEC)
    with pytest.raises(ConfigError, match="not a mapping") as info:
        compose(root, overrides={"seed.x": 1})
    assert info.value.key == "seed.x"


def test_overrides_do_not_touch_the_callers_values(tmp_path: Path) -> None:
    """The composed tree holds copies: changing it leaves the override mapping as it was."""
    root = tree_of(tmp_path, SPEC)
    value = {"sizes": [1, 2]}
    tree = composed(root, overrides={"extra": value})
    tree["extra"]["sizes"].append(3)
    assert value == {"sizes": [1, 2]}


# ---------------------------------------------------------------------------- interpolations
def test_interpolations_are_kept_then_resolved_in_one_call(tmp_path: Path) -> None:
    """`${...}` stays as written in the composed tree; resolve() turns it into values."""
    root = tree_of(tmp_path, APP)
    tree = composed(root, overrides={"alias": "${model}"})
    assert tree["run_name"] == "run_${model.name}"
    resolve(tree)
    assert tree["run_name"] == "run_small"
    assert tree["alias"] == tree["model"]


def test_missing_values_are_reported(tmp_path: Path) -> None:
    """A `???` value stays in the tree and missing_keys() lists it."""
    root = tree_of(tmp_path, APP)
    tree = composed(root)
    assert missing_keys(tree) == ["out"]


# ---------------------------------------------------------------------------- required
def test_required_lists_every_missing_key_at_once(tmp_path: Path) -> None:
    """Two absent keys and one `???` come in one ConfigError, with a near-miss hint."""
    root = tree_of(tmp_path, APP)
    with pytest.raises(ConfigError) as info:
        compose(root, required=["model.nam", "data.dataset", "out", "seed"])
    keys = [p.key for p in info.value.problems]
    assert keys == ["model.nam", "data.dataset", "out"]
    assert info.value.problems[0].suggestion == "'name'"
    assert "never set" in str(info.value)


# ---------------------------------------------------------------------------- on_missing
def test_missing_primary_is_an_error_listing_files_tried(tmp_path: Path) -> None:
    """With on_missing='error' a missing primary raises, naming every file tried."""
    root = tree_of(tmp_path, {"model/a.yaml": "k: 1\n"})
    with pytest.raises(ConfigFileNotFoundError) as info:
        compose(root, "config")
    assert isinstance(info.value, ConfigError)
    assert isinstance(info.value, FileNotFoundError)
    for ext in TRIED_EXTENSIONS:
        assert str(root / f"config{ext}") in str(info.value)


def test_missing_option_is_an_error_listing_options(tmp_path: Path) -> None:
    """A selected option that does not exist names the files tried and the group's options."""
    root = tree_of(tmp_path, SPEC)
    with pytest.raises(ConfigFileNotFoundError, match=r"the group has resnet101, resnet50") as info:
        compose(root, select={"model": "vit"})
    assert str(root / "model/vit.yaml") in str(info.value)


def test_on_missing_warn_warns_and_goes_on(tmp_path: Path) -> None:
    """With on_missing='warn' a missing primary and option warn; the rest composes."""
    root = tree_of(tmp_path, {"data/imagenet.yaml": "dataset: imagenet\n"})
    with pytest.warns(UserWarning, match="composing without it") as record:
        tree = composed(root, select={"model": "resnet50", "data": "imagenet"}, on_missing="warn")
    assert tree == {"data": {"dataset": "imagenet"}}
    messages = [str(w.message) for w in record]
    assert len(messages) == 2
    assert "primary config 'config'" in messages[0]
    assert str(root / "config.yaml") in messages[0]
    assert "option 'resnet50'" in messages[1]
    assert str(root / "model/resnet50.toml") in messages[1]
    assert record[0].filename == __file__


def test_on_missing_must_be_error_or_warn(tmp_path: Path) -> None:
    """Another on_missing value is a ConfigError."""
    with pytest.raises(ConfigError, match="'error' or 'warn'"):
        compose(tree_of(tmp_path, SPEC), on_missing="ignore")


# ---------------------------------------------------------------------------- sources
def test_sources_name_file_and_line_of_each_leaf(tmp_path: Path) -> None:
    """Each leaf's source is the file and line of its last writer; lists are one leaf."""
    root = tree_of(tmp_path, MERGING)
    _, sources = compose(root)
    second = str(root / "second/two.yaml")
    first = str(root / "first/one.yaml")
    assert sources["tree.deep.a"] == f"{first}:3"
    assert sources["tree.deep.b"] == f"{second}:3"
    assert sources["tree.keep"] == f"{first}:4"
    assert sources["tree.scal.now"] == f"{second}:6"
    assert "tree.scal" not in sources
    assert sources["tree.x"] == f"{root / 'config.yaml'}:7"


def test_compose_does_not_change_between_calls(tmp_path: Path) -> None:
    """Two compositions of one tree give equal, independent results."""
    root = tree_of(tmp_path, APP)
    one = composed(root, select={"experiment": "fast"})
    snapshot = copy.deepcopy(one)
    one["model"]["optim"]["betas"].append(99)
    assert composed(root, select={"experiment": "fast"}) == snapshot
