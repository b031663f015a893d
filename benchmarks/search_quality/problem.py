"""A seeded synthetic learning-curve benchmark with a known optimum (fixed before any search ran).

* Parameters ``lr`` (log-uniform 1e-5..1e-1), ``batch_size`` (integer, log 16..512), ``dropout``
  (0..0.5) and ``model`` (``mlp``, ``cnn``, ``resnet``).
* The true final score ``f(x) = BASE + amp[model] * g_lr * g_bs * g_do``, each ``g`` a Gaussian
  bump equal to 1 at its centre: ``log10 lr`` around the model's best learning rate shifted by
  ``log10(batch_size / 96)`` (the linear scaling rule, so that lr and batch size interact),
  ``log2 batch_size`` around ``log2 96``, and ``dropout`` around the model's best dropout. Its
  unique maximum ``F_STAR`` = 0.95 is at ``OPTIMUM``.
* The curve ``f - (f - BASE) * exp(-b / tau(x)) + noise`` after ``b`` epochs from scratch:
  ``tau`` grows for slower models (``resnet`` is the slowest, so the best model trails for
  the first epochs), smaller learning rates, larger batches and more dropout; the noise is a
  standard normal fixed by a hash of (seed, config, budget), times ``0.01 + 0.05 / sqrt(b)``.

Standard library only: the same file runs in the project venv and in ``.venvs/optuna``, so
that every side optimises literally the same function.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

MODELS = ("mlp", "cnn", "resnet")
LR_RANGE = (1e-5, 1e-1)
BS_RANGE = (16, 512)
DROPOUT_RANGE = (0.0, 0.5)
MAX_BUDGET = 81  # R, in epochs
ETA = 3

BASE = 0.10  # the score of an untrained model, and the floor of f
BEST_BS = 96
SIGMA_LOG10_LR, SIGMA_LOG2_BS, SIGMA_DROPOUT = 0.8, 1.5, 0.25  # decades, octaves, dropout
# model -> (amplitude, log10 of the best lr at batch size 96, best dropout, tau at the reference point)
MODEL_SHAPE = {
    "mlp": (0.72, -2.5, 0.05, 2.0),
    "cnn": (0.80, -3.0, 0.25, 4.0),
    "resnet": (0.85, -2.6, 0.15, 8.0),
}
OPTIMUM = {"lr": 10**-2.6, "batch_size": BEST_BS, "dropout": 0.15, "model": "resnet"}
F_STAR = BASE + MODEL_SHAPE["resnet"][0]  # 0.95


def true_score(lr: float, batch_size: float, dropout: float, model: str) -> float:
    """``f(x)``: the score the configuration reaches after unlimited training (no noise)."""
    amp, best_log_lr, best_dropout, _ = MODEL_SHAPE[model]
    log_bs = math.log2(batch_size / BEST_BS)
    centre = best_log_lr + math.log10(batch_size / BEST_BS)
    z_lr = (math.log10(lr) - centre) / SIGMA_LOG10_LR
    z_bs = log_bs / SIGMA_LOG2_BS
    z_do = (dropout - best_dropout) / SIGMA_DROPOUT
    return BASE + amp * math.exp(-0.5 * (z_lr * z_lr + z_bs * z_bs + z_do * z_do))


def tau(lr: float, batch_size: float, dropout: float, model: str) -> float:
    """Epochs for the curve to cover 63% of the way from BASE to ``f``."""
    return MODEL_SHAPE[model][3] * (1e-3 / lr) ** 0.3 * (batch_size / 64) ** 0.4 * (1 + dropout)


def _gauss(*key: Any) -> float:
    """A standard normal value fixed by ``key`` (Box-Muller on a BLAKE2 hash of its repr)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
    u1 = ((int.from_bytes(digest[:8], "big") >> 11) + 0.5) / 2**53
    u2 = (int.from_bytes(digest[8:], "big") >> 11) / 2**53
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def curve(seed: int, lr: float, batch_size: int, dropout: float, model: str, budget: float) -> float:
    """The (noisy) score after ``budget`` epochs of training from scratch."""
    lr, batch_size, dropout, epochs = float(lr), int(batch_size), float(dropout), int(budget)
    f = true_score(lr, batch_size, dropout, model)
    mean = f - (f - BASE) * math.exp(-epochs / tau(lr, batch_size, dropout, model))
    noise_std = 0.01 + 0.05 / math.sqrt(epochs)
    return mean + noise_std * _gauss(seed, model, repr(lr), batch_size, repr(dropout), epochs)


def regret(params: dict[str, Any]) -> float:
    return F_STAR - true_score(params["lr"], params["batch_size"], params["dropout"], params["model"])


def ato_spaces(adict: Any, grid: dict[str, int] | None = None) -> Any:
    """The search spaces in ato's form; ``grid`` gives ``num_samples`` per numeric space."""
    grid = grid or {}

    def space(name: str, **kw: Any) -> Any:
        return adict(**kw, **({"num_samples": grid[name]} if name in grid else {}))

    return adict(
        lr=space("lr", param_type="FLOAT", param_range=LR_RANGE, space_type="LOG"),
        batch_size=space("batch_size", param_type="INTEGER", param_range=BS_RANGE, space_type="LOG"),
        dropout=space("dropout", param_type="FLOAT", param_range=DROPOUT_RANGE),
        model=adict(param_type="CATEGORY", categories=list(MODELS)),
    )


def optuna_suggest(trial: Any) -> dict[str, Any]:
    return {
        "lr": trial.suggest_float("lr", *LR_RANGE, log=True),
        "batch_size": trial.suggest_int("batch_size", *BS_RANGE, log=True),
        "dropout": trial.suggest_float("dropout", *DROPOUT_RANGE),
        "model": trial.suggest_categorical("model", list(MODELS)),
    }
