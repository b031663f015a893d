"""Hydra with a structured config: ``python hydra_structured.py optim.lr=0.01``.

The harness adds ``hydra.run.dir=. hydra.output_subdir=null hydra/job_logging=disabled
hydra/hydra_logging=disabled`` and runs in a temporary directory, so that Hydra writes no
output directory and no log file.
"""

from dataclasses import dataclass, field

import hydra
from hydra.core.config_store import ConfigStore


@dataclass
class Optim:
    lr: float = 1e-3


@dataclass
class TrainConfig:
    epochs: int = 10
    batch_size: int = 32
    model: str = "resnet50"
    seed: int = 0
    optim: Optim = field(default_factory=Optim)


ConfigStore.instance().store(name="train", node=TrainConfig)


@hydra.main(version_base=None, config_name="train")
def train(cfg: TrainConfig) -> None:
    print(cfg.optim.lr)


if __name__ == "__main__":
    train()
