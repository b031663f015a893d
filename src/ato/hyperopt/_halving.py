"""Successive halving over a grid (ato 2.x's ``HyperBand``) and Hyperband with brackets.

Both promote a configuration by running it again with more budget; neither resumes a
trial, so an objective that wants to continue training keeps its own checkpoints (the
trial's ``params`` identify the configuration).
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ato.adict import ADict
from ato.errors import ConfigError
from ato.hyperopt._core import (
    GridSpaceMixIn,
    HyperOpt,
    Runner,
    SearchResult,
    Trial,
    TrialRecord,
    exact,
)
from ato.hyperopt._spaces import grid_points

if TYPE_CHECKING:
    from ato.scope import Scope

__all__ = ["Bracket", "BracketHyperBand", "HyperBand", "RandomSearch", "brackets"]

S = TypeVar("S")


def _count(value: object, name: str, minimum: int = 1) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(key=name, expected=f"an integer >= {minimum}", got=value)
    return value


class HyperBand(GridSpaceMixIn, HyperOpt[S]):
    """Successive halving over the grid of the search spaces (ato 2.x's ``HyperBand``).

    Every grid configuration runs at generation 0; the best ``halving_rate`` of each round
    (rounded down) run again one generation later, as long as a round has at least
    ``num_min_samples`` configurations; the best of the last round then runs once more,
    one generation later, and is the winner.

    Args:
        halving_rate: The share kept after each round, strictly between 0 and 1.
        num_min_samples: The smallest round that is still halved (>= 1).
        max_budget: When given, each trial's ``trial.budget`` is its generation's entry
            of :meth:`compute_optimized_initial_training_steps` for this budget.

    The other arguments are :class:`~ato.hyperopt.HyperOpt`'s.
    """

    _needs_grid = True

    def __init__(
        self,
        scope: Scope[S],
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
    ) -> None:
        if isinstance(halving_rate, bool) or not isinstance(halving_rate, int | float) or not (
            0 < halving_rate < 1
        ):
            raise ConfigError(key="halving_rate", expected="a number between 0 and 1 (exclusive)",
                              got=halving_rate)
        self.halving_rate = halving_rate
        self.num_min_samples = _count(num_min_samples, "num_min_samples")
        if max_budget is not None:
            _count(max_budget, "max_budget")
        self.max_budget = max_budget
        super().__init__(scope, search_spaces, tracker, mode, metric_key=metric_key,
                         on_error=on_error, progress=progress)
        self._points = grid_points(self.spaces)
        self.distributions = self.prepare_distributions(self.config, self.search_spaces)

    @classmethod
    def prepare_distributions(cls, base_config: Mapping[str, Any], search_spaces: Mapping[str, Any]
                              ) -> list[ADict]:
        """The grid's configurations, each starting at generation 0 (``__num_halved__``)."""
        configs = super().prepare_distributions(base_config, search_spaces)
        for config in configs:
            config.__num_halved__ = 0
        return configs

    def _round_sizes(self) -> list[int]:
        """How many configurations each round runs, the final run included."""
        rate = exact(self.halving_rate)
        sizes = []
        size = len(self._points)
        while size >= self.num_min_samples:
            sizes.append(size)
            size = math.floor(size * rate)
        return [*sizes, 1] if sizes else [len(self._points)]

    def num_generations(self) -> int:
        """How many generations the search runs (``__num_halved__`` goes from 0 to this - 1)."""
        return len(self._round_sizes())

    def compute_optimized_initial_training_steps(self, max_steps: int) -> list[int]:
        """Steps to train at each generation, growing by ``1 / halving_rate`` per
        generation up to ``max_steps`` at the last; index it with ``__num_halved__``.
        """
        _count(max_steps, "max_steps")
        last = self.num_generations() - 1
        rate = exact(self.halving_rate)
        return [math.ceil(max_steps * rate ** (last - g)) for g in range(last + 1)]

    def main(self, func: Callable[..., Any]) -> Callable[..., SearchResult[S]]:
        """Turn the objective into the search; call the result (with any arguments the
        objective takes besides its config) to run it."""

        @functools.wraps(func)
        def launch(*args: Any, **kwargs: Any) -> SearchResult[S]:
            runner = Runner(self, func, args, kwargs, sum(self._round_sizes()))
            return self._halve(runner)

        return launch

    def _halve(self, runner: Runner) -> SearchResult[S]:
        steps = (self.compute_optimized_initial_training_steps(self.max_budget)
                 if self.max_budget is not None else None)
        sizes = self._round_sizes()
        counter = iter(range(sum(sizes)))
        logs: list[list[TrialRecord]] = []
        pool: list[Mapping[str, Any]] = list(self._points)
        rate = exact(self.halving_rate)
        final = len(sizes) - 1
        for generation in range(len(sizes)):
            budget = None if steps is None else float(steps[generation])
            trials = [Trial(self.search_id, next(counter), generation, budget, None, params)
                      for params in pool]
            ranked = self._rank(self._run_round(runner, trials))
            logs.append(ranked)
            self._stopped(runner, logs)
            done = [r for r in ranked if r.ok]
            if generation + 1 < final:
                pool = [r.trial.params for r in done[: math.floor(len(ranked) * rate)]]
            elif generation + 1 == final:
                pool = [done[0].trial.params] if done else []
            if not pool:
                break
        return self._finish(runner, logs)


class Bracket(NamedTuple):
    """One Hyperband bracket: ``s`` and its rounds as (configurations, budget each)."""

    s: int
    rounds: list[tuple[int, float]]


def brackets(max_budget: float, eta: float = 3, min_budget: float = 1) -> list[Bracket]:
    """Hyperband's brackets (Li et al., 2018, Algorithm 1), from ``s_max`` down to 0.

    With ``R = max_budget / min_budget``: ``s_max = floor(log_eta R)``; bracket ``s``
    starts ``n = ceil((s_max + 1) / (s + 1) * eta**s)`` configurations with budget
    ``R * eta**-s`` (times ``min_budget``) and keeps the best ``floor(n_i / eta)`` of each
    round, giving the survivors ``eta`` times the budget. Exact arithmetic throughout.
    """
    e = exact(eta)
    ratio = exact(max_budget) / exact(min_budget)
    if e <= 1 or ratio < 1:
        raise ConfigError(key="eta" if e <= 1 else "max_budget",
                          expected="eta > 1 and max_budget >= min_budget > 0",
                          got=eta if e <= 1 else max_budget)
    s_max = 0
    while e ** (s_max + 1) <= ratio:
        s_max += 1
    out = []
    for s in range(s_max, -1, -1):
        n = math.ceil(Fraction(s_max + 1, s + 1) * e**s)
        rounds = []
        for i in range(s + 1):
            n_i = math.floor(n / e**i)
            budget = ratio / e ** (s - i) * exact(min_budget)
            rounds.append((n_i, float(budget)))
        out.append(Bracket(s, rounds))
    return out


class _Sampled(HyperOpt[S]):
    """A search whose configurations are drawn at random from the spaces."""

    def __init__(self, scope: Scope[S], search_spaces: Mapping[str, Any], tracker: Any, mode: str,
                 seed: int | None, **options: Any) -> None:
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ConfigError(key="seed", expected="an integer or None", got=seed)
        super().__init__(scope, search_spaces, tracker, mode, **options)
        self.seed = self._agree(seed if seed is not None else random.SystemRandom().randrange(2**63))

    def _draw(self, rng: random.Random) -> dict[str, Any]:
        return {space.name: space.draw(rng) for space in self.spaces}


class BracketHyperBand(_Sampled[S]):
    """Hyperband (Li et al., 2018): several successive-halving brackets that trade the
    number of configurations against the budget each one gets.

    Configurations are drawn at random (seeded) from the spaces, so FLOAT and INTEGER
    spaces need no ``num_samples``. The winner is the best trial among those that ran with
    the full ``max_budget``. The objective reads its budget from ``trial.budget``.

    Args:
        max_budget: ``R``, the most budget one trial gets (steps, epochs, ...).
        eta: The halving factor: each round keeps the best ``1/eta``.
        min_budget: The least budget a trial gets; budgets are multiples of it.
        seed: Seed of the configuration draws (random when None; kept in ``self.seed``).

    The other arguments are :class:`~ato.hyperopt.HyperOpt`'s.
    """

    def __init__(
        self,
        scope: Scope[S],
        search_spaces: Mapping[str, Any],
        max_budget: float = 81,
        eta: float = 3,
        min_budget: float = 1,
        tracker: Any = None,
        mode: str = "max",
        *,
        seed: int | None = None,
        metric_key: str = "metric",
        on_error: str = "continue",
        progress: bool | None = None,
    ) -> None:
        for name, value in (("max_budget", max_budget), ("eta", eta), ("min_budget", min_budget)):
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ConfigError(key=name, expected="a positive number", got=value)
        self.brackets = brackets(max_budget, eta, min_budget)
        self.max_budget, self.eta, self.min_budget = max_budget, eta, min_budget
        super().__init__(scope, search_spaces, tracker, mode, seed, metric_key=metric_key,
                         on_error=on_error, progress=progress)

    def total_budget(self) -> float:
        """The budget of every trial of every bracket, summed."""
        return sum(n * r for bracket in self.brackets for n, r in bracket.rounds)

    def main(self, func: Callable[..., Any]) -> Callable[..., SearchResult[S]]:
        """Turn the objective into the search; call the result to run it."""

        @functools.wraps(func)
        def launch(*args: Any, **kwargs: Any) -> SearchResult[S]:
            total = sum(n for bracket in self.brackets for n, _ in bracket.rounds)
            runner = Runner(self, func, args, kwargs, total)
            rng = random.Random(self.seed)  # noqa: S311 - seeded sampling, not secrets
            counter = iter(range(total))
            logs: list[list[TrialRecord]] = []
            for bracket in self.brackets:
                pool: list[Mapping[str, Any]] = [self._draw(rng) for _ in range(bracket.rounds[0][0])]
                for generation, (_, budget) in enumerate(bracket.rounds):
                    trials = [Trial(self.search_id, next(counter), generation, budget, bracket.s, p)
                              for p in pool]
                    ranked = self._rank(self._run_round(runner, trials))
                    logs.append(ranked)
                    self._stopped(runner, logs)
                    keep = math.floor(len(ranked) / exact(self.eta))
                    pool = [r.trial.params for r in ranked[:keep] if r.ok]
                    if not pool:
                        break
            return self._finish(runner, logs)

        return launch


class RandomSearch(_Sampled[S]):
    """Random search: ``num_trials`` configurations drawn (seeded) from the spaces, each
    run once with ``budget``; the best is the winner.

    Args:
        num_trials: How many configurations to try.
        budget: What ``trial.budget`` tells the objective (None: no budget).
        seed: Seed of the draws (random when None; kept in ``self.seed``).
    """

    def __init__(
        self,
        scope: Scope[S],
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
    ) -> None:
        self.num_trials = _count(num_trials, "num_trials")
        self.budget = budget
        super().__init__(scope, search_spaces, tracker, mode, seed, metric_key=metric_key,
                         on_error=on_error, progress=progress)

    def main(self, func: Callable[..., Any]) -> Callable[..., SearchResult[S]]:
        """Turn the objective into the search; call the result to run it."""

        @functools.wraps(func)
        def launch(*args: Any, **kwargs: Any) -> SearchResult[S]:
            runner = Runner(self, func, args, kwargs, self.num_trials)
            rng = random.Random(self.seed)  # noqa: S311 - seeded sampling, not secrets
            trials = [Trial(self.search_id, i, 0, self.budget, None, self._draw(rng))
                      for i in range(self.num_trials)]
            logs = [self._rank(self._run_round(runner, trials))]
            self._stopped(runner, logs)
            return self._finish(runner, logs)

        return launch
