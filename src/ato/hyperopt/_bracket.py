"""Hyperband with brackets (Li et al., 2018)."""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, TypeVar

from ato.errors import ConfigError, suggest
from ato.hyperopt._records import SearchResult, TrialRecord, exact, trial_from
from ato.hyperopt._runner import Runner
from ato.hyperopt._sampled import Sampled

if TYPE_CHECKING:
    from ato.scope import Scope

__all__ = ["Bracket", "BracketHyperBand", "brackets"]

S = TypeVar("S")

SAMPLERS = ("random", "local")
# sampler='local': the share of draws made near the best full-budget configuration, the
# normal step as a fraction of each range, and the chance a category is kept.
LOCAL_SHARE, LOCAL_STEP, LOCAL_KEEP = 0.5, 0.1, 0.8


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
    if e <= 1:
        raise ConfigError(key="eta", expected="a number > 1", got=eta)
    if ratio < 1:
        raise ConfigError(key="min_budget", expected=f"at most max_budget ({max_budget:g})", got=min_budget)
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
            # Whole budgets stay ints, so that `range(trial.budget)` works.
            rounds.append((n_i, int(budget) if budget.denominator == 1 else float(budget)))
        out.append(Bracket(s, rounds))
    return out


def bracket_cost(bracket: Bracket, *, resume: bool) -> float:
    """The budget a bracket spends: every trial's budget, or with ``resume`` only what a
    promoted configuration trains beyond its previous round."""
    spent = 0.0
    before = 0.0
    for n, budget in bracket.rounds:
        spent += n * (budget - before if resume else budget)
        before = budget
    return spent


class BracketHyperBand(Sampled[S]):
    """Hyperband (Li et al., 2018): successive-halving brackets that trade the number of
    configurations against the budget each one gets.

    FLOAT and INTEGER spaces need no ``num_samples``: configurations are drawn (seeded)
    from the spaces. The winner is the best trial among those that ran with the full
    ``max_budget``. The objective reads its budget from ``trial.budget``; a promoted
    configuration's trial names the trial it continues in ``trial.resumes``.

    Args:
        max_budget: ``R``, the most budget one trial gets (steps, epochs, ...).
        eta: The halving factor: each round keeps the best ``1/eta``.
        min_budget: The least budget a trial gets; budgets are multiples of it.
        budget_limit: Run brackets (``s_max`` down to 0, then again) as long as the next
            one fits in this total; None runs each bracket once.
        resume: The objective continues promoted configurations from their checkpoints,
            so a promotion costs only the extra budget (counts toward ``budget_limit``).
        sampler: How each bracket draws its configurations. ``'random'``: uniformly from
            the spaces, as in the paper. ``'local'``: once a configuration has been trained
            with ``max_budget``, each new one is, with probability 1/2, drawn near the best
            such configuration so far (numbers moved by a normal step of a tenth of their
            range, on the log scale for LOG spaces; a category kept with probability 0.8),
            and otherwise uniformly, so the search keeps exploring.
        seed: Seed of the draws (random when None; kept in ``self.seed``).

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
        budget_limit: float | None = None,
        resume: bool = False,
        sampler: Literal["random", "local"] = "random",
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
        self.resume = bool(resume)
        first = bracket_cost(self.brackets[0], resume=self.resume)
        if budget_limit is not None and (
            isinstance(budget_limit, bool)
            or not isinstance(budget_limit, int | float)
            or budget_limit < first
        ):
            raise ConfigError(key="budget_limit", got=budget_limit,
                              expected=f"a number >= {first:g} (the first bracket's cost)")
        self.budget_limit = budget_limit
        if sampler not in SAMPLERS:
            raise ConfigError(key="sampler", expected=" or ".join(map(repr, SAMPLERS)), got=sampler,
                              suggestion=suggest(str(sampler), SAMPLERS))
        self.sampler = sampler
        super().__init__(scope, search_spaces, tracker, mode, seed, metric_key=metric_key,
                         on_error=on_error, progress=progress)

    def schedule(self) -> list[Bracket]:
        """The brackets the search runs, in order."""
        if self.budget_limit is None:
            return list(self.brackets)
        planned: list[Bracket] = []
        spent = 0.0
        for bracket in _cycle(self.brackets):
            cost = bracket_cost(bracket, resume=self.resume)
            if spent + cost > self.budget_limit:
                return planned
            planned.append(bracket)
            spent += cost
        raise AssertionError("unreachable")  # pragma: no cover - _cycle never ends

    def total_budget(self) -> float:
        """What the scheduled brackets spend in all (see ``resume``)."""
        return sum(bracket_cost(b, resume=self.resume) for b in self.schedule())

    def main(self, func: Callable[..., Any]) -> Callable[..., SearchResult[S]]:
        """Turn the objective into the search; call the result to run it."""

        @functools.wraps(func)
        def launch(*args: Any, **kwargs: Any) -> SearchResult[S]:
            schedule = self.schedule()
            total = sum(n for bracket in schedule for n, _ in bracket.rounds)
            runner = Runner(self, func, args, kwargs, total)
            rng = random.Random(self.seed)  # noqa: S311 - seeded sampling, not secrets
            counter = iter(range(total))
            logs: list[list[TrialRecord]] = []
            for bracket in schedule:
                best = self._best_full(logs) if self.sampler == "local" else None
                pool: list[Mapping[str, Any] | TrialRecord] = [
                    self._draw_near(best, rng) for _ in range(bracket.rounds[0][0])
                ]
                for generation, (_, budget) in enumerate(bracket.rounds):
                    trials = [trial_from(item, self.search_id, next(counter), generation, budget, bracket.s)
                              for item in pool]
                    ranked = self._round(runner, trials, logs)
                    # The table's next round, not floor(len / eta): the two differ for a
                    # fractional eta, and the table is what the search announced.
                    keep = bracket.rounds[generation + 1][0] if generation + 1 < len(bracket.rounds) else 0
                    pool = [r for r in ranked[:keep] if r.ok]
                    if not pool:
                        break
            return self._finish(runner, logs)

        return launch

    def _best_full(self, logs: list[list[TrialRecord]]) -> Mapping[str, Any] | None:
        """The parameters of the best completed trial trained with ``max_budget``."""
        top = self.brackets[0].rounds[-1][1]
        ranked = self._rank(r for round_ in logs for r in round_ if r.ok and r.trial.budget == top)
        return ranked[0].trial.params if ranked else None

    def _draw_near(self, best: Mapping[str, Any] | None, rng: random.Random) -> dict[str, Any]:
        if best is None or rng.random() >= LOCAL_SHARE:
            return self._draw(rng)
        return {space.name: space.near(best[space.name], rng, LOCAL_STEP, LOCAL_KEEP)
                for space in self.spaces}


def _cycle(items: list[Bracket]) -> Iterator[Bracket]:
    while True:
        yield from items
