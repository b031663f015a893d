"""ato's OpenMMLab loader against mmengine itself, on our trees and on mmdet's own configs.

Needs the `compat` extra (mmengine-lite) and, for the mmdet sample, ``pip install --no-deps
mmdet==3.3.0`` (its configs ship in the wheel under ``mmdet/.mim/configs``; they are read
from the installed package, never copied here). Without them the tests are skipped, saying
why. Results are compared exactly: same keys in the same order, same types (a tuple is not
a list, 1 is not 1.0 or True), same values.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from _mm_trees import FAKE_PACKAGE, TREES, write_files, write_tree

from ato.compose._mm import load_mm
from ato.errors import ConfigError

mmengine_config = pytest.importorskip(
    "mmengine.config", reason="mmengine is not installed (pip install -e '.[compat]')"
)

# Every STEP-th of mmdet's configs, sorted by path: a fixed sample of about 290 of 869.
# ATO_MM_INTEROP_ALL=1 compares all of them (about half a minute more).
STEP = 1 if os.environ.get("ATO_MM_INTEROP_ALL") else 3
MIN_COMPARED = 200


@contextmanager
def _quiet() -> Iterator[None]:
    # mmengine (and pkg_resources under it) warn; the suite turns warnings into errors.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _mmengine(path: Path) -> dict[str, Any]:
    with _quiet():
        cfg = mmengine_config.Config.fromfile(str(path), import_custom_modules=False)
        return cfg.to_dict()  # type: ignore[no-any-return]


def _ato_with_sources(path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    with _quiet():
        return load_mm(path)


def _ato(path: Path) -> dict[str, Any]:
    return _ato_with_sources(path)[0]


def difference(ours: Any, theirs: Any, where: str = "") -> str | None:
    """The first place where two trees differ in type, key order or value, else None."""
    if type(ours) is not type(theirs):
        return (f"{where or '<top>'}: {type(ours).__name__} {ours!r:.80} "
                f"vs {type(theirs).__name__} {theirs!r:.80}")
    if isinstance(ours, dict):
        if list(ours) != list(theirs):
            return f"{where or '<top>'}: keys {list(ours)} vs {list(theirs)}"
        for key in ours:
            found = difference(ours[key], theirs[key], f"{where}.{key}" if where else str(key))
            if found:
                return found
        return None
    if isinstance(ours, (list, tuple)):
        if len(ours) != len(theirs):
            return f"{where}: length {len(ours)} vs {len(theirs)}"
        for i, (a, b) in enumerate(zip(ours, theirs, strict=True)):
            found = difference(a, b, f"{where}[{i}]")
            if found:
                return found
        return None
    return None if ours == theirs else f"{where}: {ours!r:.80} vs {theirs!r:.80}"


def _leaves(tree: dict[Any, Any], prefix: str = "") -> Iterator[str]:
    for key, value in tree.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            yield from _leaves(value, dotted)
        else:
            yield dotted


@pytest.mark.parametrize("name", sorted(TREES))
def test_our_trees_match_mmengine(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each of our small trees loads exactly as mmengine loads it."""
    monkeypatch.setenv("ATO_MM_ROOT", "/mnt/data")
    monkeypatch.delenv("ATO_MM_NUM", raising=False)
    path = write_tree(tmp_path, name)
    assert difference(_ato(path), _mmengine(path)) is None


def _needs_pkg_resources() -> None:
    # mmengine finds a `pkg::` base's package with setuptools' pkg_resources.
    if importlib.util.find_spec("pkg_resources") is None:
        pytest.skip("mmengine resolves `pkg::` bases with pkg_resources (pip install 'setuptools<81')")


def test_package_scoped_base_matches_mmengine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A `pkg::path` base of a package found on sys.path, `_scope_` included, as mmengine."""
    _needs_pkg_resources()
    write_files(tmp_path / "site", FAKE_PACKAGE)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    write_files(tmp_path, {"cfg.py": """
        _base_ = 'mmflow::_base_/models/flow.py'
        model = dict(encoder=dict(depth=4))
    """})
    assert difference(_ato(tmp_path / "cfg.py"), _mmengine(tmp_path / "cfg.py")) is None
    assert "mmflow" not in sys.modules


def _mmdet_configs() -> Path:
    spec = importlib.util.find_spec("mmdet")  # finds the package without importing it
    if spec is None or spec.origin is None:
        pytest.skip("mmdet is not installed (pip install --no-deps mmdet==3.3.0)")
    root = Path(spec.origin).parent / ".mim" / "configs"
    if not root.is_dir():
        pytest.skip(f"the installed mmdet ships no configs at {root}")
    return root


def test_mmdet_package_base_matches_mmengine(tmp_path: Path) -> None:
    """Our config on an `mmdet::` base reads mmdet's own files as mmengine does."""
    _mmdet_configs()
    _needs_pkg_resources()
    write_files(tmp_path, {"cfg.py": """
        _base_ = ['mmdet::_base_/models/faster-rcnn_r50_fpn.py', 'mmdet::_base_/schedules/schedule_1x.py']
        model = dict(roi_head=dict(bbox_head=dict(num_classes=3)))
        optim_wrapper = dict(optimizer=dict(lr=_base_.optim_wrapper.optimizer.lr / 8))
        param_scheduler = {{_base_.param_scheduler}}
    """})
    ours = _ato(tmp_path / "cfg.py")
    assert ours["model"]["_scope_"] == "mmdet"
    assert difference(ours, _mmengine(tmp_path / "cfg.py")) is None


def test_mmdet_configs_match_mmengine(capsys: pytest.CaptureFixture[str]) -> None:
    """A fixed sample of mmdet 3.x's configs loads exactly as mmengine loads each one."""
    root = _mmdet_configs()
    sample = sorted(root.rglob("*.py"))[::STEP]
    excluded: Counter[str] = Counter()
    refused: list[str] = []
    mismatches: list[str] = []
    compared = 0
    for path in sample:
        if mmengine_config.Config._is_lazy_import(str(path)):
            # mmengine reads this in its pure-Python (lazy import) mode; in mmdet these are
            # scripts that import mmengine, not configs. ato refuses that mode by design.
            with pytest.raises(ConfigError, match="pure-Python"):
                _ato(path)
            refused.append(str(path.relative_to(root)))
            continue
        try:
            theirs = _mmengine(path)
        except Exception as exc:  # mmengine cannot load it here: nothing to compare with
            excluded[f"{type(exc).__name__}: {str(exc)[:70]}"] += 1
            continue
        ours, sources = _ato_with_sources(path)
        compared += 1
        found = difference(ours, theirs)
        if found:
            mismatches.append(f"{path.relative_to(root)}: {found}")
        assert set(sources) == set(_leaves(ours)), path
        assert all(os.path.isfile(source) for source in set(sources.values())), path
    reasons = "".join(f"\n    {count} x {reason}" for reason, count in excluded.most_common())
    with capsys.disabled():
        print(
            f"\nmmdet configs: {len(sample)} sampled (1 in {STEP} of the sorted list): "
            f"{compared} compared, "
            f"{compared - len(mismatches)} identical to mmengine's\n"
            f"  excluded, mmengine cannot load them here: {sum(excluded.values())}{reasons}\n"
            f"  excluded, pure-Python scripts ato refuses: {len(refused)} {refused}"
        )
    assert not mismatches, "\n".join(mismatches[:20])
    assert compared >= MIN_COMPARED
