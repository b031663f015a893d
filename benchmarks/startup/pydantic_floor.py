"""The floor of any schema'd program: the same pydantic models, no CLI library at all.

``python pydantic_floor.py optim.lr=0.01``: the one override is split by hand and the model
validates it. Nothing can start a pydantic-typed program faster than this, so it shows how
much of every other row is pydantic itself.
"""

import sys

from pydantic import BaseModel, Field


class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0, description="learning rate")


class TrainConfig(BaseModel):
    epochs: int = 10
    batch_size: int = 32
    model: str = "resnet50"
    seed: int = 0
    optim: Optim = Optim()


def main() -> None:
    data: dict[str, dict[str, str]] = {}
    for token in sys.argv[1:]:
        key, _, value = token.partition("=")
        group, _, leaf = key.partition(".")
        data.setdefault(group, {})[leaf] = value
    cfg = TrainConfig.model_validate(data)
    print(cfg.optim.lr)


if __name__ == "__main__":
    main()
