# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from random import Random
from typing import Any, Generic, Literal, NamedTuple, TypeVar

from ato.adict import ADict
from ato.scope import Scope

__all__ = [
    "Bracket",
    "BracketHyperBand",
    "DistributedHyperBand",
    "DistributedHyperOpt",
    "DistributedMixIn",
    "GridSpaceMixIn",
    "HyperBand",
    "HyperOpt",
    "RandomSearch",
    "SearchError",
    "SearchResult",
    "Trial",
    "TrialRecord",
    "brackets",
]

_S = TypeVar("_S")
_T = TypeVar("_T")

class Bracket(NamedTuple):
    s: int
    rounds: list[tuple[int, float]]

def brackets(max_budget: float, eta: float = 3, min_budget: float = 1) -> list[Bracket]: ...

class BracketHyperBand(_Sampled[_S]):
    brackets: list[Bracket]
    max_budget: float
    eta: float
    min_budget: float
    resume: bool
    budget_limit: float | None
    sampler: Literal["random", "local"]
    def __init__(
        self,
        scope: Scope[_S],
        search_spaces: Mapping[str, Any],
        max_budget: float = 81,
        eta: float = 3,
        min_budget: float = 1,
        tracker: Any = None,
        mode: str = "max",
        *,
        budget_limit: float | None = None,
        resume: bool = False,
        sampler: Literal["random", "local"] = "random",
        seed: int | None = None,
        metric_key: str = "metric",
        on_error: str = "continue",
        progress: bool | None = None,
    ) -> None: ...
    def schedule(self) -> list[Bracket]: ...
    def total_budget(self) -> float: ...
    def main(self, func: Callable[..., Any]) -> Callable[..., SearchResult[_S]]: ...

class GridSpaceMixIn:
    @classmethod
    def prepare_distributions(
        cls,
        base_config: Mapping[str, Any],
        search_spaces: Mapping[str, Any],
    ) -> list[ADict]: ...

class HyperOpt(Generic[_S]):
    scope: Scope[_S]
    spaces: list[_Space]
    search_spaces: ADict
    tracker: Any
    mode: str
    metric_key: str
    on_error: str
    progress: bool | None
    config: ADict
    search_id: str
    def __init__(
        self,
        scope: Scope[_S],
        search_spaces: Mapping[str, Any],
        tracker: Any = None,
        mode: str = "max",
        *,
        metric_key: str = "metric",
        on_error: str = "continue",
        progress: bool | None = None,
    ) -> None: ...
    def get_hyperopt_id(self) -> str: ...
    def main(self, func: Callable[..., Any]) -> Callable[..., Any]: ...

class DistributedMixIn:
    rank: int
    world_size: int
    backend: str
    def __init__(self, rank: int = 0, world_size: int = 1, backend: str = "pytorch") -> None: ...
    @property
    def is_root(self) -> bool: ...
    def broadcast_object_from_root(self, obj: _T) -> _T: ...
    def all_gather_object(self, obj: _T) -> list[_T]: ...
    def destroy(self) -> None: ...
    def get_hyperopt_id(self) -> str: ...

class DistributedHyperOpt(DistributedMixIn, HyperOpt[_S]):
    def __init__(
        self,
        scope: Scope[_S],
        search_spaces: Mapping[str, Any],
        tracker: Any = None,
        mode: str = "max",
        rank: int = 0,
        world_size: int = 1,
        backend: str = "pytorch",
        **options: Any,
    ) -> None: ...

class DistributedHyperBand(DistributedMixIn, HyperBand[_S]):
    def __init__(
        self,
        scope: Scope[_S],
        search_spaces: Mapping[str, Any],
        halving_rate: float,
        num_min_samples: int,
        tracker: Any = None,
        mode: str = "max",
        rank: int = 0,
        world_size: int = 1,
        backend: str = "pytorch",
        **options: Any,
    ) -> None: ...

class HyperBand(GridSpaceMixIn, HyperOpt[_S]):
    halving_rate: float
    num_min_samples: int
    max_budget: int | None
    def __init__(
        self,
        scope: Scope[_S],
        search_spaces: Mapping[str, Any],
        halving_rate: float,
        num_min_samples: int,
        tracker: Any = None,
        mode: str = "max",
        *,
        max_budget: int | None = None,
        metric_key: str = "metric",
        on_error: str = "continue",
        progress: bool | None = None,
    ) -> None: ...
    @cached_property
    def distributions(self) -> list[ADict]: ...
    @classmethod
    def prepare_distributions(
        cls,
        base_config: Mapping[str, Any],
        search_spaces: Mapping[str, Any],
    ) -> list[ADict]: ...
    def num_generations(self) -> int: ...
    def compute_optimized_initial_training_steps(self, max_steps: int) -> list[int]: ...
    def main(self, func: Callable[..., Any]) -> Callable[..., SearchResult[_S]]: ...

@dataclass(frozen=True, slots=True)
class Trial:
    search_id: str
    index: int
    generation: int
    budget: float | None
    bracket: int | None
    params: Mapping[str, Any]
    resumes: int | None = None
    previous_budget: float | None = None

@dataclass(frozen=True, slots=True)
class TrialRecord:
    trial: Trial
    metric: float | None
    status: str
    error: str | None
    config: ADict
    run_id: int | None = None
    seconds: float = 0.0
    @property
    def params(self) -> Mapping[str, Any]: ...
    @property
    def ok(self) -> bool: ...

@dataclass(frozen=True, slots=True)
class SearchResult(Generic[_S]):
    config: _S
    metric: float
    params: Mapping[str, Any]
    best: TrialRecord
    logs: list[list[TrialRecord]]
    search_id: str
    trials: list[TrialRecord] = ...
    @property
    def failed(self) -> list[TrialRecord]: ...

class SearchError(RuntimeError):
    result: SearchResult[Any] | None
    record: TrialRecord | None
    def __init__(
        self,
        message: str,
        *,
        result: SearchResult[Any] | None = None,
        record: TrialRecord | None = None,
    ) -> None: ...

class RandomSearch(_Sampled[_S]):
    num_trials: int
    budget: float | None
    def __init__(
        self,
        scope: Scope[_S],
        search_spaces: Mapping[str, Any],
        num_trials: int,
        tracker: Any = None,
        mode: str = "max",
        *,
        budget: float | None = None,
        seed: int | None = None,
        metric_key: str = "metric",
        on_error: str = "continue",
        progress: bool | None = None,
    ) -> None: ...
    def main(self, func: Callable[..., Any]) -> Callable[..., SearchResult[_S]]: ...

class _Sampled(HyperOpt[_S]):
    seed: int
    def __init__(
        self,
        scope: Scope[_S],
        search_spaces: Mapping[str, Any],
        tracker: Any,
        mode: str,
        seed: int | None,
        **options: Any,
    ) -> None: ...

class _Space(NamedTuple):
    name: str
    kind: str
    low: float = 0.0
    high: float = 0.0
    num_samples: int | None = None
    log: bool = False
    categories: tuple[Any, ...] = ()
    def grid(self) -> list[Any]: ...
    def draw(self, rng: Random) -> Any: ...
    def near(self, value: Any, rng: Random, step: float, keep: float) -> Any: ...
    def probes(self) -> list[Any]: ...
