"""ato's Hydra-style composition against ``hydra.compose`` itself, on the same trees.

Runs only when hydra-core is installed (the ``compat`` test extra; ``.ci/run`` installs
it). Two sets of trees: small ones written here (``_hydra_trees``), which must all
compose exactly as Hydra composes them, and the test trees that ship inside the
installed hydra-core wheel (``hydra/test_utils/configs``), read from the installed
package at test time. Results are compared with types and key order.
"""

from __future__ import annotations

import math
import os
import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

hydra = pytest.importorskip(
    "hydra", reason="hydra-core is not installed (pip install hydra-core, or the 'compat' extra)"
)

from _hydra_trees import TREES, write_tree  # noqa: E402
from hydra import compose as hydra_compose  # noqa: E402
from hydra import initialize_config_dir  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402

from ato.compose._hydra import compose  # noqa: E402
from ato.errors import ConfigError  # noqa: E402

SHIPPED = Path(hydra.__file__).parent / "test_utils" / "configs"


# ---------------------------------------------------------------------------- helpers
def _value(value: Any) -> str:
    """A Python value in Hydra's override grammar."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}:{_value(v)}" for k, v in value.items()) + "}"
    return "[" + ",".join(_value(v) for v in value) + "]"


def run_hydra(root: Path, name: str, select: dict[str, Any], overrides: dict[str, Any],
              version_base: str | None = None) -> tuple[Any, str | None]:
    """``hydra.compose`` with ato's ``select`` as group overrides, ``overrides`` as ``++k=v``.

    A selected group that no defaults list names is Hydra's ``+group=option``; which
    ones those are shows in Hydra's own error, so the call is retried with ``+``.
    """
    appended: set[str] = set()
    dropped: set[str] = set()
    while True:
        args = []
        for key, value in select.items():
            if key in dropped:
                continue
            if value is None:
                args.append(f"~{key}")
            else:
                option = "[" + ",".join(value) + "]" if isinstance(value, list) else value
                args.append(("+" if key in appended else "") + f"{key}={option}")
        args += [f"++{key}={_value(value)}" for key, value in overrides.items()]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # Hydra's own deprecation and _self_ notices
                with initialize_config_dir(config_dir=str(root), version_base=version_base):
                    cfg = hydra_compose(config_name=name, overrides=args)
            return OmegaConf.to_container(cfg, resolve=False), None
        except Exception as exc:
            text = str(exc)
            found = re.search(r"Could not (override|delete) '([^'=]+)", text)
            key = found.group(2) if found else None
            if key in select and key not in appended | dropped:
                (dropped if found and found.group(1) == "delete" else appended).add(key)
                continue
            return None, f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"


def run_ato(root: Path, name: str, select: dict[str, Any], overrides: dict[str, Any]
            ) -> tuple[Any, str | None]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            tree, _ = compose(root, name, select=select, overrides=overrides)
    except ConfigError as exc:
        return None, str(exc).splitlines()[0]
    return tree, None


def same(a: Any, b: Any) -> bool:
    """Equal with the same types and the same key order, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) or (isinstance(a, float) and math.isnan(a) and math.isnan(b))


# ---------------------------------------------------------------------------- our trees
OWN_CASES: list[tuple[str, str, dict[str, Any], dict[str, Any]]] = [
    ("spec", "config", {}, {}),
    ("spec", "config", {"model": "resnet50", "data": "imagenet"},
     {"model.lr": 0.01, "data.batch_size": 64}),
    ("spec", "config", {"model": ["resnet50", "resnet101"]}, {}),
    ("spec", "config", {"data": "cifar10", "model": "resnet101"},
     {"model.head": {"dropout": 0.1}, "extra.new": "x"}),
    ("app", "config", {}, {}),
    ("app", "config", {"experiment": "fast"}, {}),
    ("app", "config", {"experiment": "tagged"}, {}),
    ("app", "config", {"db": "postgres"}, {"db.pool": {"size": 10}}),
    ("app", "config", {"model": "large"}, {}),
    ("app", "config", {"model": "large", "model/encoder": "cnn"}, {}),
    ("app", "config", {"optimizer": "sgd"}, {}),
    ("app", "config", {"db": None}, {}),
    ("app", "config", {"db": ["mysql", "postgres"]}, {"out": "/tmp/out"}),
    ("app", "config", {"experiment": "fast", "optimizer@extra_opt": "sgd"}, {}),
    ("app", "model/large", {}, {}),
    ("app", "config", {"local": "prod"}, {}),
    ("packages", "config", {}, {}),
    ("packages", "config", {"server": "nginx"}, {}),
    ("packages", "config", {"db@backup_db": "sqlite"}, {}),
    ("merging", "config", {}, {}),
    ("merging", "config", {"second": None}, {"tree.deep": {"a": 2, "d": [1]}}),
    ("self_order", "config", {}, {}),
    ("self_order", "config", {"opt": "b"}, {}),
    ("self_order", "last", {}, {}),
    ("self_order", "last", {"opt/sub": "y"}, {}),
    ("edge", "config", {}, {}),
    ("edge", "config", {"db/engine": "myisam", "extra": "thing"}, {}),
    ("edge", "early", {}, {}),
    ("edge", "early", {"db/engine": "myisam"}, {}),
    ("self_order", "config", {"opt/sub": "y", "opt": None}, {}),
]
# Compositions that Hydra refuses: ato must refuse them too (with a ConfigError).
OWN_FAILURES: list[tuple[str, str, dict[str, Any]]] = [
    ("edge", "late", {}),  # an override registered after its group was chosen
    ("edge", "config", {"server": "nginx"}),  # a second choice for a group placed elsewhere
    ("edge", "config", {"db@_group_.copy": "postgres"}),
    ("app", "config", {"model/encoder": ["cnn", "${x}"]}),
    ("packages", "config", {"server": "missing"}),
    ("edge", "early", {"server": "apache"}),  # apache overrides a group chosen before it
]


@pytest.mark.parametrize(
    ("tree", "name", "select", "overrides"), OWN_CASES,
    ids=[f"{t}:{n}:{s}:{o}" for t, n, s, o in OWN_CASES],
)
def test_own_tree_matches_hydra(tmp_path: Path, tree: str, name: str, select: dict[str, Any],
                                overrides: dict[str, Any]) -> None:
    """ato composes each of our trees exactly as hydra.compose does."""
    root = write_tree(tmp_path / "conf", TREES[tree])
    expected, hydra_error = run_hydra(root, name, select, overrides)
    assert hydra_error is None, hydra_error
    got, ato_error = run_ato(root, name, select, overrides)
    assert ato_error is None, ato_error
    assert same(got, expected), f"\nato:   {got}\nhydra: {expected}"


@pytest.mark.parametrize(("tree", "name", "select"), OWN_FAILURES,
                         ids=[f"{t}:{n}:{s}" for t, n, s in OWN_FAILURES])
def test_own_tree_refused_like_hydra(tmp_path: Path, tree: str, name: str,
                                     select: dict[str, Any]) -> None:
    """What hydra.compose refuses on our trees, ato refuses with a ConfigError."""
    root = write_tree(tmp_path / "conf", TREES[tree])
    _, hydra_error = run_hydra(root, name, select, {})
    assert hydra_error is not None
    got, ato_error = run_ato(root, name, select, {})
    assert ato_error is not None, f"ato composed {got}; Hydra: {hydra_error}"


def test_group_header_matches_hydra_1_1(tmp_path: Path) -> None:
    """`# @package _group_` composes as Hydra reads it with version_base='1.1'."""
    root = write_tree(tmp_path / "conf", TREES["group_header"])
    for select in ({}, {"db": "nested"}):
        expected, hydra_error = run_hydra(root, "config", select, {}, version_base="1.1")
        assert hydra_error is None, hydra_error
        got, ato_error = run_ato(root, "config", select, {})
        assert ato_error is None, ato_error
        assert same(got, expected), f"\nato:   {got}\nhydra: {expected}"


# ---------------------------------------------------------------------------- shipped trees
# ato refuses these on purpose; each is documented in the README's Hydra section.
KNOWN_REFUSALS = {
    r"files for the one config": "two files for one config name (ato refuses to guess)",
    r"hydra\.searchpath": "hydra.searchpath (extra search paths) is not supported",
}
# A fixed list of selections that the shipped folders' structure offers beyond one option.
FIXED = [
    ("", "compose", {"group1": "file2", "group2": "file2"}),
    ("", "compose", {"group1": None}),
    ("", "db_conf", {"db": ["mysql", "postgresql"]}),
    ("", "db_conf", {"db": "postgresql", "group1": "file1"}),
    ("", "optional-default", {"group1": "file2"}),
    ("", "optional-default", {"group1": None}),
    ("", "missing-optional-default", {"group1": "file1"}),
    ("", "unspecified_mandatory_default", {"group1": "file2"}),
    ("", "config.yaml", {"db": "mysql", "group1@pkg": "file1"}),
    ("package_tests", "pkg_override", {"group2@pkg1": "option2"}),
    ("package_tests", "two_packages_one_group", {"group1@pkg2": "option2"}),
    ("package_tests", "pkg_override", {"group1": ["option1", "option2"]}),
    ("completion_test", "config", {"group": "dict"}),
    ("completion_test", "missing_default", {"group": "dict"}),
]


def _primaries() -> list[tuple[Path, str]]:
    """Every YAML file as a primary config, from its own folder and each folder above it."""
    out = []
    for file in sorted(SHIPPED.rglob("*.yaml")):
        parts = file.relative_to(SHIPPED).parts
        for depth in range(len(parts)):
            out.append((SHIPPED.joinpath(*parts[:depth]), "/".join(parts[depth:])[: -len(".yaml")]))
    return out


def _selections(root: Path) -> list[dict[str, Any]]:
    """One selection per option of each plain group directly under ``root`` (a folder of
    YAML files with no sub-folders; Hydra's own ``hydra/`` excluded)."""
    out: list[dict[str, Any]] = []
    for group in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "hydra"):
        if any(p.is_dir() for p in group.iterdir() if p.name != "__pycache__"):
            continue
        out += [{group.name: option.name[: -len(".yaml")]} for option in sorted(group.glob("*.yaml"))]
    return out


def test_shipped_hydra_test_trees(capsys: pytest.CaptureFixture[str]) -> None:
    """Every composition of hydra's own test trees that Hydra completes, ato matches."""
    compared = 0
    excluded: Counter[str] = Counter()
    mismatches: list[str] = []

    def check(root: Path, name: str, select: dict[str, Any]) -> bool:
        """Compare one composition; False when Hydra itself cannot compose it."""
        nonlocal compared
        where = f"{os.path.relpath(root, SHIPPED)}:{name} select={select}"
        expected, hydra_error = run_hydra(root, name, select, {})
        got, ato_error = run_ato(root, name, select, {})
        if hydra_error is not None:
            excluded[f"Hydra itself fails ({hydra_error.split(':')[0]})"] += 1
            if ato_error is None:
                mismatches.append(f"{where}: Hydra fails ({hydra_error}), ato composes {got}")
            return False
        if ato_error is not None:
            reason = next((why for rx, why in KNOWN_REFUSALS.items() if re.search(rx, ato_error)), None)
            if reason is None:
                mismatches.append(f"{where}: ato fails: {ato_error}")
                return True
            excluded[f"ato refuses by design: {reason}"] += 1
            if "files for the one config" not in ato_error:
                return True
            got, ato_error = run_ato(root, name + ".yaml", select, {})  # naming the file
            if ato_error is not None:
                mismatches.append(f"{where} (as {name}.yaml): ato fails: {ato_error}")
                return True
        compared += 1
        if not same(got, expected):
            mismatches.append(f"{where}:\n  ato:   {got}\n  hydra: {expected}")
        return True

    for root, name in _primaries():
        # Selections only for primaries that compose at all and sit at their root's top.
        if check(root, name, {}) and "/" not in name:
            for select in _selections(root):
                check(root, name, select)
    for sub, name, select in FIXED:
        check(SHIPPED / sub, name, select)
    with capsys.disabled():
        print(f"\nhydra/test_utils/configs: {compared} compositions compared, all must match;")
        for reason, count in sorted(excluded.items()):
            print(f"  excluded {count:4d}: {reason}")
    assert not mismatches, "\n".join(mismatches)
    assert compared >= 100, f"only {compared} compositions compared"
