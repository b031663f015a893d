"""The new ato with a pydantic schema (DESIGN section 4): ``python ato_typed.py optim.lr=0.01``.

The models are the ones pydantic_argparse.py validates with.
"""

from pydantic import BaseModel, Field

from ato.scope import Scope


class Optim(BaseModel):
    lr: float = Field(1e-3, gt=0, description="learning rate")


class TrainConfig(BaseModel):
    epochs: int = 10
    batch_size: int = 32
    model: str = "resnet50"
    seed: int = 0
    optim: Optim = Optim()


scope = Scope(schema=TrainConfig)


@scope
def train(cfg: TrainConfig) -> None:
    print(cfg.optim.lr)


if __name__ == "__main__":
    train()
