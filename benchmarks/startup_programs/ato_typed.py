"""This ato with a pydantic schema (DESIGN section 4): ``python ato_typed.py optim.lr=0.01``."""

from _models import TrainConfig

from ato.scope import Scope

scope = Scope(schema=TrainConfig)


@scope
def train(cfg: TrainConfig) -> None:
    print(cfg.optim.lr)


if __name__ == "__main__":
    train()
