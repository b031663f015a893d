"""Search arithmetic holds for any settings, not just the documented examples.

Invariants: (a) successive halving runs exactly the rounds it announces, one step count per
generation, growing up to max_steps, and every generation it reaches indexes that list;
(b) its winner on a monotone objective is the best grid point; (c) every Hyperband bracket
halves by eta and ends at the full budget, spending at most B + (s + 1) R; (d) random
draws stay inside their space; (e) a search's winner is the best of the trials given the
most budget.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterator
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import property_tests.strategies  # noqa: F401  (registers and loads the "ato" settings profile)
from ato.adict import ADict
from ato.hyperopt import HyperBand, RandomSearch, Trial, brackets
from ato.hyperopt._spaces import Space
from ato.scope import Scope


@pytest.fixture(autouse=True)
def _plain_argv() -> Iterator[None]:
    saved = sys.argv
    sys.argv = ["search.py"]
    yield
    sys.argv = saved


RATES = st.sampled_from([0.1, 0.2, 0.25, 0.3, 1 / 3, 0.4, 0.5, 0.6, 2 / 3, 0.75, 0.9])


@given(size=st.integers(1, 400), rate=RATES, minimum=st.integers(1, 12), max_steps=st.integers(1, 10**6))
def test_halving_runs_the_rounds_it_announces(size: int, rate: float, minimum: int, max_steps: int) -> None:
    """(a) + (b) for a grid of `size` points."""
    spaces = ADict(x=ADict(param_type="INTEGER", param_range=(0, size - 1 if size > 1 else 1),
                           num_samples=size))
    search = HyperBand(Scope(), spaces, halving_rate=rate, num_min_samples=minimum, progress=False)
    steps = search.compute_optimized_initial_training_steps(max_steps)
    assert len(steps) == search.num_generations()
    assert steps[-1] == max_steps and steps == sorted(steps) and steps[0] >= 1
    generations: list[int] = []

    @search.main
    def objective(config: ADict, trial: Trial) -> float:
        generations.append(trial.generation)
        assert steps[trial.generation] >= 1  # never an IndexError
        return float(config.x)

    result = objective()
    assert [len(r) for r in result.logs] == search._round_sizes()
    assert max(generations) == search.num_generations() - 1
    assert result.params["x"] == max(p.x for p in search.distributions)


@given(eta=st.integers(2, 5), power=st.integers(0, 5), min_budget=st.sampled_from([1, 2, 10, 0.5]))
def test_brackets_halve_by_eta_and_end_at_the_full_budget(eta: int, power: int, min_budget: float) -> None:
    """(c): R = eta**power * min_budget."""
    ratio = eta**power
    table = brackets(ratio * min_budget, eta, min_budget)
    s_max = power
    assert [b.s for b in table] == list(range(s_max, -1, -1))
    total = (s_max + 1) * ratio  # B in units of min_budget
    for bracket in table:
        n, r = bracket.rounds[0]
        assert n == math.ceil(Fraction(s_max + 1, bracket.s + 1) * eta**bracket.s)
        assert r == pytest.approx(ratio / eta**bracket.s * min_budget)
        assert bracket.rounds[-1][1] == pytest.approx(ratio * min_budget)
        for (n_a, r_a), (n_b, r_b) in zip(bracket.rounds, bracket.rounds[1:], strict=False):
            assert n_b == n_a // eta and r_b == pytest.approx(r_a * eta)
        spent = sum(n_i * r_i for n_i, r_i in bracket.rounds) / min_budget
        assert spent <= total + (bracket.s + 1) * ratio + 1e-9


SPACES = st.one_of(
    st.tuples(st.floats(-1e3, 1e3), st.floats(1e-3, 1e3)).map(
        lambda t: Space("f", "FLOAT", t[0], t[0] + t[1])),
    st.tuples(st.floats(1e-8, 1e3), st.floats(1.001, 1e4)).map(
        lambda t: Space("g", "FLOAT", t[0], t[0] * t[1], log=True)),
    st.tuples(st.integers(-10**6, 10**6), st.integers(1, 10**6)).map(
        lambda t: Space("i", "INTEGER", t[0], t[0] + t[1])),
    st.tuples(st.integers(1, 10**6), st.integers(1, 10**6)).map(
        lambda t: Space("j", "INTEGER", t[0], t[0] + t[1], log=True)),
)


@given(space=SPACES, seed=st.integers(0, 2**32))
def test_draws_stay_inside_the_space(space: Space, seed: int) -> None:
    """(d): bounds hold and INTEGER draws are ints."""
    rng = random.Random(seed)
    for _ in range(20):
        value = space.draw(rng)
        assert space.low <= value <= space.high
        assert (type(value) is int) == (space.kind == "INTEGER")


@given(space=SPACES, seed=st.integers(0, 2**32), step=st.floats(1e-6, 2.0))
def test_draws_near_a_value_stay_inside_the_space(space: Space, seed: int, step: float) -> None:
    """sampler='local''s moves keep bounds and int-ness from any start inside the space,
    whatever the step."""
    rng = random.Random(seed)
    value = space.draw(rng)
    for _ in range(20):
        value = space.near(value, rng, step, 0.8)
        assert space.low <= value <= space.high
        assert (type(value) is int) == (space.kind == "INTEGER")


@given(seed=st.integers(0, 2**32), trials=st.integers(1, 30), mode=st.sampled_from(["max", "min"]))
def test_random_search_winner_is_the_best_trial(seed: int, trials: int, mode: str) -> None:
    """(e) for random search, whose trials all get the same budget."""
    spaces = {"x": {"param_type": "FLOAT", "param_range": (-5.0, 5.0)},
              "k": {"param_type": "CATEGORY", "categories": [1, 2, 3]}}
    search = RandomSearch(Scope(), spaces, num_trials=trials, seed=seed, mode=mode, progress=False)
    result = search.main(lambda config: config.x * config.k)()
    metrics = [r.metric for r in result.trials]
    assert result.metric == (max if mode == "max" else min)(metrics)  # type: ignore[type-var]
