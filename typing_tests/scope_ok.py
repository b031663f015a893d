"""A correct typed program: mypy --strict must accept it as it is (it is never run)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from ato import ADict, ConfigError, MultiScope, Scope
from ato.scope import Scope as ScopeFromPackage


class Optim(BaseModel):
    # `default=` by keyword: without pydantic's mypy plugin, mypy reads a positional
    # default of Field as no default at all, and `Optim()` below would miss `lr`.
    lr: float = Field(default=1e-3, gt=0, description="learning rate")
    name: Literal["adam", "sgd"] = "adam"


class TrainConfig(BaseModel):
    epochs: int = 10
    optim: Optim = Optim()


scope = Scope(schema=TrainConfig)
typed: Scope[TrainConfig] = scope
same: ScopeFromPackage[TrainConfig] = ScopeFromPackage(schema=TrainConfig)


@scope.observe
def long_run(config: ADict) -> None:
    config.epochs = 100
    with Scope.lazy():
        config.optim.lr = config.optim.lr * 2


@scope.observe(priority=1, lazy=True, chain_with="long_run")
def warm(config: ADict) -> None:
    config.optim.lr = config.optim.lr / 10


mapping: dict[str, int] = scope.observe("short_run", config={"epochs": 1}, priority=-1)
texts: None = scope.manual(manual={"epochs": "passes over the data"})


@scope.manual
def docs(manual: ADict) -> None:
    manual.epochs = "passes over the data"


@scope
def train(cfg: TrainConfig, steps: int) -> float:
    x: float = cfg.optim.lr
    name: Literal["adam", "sgd"] = cfg.optim.name
    return x * cfg.epochs * steps if name == "adam" else 0.0


a: float = train(steps=3)
b: float = train(3)
# Built from explicit tokens (tests, notebooks): same parameters, same return type.
explicit: float = train.with_argv(["long_run", "optim.lr=3e-4"])(steps=3)

built: TrainConfig = scope.build(["long_run", "optim.lr=3e-4"])
steps: list[str] = scope.plan_all_steps()
sources: list[str] = [write.source for write in scope.explain("optim.lr")]
raw: ADict = scope.config
schema: type[TrainConfig] | None = scope.schema
planned: list[str] = scope.plan(["long_run"]).steps(schema=True)
locations: list[str] = [view.location for view in scope.views.values()]

# Without a schema the function receives the ADict, and keys are not checked.
plain = Scope()
untyped: Scope[ADict] = plain
named = Scope(config={"lr": 0.1}, name="model")


@plain
def run(cfg: ADict, seed: int = 0) -> str:
    cfg.anything.goes = seed
    lr: float = cfg.lr
    return f"{lr}"


c: str = run()
d: str = run(seed=1)
e: ADict = plain.build(["lr=0.1"])

multi = MultiScope(named, Scope(name="data"))


@multi
def both(model: ADict, data: ADict) -> int:
    return len(model) + len(data)


f: int = both()

try:
    scope.build(["optim.lr=fast"])
except ConfigError as error:
    problems = [problem.render() for problem in error.problems]


# A search over the typed scope hands back the schema's type.
from ato.hyperopt import BracketHyperBand, HyperBand, SearchResult, Trial  # noqa: E402

search = HyperBand(scope, {"optim.lr": {"param_type": "FLOAT", "param_range": (1e-4, 1e-1),
                                        "num_samples": 4, "space_type": "LOG"}},
                   halving_rate=0.5, num_min_samples=2)


@search.main
def objective(cfg: TrainConfig, trial: Trial) -> float:
    return cfg.optim.lr * (trial.budget or 1.0) + trial.generation


found: SearchResult[TrainConfig] = objective()
best_lr: float = found.config.optim.lr
schedule: list[int] = search.compute_optimized_initial_training_steps(1000)
brackets_search = BracketHyperBand(scope, {"epochs": {"param_type": "INTEGER", "param_range": (1, 9)}},
                                   sampler="local")
epochs_found: int = brackets_search.main(objective)().config.epochs
