"""A typed training entry point: `python examples/typed_train.py long_run optim.lr=3e-4`."""

from typing import Literal

from pydantic import BaseModel, Field

from ato import ADict, Scope


class Optim(BaseModel):
    lr: float = Field(default=1e-3, gt=0, description="learning rate")
    name: Literal["adam", "sgd"] = "adam"


class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()


scope = Scope(schema=TrainConfig)


@scope.observe()                 # a view: selected by `python train.py long_run`
def long_run(config: ADict) -> None:
    config.epochs = 100


@scope.observe(lazy=True, default=True)  # runs after the command line, sees its values
def scale_lr(config: ADict) -> None:
    config.optim.lr = config.optim.lr * config.epochs / 10


@scope
def train(cfg: TrainConfig) -> float:   # a validated TrainConfig; mypy checks cfg.optim.lr
    return cfg.optim.lr * cfg.epochs


if __name__ == "__main__":
    print(train())
