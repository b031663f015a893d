"""The programs in examples/ run as a user would run them and print what they promise."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_quickstart_runs() -> None:
    """examples/quickstart.py exits 0 and reports the round trips and hash checks."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True, text=True, check=False, cwd=ROOT, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "training resnet101 (depth 101) with lr=0.0003" in out
    assert "round-trips through yaml, json, toml and xyz" in out
    assert "same structure after changing lr: True" in out
    assert "same structure after batch_size became a str: False" in out
    assert "frozen config refused a write: lr: cannot write to a frozen ADict" in out


def _run(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / script), *args],
        capture_output=True, text=True, check=False, cwd=ROOT / "examples", stdin=subprocess.DEVNULL,
    )


def test_typed_example_matches_readme() -> None:
    """examples/typed_train.py is the README's Scope example, word for word."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("## Scope\n\n```python\n")[1].split("```")[0]
    example = (ROOT / "examples" / "typed_train.py").read_text(encoding="utf-8")
    assert block.replace("    train()", "    print(train())") in example


def test_typed_example_runs() -> None:
    """The typed example builds, overrides, explains, and refuses bad values with exit 2."""
    assert _run("typed_train.py").stdout == "0.01\n"
    assert _run("typed_train.py", "long_run", "optim.lr=3e-4").stdout == "0.3\n"
    explained = _run("typed_train.py", "long_run", "explain", "epochs").stdout
    assert explained.splitlines()[-1].startswith("  2. 100  view 'long_run' (typed_train.py:")
    bad = _run("typed_train.py", "optim.lr=fast", "epochz=3")
    assert bad.returncode == 2
    assert bad.stderr.startswith("typed_train.py: error: 2 configuration problems:\n")
    assert "did you mean 'epochs'?" in bad.stderr


def test_from_hydra_example_runs() -> None:
    """examples/from_hydra.py composes its tree and prints the resolved values."""
    result = _run("from_hydra.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "run_large 0.01 postgres 1024\n"


def test_from_openmmlab_example_runs() -> None:
    """examples/from_openmmlab.py loads its _base_ chain with _delete_ and _base_ references."""
    result = _run("from_openmmlab.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "101 AdamW 24 ./work_dirs/retinanet_r101_2x\n"


def test_tracking_example_runs() -> None:
    """examples/tracking.py logs a run, finds it as the best, and reads it back."""
    result = _run("tracking.py")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "True completed resnet50 0.99\n200 ['ckpt/best.pt'] []\n"


def test_search_example_runs() -> None:
    """examples/search.py runs Hyperband's 69 trials for R=27, eta=3 and reports a winner."""
    result = _run("search.py")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("69 trials, best accuracy 0.9")
    assert lines[1].startswith("best: lr=") and "model=large" in lines[1]
