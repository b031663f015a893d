"""Searches whose configurations are drawn at random (seeded) from the spaces."""

from __future__ import annotations

import functools
import random
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from ato.errors import ConfigError
from ato.hyperopt._core import HyperOpt
from ato.hyperopt._records import SearchResult, Trial, TrialRecord, count
from ato.hyperopt._runner import Runner

if TYPE_CHECKING:
    from ato.scope import Scope

__all__ = ["RandomSearch", "Sampled"]

S = TypeVar("S")


class Sampled(HyperOpt[S]):
    """A search whose configurations are drawn at random from the spaces."""

    def __init__(self, scope: Scope[S], search_spaces: Mapping[str, Any], tracker: Any, mode: str,
                 seed: int | None, **options: Any) -> None:
        if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
            raise ConfigError(key="seed", expected="an integer or None", got=seed)
        super().__init__(scope, search_spaces, tracker, mode, **options)
        self.seed = self._agree(seed if seed is not None else random.SystemRandom().randrange(2**63))

    def _draw(self, rng: random.Random) -> dict[str, Any]:
        return {space.name: space.draw(rng) for space in self.spaces}


class RandomSearch(Sampled[S]):
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
        self.num_trials = count(num_trials, "num_trials")
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
            logs: list[list[TrialRecord]] = []
            self._round(runner, trials, logs)
            return self._finish(runner, logs)

        return launch
