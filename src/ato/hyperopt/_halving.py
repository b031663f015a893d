"""Successive halving over a grid: ato 2.x's ``HyperBand``.

A promoted configuration runs again with its next generation's budget; ``trial.resumes``
names the trial it may continue from, for an objective that keeps checkpoints.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ato.adict import ADict
from ato.errors import ConfigError
from ato.hyperopt._core import GridSpaceMixIn, HyperOpt
from ato.hyperopt._records import SearchResult, TrialRecord, count, exact, trial_from
from ato.hyperopt._runner import Runner
from ato.hyperopt._spaces import grid_points

if TYPE_CHECKING:
    from ato.scope import Scope

__all__ = ["HyperBand"]

S = TypeVar("S")


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
        # Checked as the arithmetic will use it: a rate within 1e-9 of 0 or 1 is 0 or 1.
        if isinstance(halving_rate, bool) or not isinstance(halving_rate, int | float) or not (
            math.isfinite(halving_rate) and 0 < exact(halving_rate) < 1
        ):
            raise ConfigError(key="halving_rate", expected="a number between 0 and 1 (exclusive)",
                              got=halving_rate)
        self.halving_rate = halving_rate
        self.num_min_samples = count(num_min_samples, "num_min_samples")
        if max_budget is not None:
            count(max_budget, "max_budget")
        self.max_budget = max_budget
        super().__init__(scope, search_spaces, tracker, mode, metric_key=metric_key,
                         on_error=on_error, progress=progress)
        self._points = grid_points(self.spaces)

    @functools.cached_property
    def distributions(self) -> list[ADict]:
        """The grid's configurations as ato 2.x listed them, made when first read."""
        return self.prepare_distributions(self.config, self.search_spaces)

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
        count(max_steps, "max_steps")
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
        pool: list[Mapping[str, Any] | TrialRecord] = list(self._points)
        rate = exact(self.halving_rate)
        final = len(sizes) - 1
        for generation in range(len(sizes)):
            budget = None if steps is None else steps[generation]
            trials = [trial_from(item, self.search_id, next(counter), generation, budget) for item in pool]
            ranked = self._round(runner, trials, logs)
            done: list[Mapping[str, Any] | TrialRecord] = [r for r in ranked if r.ok]
            if generation + 1 < final:
                pool = list(done[: math.floor(len(ranked) * rate)])
            elif generation + 1 == final:
                pool = list(done[:1])
            if not pool:
                break
        return self._finish(runner, logs)
