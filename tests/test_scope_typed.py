"""Scope with a pydantic schema: defaults, CLI checks (exit 2), view checks, explain, print."""

from __future__ import annotations

from conftest import Runner

SCHEMA = """
from typing import Literal, Optional
from pydantic import BaseModel, Field, model_validator
from ato.scope import Scope

class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0, description="learning rate")
    name: Literal["adam", "sgd"] = "adam"

class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()
    run_name: str = "baseline"
    layers: list[int] = [64, 128]
    seed: Optional[int] = None

    @model_validator(mode="after")
    def _check(self):
        if self.epochs > 1000:
            raise ValueError("epochs above 1000 is surely a typo")
        return self

scope = Scope(schema=TrainConfig)
"""

PROGRAM = SCHEMA + """
@scope.observe()
def long_run(config):
    config.epochs = 100

@scope.observe(lazy=True)
def warm(config):
    config.optim.lr = config.optim.lr * 2

@scope
def train(cfg: TrainConfig) -> float:
    assert isinstance(cfg, TrainConfig)
    assert scope.config.optim.lr == cfg.optim.lr
    print(repr(cfg))
    return cfg.optim.lr * cfg.epochs

if __name__ == "__main__":
    train()
"""


def test_schema_defaults_reach_the_function(run_program: Runner) -> None:
    """Without views or overrides the function gets the schema's defaults as a model."""
    result = run_program(PROGRAM)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "TrainConfig(epochs=10, optim=Optim(lr=0.001, name='adam'), run_name='baseline', "
        "layers=[64, 128], seed=None)\n"
    )


def test_views_and_cli_values_are_validated_and_coerced(run_program: Runner) -> None:
    """CLI values are coerced to the declared type (1 -> 1.0, 123 -> '123')."""
    result = run_program(PROGRAM, "long_run", "optim.lr=1", "run_name=123", "optim.name=sgd", "seed=7")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "TrainConfig(epochs=100, optim=Optim(lr=1.0, name='sgd'), run_name='123', "
        "layers=[64, 128], seed=7)\n"
    )


def test_bad_cli_value_exits_2_before_the_function(run_program: Runner) -> None:
    """`optim.lr=fast` names key, type, value and token on stderr and exits 2."""
    result = run_program(PROGRAM, "optim.lr=fast")
    assert result.returncode == 2
    assert result.stdout == ""
    assert "optim.lr: expected float, got 'fast' (from CLI token 'optim.lr=fast')" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_cli_key_gets_a_suggestion(run_program: Runner) -> None:
    """`optim.lrr=0.1` is not a field: exit 2 with did-you-mean 'lr'."""
    result = run_program(PROGRAM, "optim.lrr=0.1")
    assert result.returncode == 2
    expected = "optim.lrr: not a field of Optim, got 0.1 (float) (from CLI token 'optim.lrr=0.1')"
    assert expected in result.stderr
    assert "did you mean 'lr'?" in result.stderr


def test_all_cli_problems_reported_together(run_program: Runner) -> None:
    """Several bad tokens (and an unknown view) are listed in one message."""
    result = run_program(PROGRAM, "optim.lr=-1", "epochz=3", "optim.name=adamw", "lng_run")
    assert result.returncode == 2
    err = result.stderr
    assert "4 configuration problems" in err
    assert "optim.lr: expected float, got -1 (int), Input should be greater than 0" in err
    assert "epochz: not a field of TrainConfig" in err and "did you mean 'epochs'?" in err
    assert "optim.name: expected Literal['adam', 'sgd'], got 'adamw'" in err
    assert "lng_run: expected the name of a view or a command word" in err
    assert "did you mean 'long_run'?" in err


def test_view_writing_a_wrong_type_is_reported_with_its_location(run_program: Runner) -> None:
    """A view that writes `epochs = "many"` and an unknown key is named with file:line."""
    source = SCHEMA + """
@scope.observe(default=True)
def broken(config):
    config.epochs = "many"
    config.optim.momentum = 0.9

@scope
def train(cfg: TrainConfig) -> None:
    print("ran")

if __name__ == "__main__":
    train()
"""
    result = run_program(source)
    assert result.returncode == 2
    assert result.stdout == ""
    line = source.splitlines().index("def broken(config):")  # the decorator's line
    assert "epochs: expected int (Input should be a valid integer" in result.stderr
    assert f"got 'many' (from view 'broken' (train.py:{line}))" in result.stderr
    assert f"optim.momentum: not a field of Optim (from view 'broken' (train.py:{line}))" in result.stderr


def test_model_validator_problem_is_reported(run_program: Runner) -> None:
    """A model validator's complaint comes through as a ConfigError, exit 2."""
    result = run_program(PROGRAM, "epochs=5000")
    assert result.returncode == 2
    assert "epochs above 1000 is surely a typo" in result.stderr


def test_explain_names_every_write_and_the_winner(run_program: Runner) -> None:
    """`explain optim.lr` lists schema default, view, CLI token and lazy view in order."""
    result = run_program(PROGRAM, "warm", "optim.lr=0.01", "explain", "optim.lr")
    assert result.returncode == 0, result.stderr
    warm_line = PROGRAM.splitlines().index("def warm(config):")
    assert result.stdout == (
        "optim.lr = 0.02\n"
        "  1. 0.001  (schema defaults)\n"
        "  2. 0.01   CLI token 'optim.lr=0.01'\n"
        f"  3. 0.02   lazy view 'warm' (train.py:{warm_line})  <- final\n"
    )


def test_print_shows_the_validated_config(run_program: Runner) -> None:
    """`print` prints the final, validated config and exits 0 without running the function."""
    result = run_program(PROGRAM, "epochs=3", "print")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "epochs: 3\noptim:\n  lr: 0.001\n  name: adam\nrun_name: baseline\n"
        "layers:\n  0) 64\n  1) 128\nseed: None\n"
    )


def test_manual_lists_schema_fields(run_program: Runner) -> None:
    """`manual` shows the applying order with schema defaults and every field."""
    result = run_program(PROGRAM, "manual", "long_run", "warm")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "(schema defaults) → long_run → (CLI Inputs) → warm\n" in out
    assert "(Schema TrainConfig)\n" in out
    assert "epochs: int = 10\n" in out
    assert "optim.lr: float (> 0) = 0.001  # learning rate\n" in out
    assert "optim.name: {adam,sgd} = 'adam'\n" in out
    assert "seed: int | None = None\n" in out


def test_declared_type_structural_hash(run_program: Runner) -> None:
    """Under a schema the hash follows declared types: values do not move it, a new field does."""
    source = SCHEMA + """
from pydantic import create_model
from ato.schema import schema_hash

@scope
def train(cfg: TrainConfig) -> None:
    first = scope.config.get_structural_hash()
    print(first == schema_hash(TrainConfig))
    scope.config.epochs = "a string now"
    print(scope.config.get_structural_hash() == first)
    Wider = create_model("Wider", __base__=TrainConfig, extra_field=(int, 0))
    print(schema_hash(Wider) != first)

if __name__ == "__main__":
    train()
"""
    for args in ((), ("epochs=99", "optim.lr=0.5")):
        result = run_program(source, *args)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "True\nTrue\nTrue\n"


def test_build_without_a_command_line(run_program: Runner) -> None:
    """scope.build(argv) returns the model or raises ConfigError, for programmatic use."""
    source = SCHEMA + """
from ato import ConfigError
print(scope.build(["optim.lr=0.5"]).optim.lr)
try:
    scope.build(["optim.lr=oops"])
except ConfigError as err:
    print(err.key, err.expected, err.got)
"""
    result = run_program(source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "0.5\noptim.lr float oops\n"


def test_list_and_optional_values_from_the_command_line(run_program: Runner) -> None:
    """`layers=[1,2,3]` fills list[int]; `seed=None` fits Optional[int]; a bad item is named."""
    result = run_program(PROGRAM, "layers=[1,2,3]", "seed=None")
    assert result.returncode == 0, result.stderr
    assert "layers=[1, 2, 3], seed=None" in result.stdout
    result = run_program(PROGRAM, "layers=[1,'x']")
    assert result.returncode == 2
    assert "layers: expected list[int]" in result.stderr
    assert "got [1, 'x'] (list)" in result.stderr


LAZY_EXPLAIN = """
from ato.scope import Scope
scope = Scope()

@scope.observe(default=True)
def base(cfg):
    cfg.model = 'resnet50'
    cfg.depth = 50
    with Scope.lazy():
        if cfg.model == 'resnet101':
            cfg.depth = 101

@scope
def train(cfg):
    print(cfg.depth)

if __name__ == "__main__":
    train()
"""


def test_explain_names_the_lazy_block(run_program: Runner) -> None:
    """A value set inside `with Scope.lazy():` is attributed to that block's line."""
    result = run_program(LAZY_EXPLAIN, "model=resnet101", "explain", "depth", "model")
    assert result.returncode == 0, result.stderr
    lines = LAZY_EXPLAIN.splitlines()
    view_line = lines.index("def base(cfg):")
    block_line = lines.index("    with Scope.lazy():") + 1
    assert result.stdout == (
        "depth = 101\n"
        f"  1. 50   view 'base' (train.py:{view_line})\n"
        f"  2. 101  lazy block in view 'base' (train.py:{block_line})  <- final\n"
        "model = 'resnet101'\n"
        f"  1. 'resnet50'   view 'base' (train.py:{view_line})\n"
        "  2. 'resnet101'  CLI token 'model=resnet101'  <- final\n"
    )
