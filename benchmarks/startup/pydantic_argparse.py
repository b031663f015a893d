"""pydantic v2 + argparse: ``python pydantic_argparse.py --optim.lr 0.01``.

The usual hand-written bridge: one option per leaf field, every option optional, and the
given values validated (and coerced from text) by building the pydantic model.
"""

import argparse

from pydantic import BaseModel, Field


class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0, description="learning rate")


class TrainConfig(BaseModel):
    epochs: int = 10
    batch_size: int = 32
    model: str = "resnet50"
    seed: int = 0
    optim: Optim = Optim()


def parse_config(argv: list[str] | None = None) -> TrainConfig:
    parser = argparse.ArgumentParser(description="hello-world training entry point")
    parser.add_argument("--epochs")
    parser.add_argument("--batch-size", dest="batch_size")
    parser.add_argument("--model")
    parser.add_argument("--seed")
    parser.add_argument("--optim.lr", dest="optim_lr")
    args = parser.parse_args(argv)
    data: dict[str, object] = {
        k: v for k, v in vars(args).items() if v is not None and not k.startswith("optim_")
    }
    if args.optim_lr is not None:
        data["optim"] = {"lr": args.optim_lr}
    return TrainConfig.model_validate(data)


def train(cfg: TrainConfig) -> None:
    print(cfg.optim.lr)


if __name__ == "__main__":
    train(parse_config())
