"""Hyperband over a typed scope: `python examples/search.py` (add `epochs=...` etc. as usual)."""

import math
from typing import Literal

from pydantic import BaseModel

from ato import Scope
from ato.hyperopt import BracketHyperBand, Trial


class TrainConfig(BaseModel):
    lr: float = 1e-3
    dropout: float = 0.1
    model: Literal["small", "large"] = "small"


scope = Scope(schema=TrainConfig)
search = BracketHyperBand(
    scope,
    {
        "lr": {"param_type": "FLOAT", "param_range": (1e-5, 1e-1), "space_type": "LOG"},
        "dropout": {"param_type": "FLOAT", "param_range": (0.0, 0.5)},
        "model": {"param_type": "CATEGORY", "categories": ["small", "large"]},
    },
    max_budget=27,   # epochs for the longest trials
    eta=3,
    seed=0,
    sampler="local",  # half of the later draws near the best full-budget trial
)


@search.main
def train(cfg: TrainConfig, trial: Trial) -> float:
    # A stand-in for training `trial.budget` epochs and returning validation accuracy.
    quality = 0.9 - 0.05 * abs(math.log10(cfg.lr) + 3) - 0.2 * abs(cfg.dropout - 0.2)
    quality += 0.03 if cfg.model == "large" else 0.0
    return quality * (1 - math.exp(-(trial.budget or 1) / 5))


if __name__ == "__main__":
    result = train()
    print(f"{len(result.trials)} trials, best accuracy {result.metric:.3f}")
    print(f"best: lr={result.config.lr:.2e} dropout={result.config.dropout:.2f} model={result.config.model}")
