"""Lines mypy --strict must reject, each with its error code (never run).

Every such line ends with ``# E: <code>``; tests/test_typing.py checks that mypy reports
exactly these (line, code) pairs in this file, and nothing on any other line.
"""

from __future__ import annotations

from pydantic import BaseModel

from ato import ADict, Scope


class Optim(BaseModel):
    lr: float = 1e-3


class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()


class EvalConfig(BaseModel):
    batch: int = 64


scope = Scope(schema=TrainConfig)


@scope
def train(cfg: TrainConfig, steps: int) -> float:
    _ = cfg.lrr  # E: attr-defined
    _ = cfg.optim.lr.upper()  # E: attr-defined
    _epochs: str = cfg.epochs  # E: assignment
    return cfg.optim.lr * steps


# The decorated function keeps its own parameters, minus the config.
train("three")  # E: arg-type
train(steps=3, stepz=4)  # E: call-arg
train()  # E: call-arg
label: str = train(3)  # E: assignment
train.with_argv(["epochs=3"])()  # E: call-arg

# The scope's type parameter is the schema.
built: EvalConfig = scope.build()  # E: assignment
wrong: Scope[EvalConfig] = scope  # E: assignment
Scope(schema=TrainConfig())  # E: call-overload
Scope(schema=int)  # E: type-var
scope.observe(priority="high")  # E: call-overload


# The first parameter must accept what the scope injects.
def evaluate(cfg: EvalConfig) -> None: ...


def untyped_config(cfg: ADict) -> None: ...


scope(evaluate)  # E: arg-type
scope(untyped_config)  # E: arg-type
Scope()(evaluate)  # E: arg-type


# A search's result carries the scope's schema type.
from ato.hyperopt import HyperBand  # noqa: E402

search = HyperBand(scope, {"epochs": {"param_type": "INTEGER", "param_range": (1, 9), "num_samples": 3}},
                   halving_rate=0.5, num_min_samples=2)
found = search.main(lambda cfg: 0.0)()
_name: str = found.config.epochs  # E: assignment
_ = found.config.epochz  # E: attr-defined
_metric: str = found.metric  # E: assignment
from ato.hyperopt import BracketHyperBand  # noqa: E402

BracketHyperBand(scope, {"epochs": {"param_type": "INTEGER", "param_range": (1, 9)}},
                 sampler="tpe")  # E: arg-type
