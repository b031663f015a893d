"""The fixed program whose help tests/test_help.py pins in help_program.txt.

It exercises every part of the help: a docstring on the schema and on a nested model,
Field descriptions and attribute docstrings, Literal and Enum choices, every kind of
constraint, defaults (a nested default instance, a factory), default, prioritised,
chained and lazy views, and a @scope.manual text. A run prints the steps it applied, so
the tests can compare them with what `manual` lists.
"""

import enum
from typing import Literal

from pydantic import BaseModel, Field

from ato import ADict, Scope


class Precision(enum.Enum):
    FULL = "fp32"
    HALF = "bf16"


class Optim(BaseModel):
    """Settings of the optimiser.

    Only this first paragraph shows on the optim line.
    """

    lr: float = Field(1e-3, gt=0, le=1, description="learning rate")
    name: Literal["adam", "sgd"] = "adam"
    """the update rule"""
    momentum: float = Field(0.9, ge=0, lt=1)


class TrainConfig(BaseModel):
    """One training run of the example classifier.

    Every field below is set on the command line as KEY=VALUE.
    """

    epochs: int = Field(10, ge=1, description="passes over the training set")
    batch_size: int = Field(32, multiple_of=8)
    run_name: str = Field("baseline", pattern=r"^[a-z0-9_]+$", min_length=1, max_length=32)
    tags: list[str] = Field(default_factory=list, max_length=4)
    precision: Precision = Precision.FULL
    seed: int | None = None
    """random seed; None draws one"""
    optim: Optim = Optim(lr=0.01)


scope = Scope(schema=TrainConfig)


@scope.observe(default=True)
def stamp(config: ADict) -> None:
    config.run_name = f"run_{config.epochs}"


@scope.observe(priority=1)
def long_run(config: ADict) -> None:
    config.epochs = 100


@scope.observe(chain_with="long_run")
def fine_tune(config: ADict) -> None:
    config.optim.lr = 1e-4


@scope.observe(lazy=True, priority=2)
def warm(config: ADict) -> None:
    config.optim.lr = config.optim.lr * 2


@scope.manual
def notes(config: ADict) -> None:
    config.run_name = "the stamp view names the run after the epochs it sees"


@scope
def train(cfg: TrainConfig) -> None:
    print(cfg.run_name, " → ".join(scope.steps))


if __name__ == "__main__":
    train()
