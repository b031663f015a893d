"""`manual` / `-h` / `--help`: the order a run applies, and a help as complete as tyro's.

The help of one fixed program (tests/snapshots/help_program.py) is pinned in full in
tests/snapshots/help_program.txt. To change it on purpose, run this file with
ATO_UPDATE_SNAPSHOTS=1, which rewrites the snapshot, and review the diff before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import Runner

SNAPSHOTS = Path(__file__).parent / "snapshots"
PROGRAM = (SNAPSHOTS / "help_program.py").read_text(encoding="utf-8")
ORDER_HEAD = "(The Applying Order of Views)\n"


def ok(run_program: Runner, source: str, *args: str) -> str:
    result = run_program(source, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def order_of(manual: str) -> list[str]:
    """The order line(s) of a manual: one per scope section."""
    lines = manual.split("\n")
    return [lines[i + 1] for i, line in enumerate(lines) if line + "\n" == ORDER_HEAD]


class TestSnapshot:
    """The whole help of the fixed program, compared in full with the file."""

    def test_help_matches_the_snapshot(self, run_program: Runner) -> None:
        """`--help` prints exactly tests/snapshots/help_program.txt; `-h` and `manual` the same."""
        out = ok(run_program, PROGRAM, "--help")
        path = SNAPSHOTS / "help_program.txt"
        if os.environ.get("ATO_UPDATE_SNAPSHOTS") == "1":
            path.write_text(out, encoding="utf-8")
        assert out == path.read_text(encoding="utf-8")
        assert ok(run_program, PROGRAM, "-h") == out
        assert ok(run_program, PROGRAM, "manual") == out

    def test_untyped_program_keeps_the_ato2_manual(self, run_program: Runner) -> None:
        """Without a schema there is no usage line: the manual is ato 2.x's, block for block."""
        source = "from ato import Scope\nscope = Scope()\n@scope\ndef f(config): pass\nf()\n"
        assert ok(run_program, source, "--help") == (
            "-" * 50 + '\n[Scope "config"]\n' + ORDER_HEAD + "(CLI Inputs)\n" + "-" * 50 + "\n"
        )


class TestOrder:
    """`manual VIEW...` prints the steps a run with the same tokens records (issue 12, point 3)."""

    @pytest.mark.parametrize("views", [
        (), ("long_run",), ("fine_tune",), ("warm", "long_run"), ("long_run", "stamp"),
        ("fine_tune", "warm", "long_run"),
    ])
    def test_manual_prints_the_order_a_run_records(self, run_program: Runner, views: tuple[str, ...]) -> None:
        """The order line of `manual VIEWS` is the run's `scope.steps` for VIEWS."""
        ran = ok(run_program, PROGRAM, *views).rstrip("\n")
        steps = ran.split(" ", 1)[1]
        assert order_of(ok(run_program, PROGRAM, "manual", *views)) == [steps]

    def test_default_view_runs_before_a_selected_one(self, run_program: Runner) -> None:
        """The issue's example: `stamp` (a default view) reads epochs before `long_run` sets it."""
        assert ok(run_program, PROGRAM, "long_run") == (
            "run_10 (schema defaults) → stamp → long_run → (CLI Inputs)\n"
        )
        out = ok(run_program, PROGRAM, "manual", "long_run")
        assert ORDER_HEAD + "(schema defaults) → stamp → long_run → (CLI Inputs)\n" in out
        assert "other views, selected by name: fine_tune (after long_run), warm (lazy, priority 2)\n" in out

    def test_views_not_run_are_listed_apart(self, run_program: Runner) -> None:
        """Every view the selection does not run is on the 'other views' line, and only those."""
        out = ok(run_program, PROGRAM, "--help", "fine_tune", "warm")
        assert ORDER_HEAD + "(schema defaults) → stamp → long_run → fine_tune → (CLI Inputs) → warm\n" in out
        assert "other views" not in out

    def test_assignments_do_not_hide_the_manual(self, run_program: Runner) -> None:
        """Values cannot change the order, so `manual` ignores them, bad ones too."""
        out = ok(run_program, PROGRAM, "manual", "long_run", "epochs=many", "optim.lr=-1")
        assert order_of(out) == ["(schema defaults) → stamp → long_run → (CLI Inputs)"]

    def test_unknown_view_exits_2(self, run_program: Runner) -> None:
        """`manual lng_run` is the run's error: exit 2 with a did-you-mean, nothing on stdout."""
        result = run_program(PROGRAM, "manual", "lng_run")
        assert result.returncode == 2
        assert result.stdout == ""
        expected = "lng_run: expected the name of a view or a command word (from CLI token 'lng_run')"
        assert expected in result.stderr
        assert "did you mean 'long_run'?" in result.stderr

    def test_multiscope_order_per_scope(self, run_program: Runner) -> None:
        """Each scope's section shows that scope's run order; `scope.view` selects in one scope only."""
        source = """
from ato import MultiScope, Scope

model = Scope(name="model")
data = Scope(name="data")

@model.observe(default=True)
def base(cfg): cfg.depth = 1

@model.observe(priority=-1)
def big(cfg): cfg.depth = 2

@data.observe(lazy=True)
def big(cfg): cfg.size = 2  # noqa: F811  (one name, one view per scope)

@data.observe()
def cached(cfg): cfg.cache = True

@MultiScope(model, data)
def main(model, data):
    print(" → ".join(globals()["model"].steps), "|", " → ".join(globals()["data"].steps))

main()
"""
        for views in ((), ("big",), ("data.big", "cached"), ("model.big",)):
            model_steps, data_steps = ok(run_program, source, *views).rstrip("\n").split(" | ")
            assert order_of(ok(run_program, source, "manual", *views)) == [model_steps, data_steps]
        out = ok(run_program, source, "manual", "model.big")
        assert "big → base → (CLI Inputs)\n" in out
        assert "(CLI Inputs)\nother views, selected by name: big (lazy), cached\n" in out

    def test_argparse_bridge_follows_the_selection(self, run_program: Runner) -> None:
        """With the argparse bridge, `-h VIEW` shows the parser's help and the order with VIEW."""
        source = """
import argparse
from ato import Scope

scope = Scope(use_external_parser=True)
parser = argparse.ArgumentParser()
parser.add_argument("--gpu", type=int, default=0)

@scope.observe(default=True)
def base(cfg): cfg.lr = 0.1

@scope.observe(priority=-1)
def fast(cfg): cfg.lr = 1.0

@scope
def train(cfg): print(" → ".join(scope.steps))

parser.parse_args()
train()
"""
        ran = ok(run_program, source, "--gpu", "1", "fast").rstrip("\n")
        out = ok(run_program, source, "--gpu", "1", "fast", "-h")
        assert "--gpu GPU" in out
        assert order_of(out) == [ran] == ["(argparse defaults) → fast → base → (CLI Inputs)"]

    def test_search_manual_follows_the_selection(self, run_program: Runner) -> None:
        """A search program's `manual VIEW` shows the order its trials apply, then the search."""
        source = """
from ato import Scope
from ato.hyperopt import HyperBand

scope = Scope()

@scope.observe(default=True)
def defaults(cfg): cfg.lr = 0.1

@scope.observe(lazy=True)
def scaled(cfg): cfg.lr = cfg.lr * 2

search = HyperBand(scope, {"lr": {"param_type": "FLOAT", "param_range": (0.01, 0.1), "num_samples": 2}},
                   halving_rate=0.5, num_min_samples=2)

@search.main
def objective(cfg):
    return cfg.lr

objective()
"""
        out = ok(run_program, source, "manual", "scaled")
        assert order_of(out) == ["defaults → (CLI Inputs) → scaled"]
        assert "lr: FLOAT [0.01, 0.1]" in out


def test_readme_shows_the_real_help(run_program: Runner) -> None:
    """The `--help` output in README.md's Scope section is what its example program prints."""
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Scope\n"):]
    program = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    shown = re.search(r"```text\n\$ python train.py --help\n(.*?)```", section, re.DOTALL)
    assert program is not None and shown is not None
    assert ok(run_program, program.group(1), "--help") == shown.group(1)


UNION_AND_SECRET = """
from typing import Literal
from pydantic import BaseModel, Field, SecretStr
from ato.scope import Scope

class Adam(BaseModel):
    '''Adam with decoupled betas.'''
    kind: Literal["adam"] = "adam"
    lr: float = 1e-3

class SGD(BaseModel):
    kind: Literal["sgd"] = "sgd"
    momentum: float = 0.0

class Config(BaseModel):
    optim: Adam | SGD = Field(default_factory=Adam, discriminator="kind")
    token: SecretStr = "plain-default-token"

scope = Scope(schema=Config)

@scope
def main(cfg: Config) -> None:
    pass

main()
"""


def test_manual_lists_each_union_member_and_masks_secrets(run_program: Runner) -> None:
    """Each member of a union of models is listed under its discriminator value; secrets are masked."""
    out = ok(run_program, UNION_AND_SECRET, "manual")
    schema = out[out.index("(Schema Config)"):].splitlines()
    assert schema[1:9] == [
        "optim: Adam | SGD  # one of Adam | SGD, chosen by optim.kind",
        "optim [kind=adam]: Adam  # Adam with decoupled betas.",
        "optim.kind: {adam} = 'adam'",
        "optim.lr: float = 0.001",
        "optim [kind=sgd]: SGD",
        "optim.kind: {sgd} = 'sgd'",
        "optim.momentum: float = 0.0",
        "token: SecretStr = '**********'",
    ]
    assert "plain-default-token" not in out
