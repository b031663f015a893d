"""Successive halving (ato 2.x's HyperBand), Hyperband brackets and random search.

The spec's examples run as real programs; the rest runs in-process with a fake command line.
"""

from __future__ import annotations

import math
import sys
from collections import Counter
from typing import Any

import pytest
from conftest import Runner

from ato import ConfigError
from ato.adict import ADict
from ato.hyperopt import BracketHyperBand, HyperBand, RandomSearch, Trial, TrialRecord, brackets
from ato.scope import Scope


@pytest.fixture(autouse=True)
def _plain_argv(monkeypatch: pytest.MonkeyPatch) -> None:
    # A search reads the program's command line, as @scope does; pytest's is not ours.
    monkeypatch.setattr(sys, "argv", ["train.py"])


SPEC_SPACES = """
search_spaces = ADict(
    lr=ADict(
        param_type='FLOAT',
        param_range=(1e-5, 1e-1),
        num_samples=20,
        space_type='LOG'  # Logarithmic spacing
    ),
    batch_size=ADict(
        param_type='INTEGER',
        param_range=(16, 128),
        num_samples=5,
        space_type='LOG'
    ),
    model=ADict(
        param_type='CATEGORY',
        categories=['resnet50', 'resnet101', 'efficientnet_b0']
    )
)
"""

HEAD = """
import math
from ato.adict import ADict
from ato.hyperopt.hyperband import HyperBand
from ato.scope import Scope

scope = Scope()
""" + SPEC_SPACES


def spec_spaces() -> ADict:
    namespace: dict[str, Any] = {"ADict": ADict}
    exec(SPEC_SPACES, namespace)  # the spec's own literal, shared with the programs
    space: ADict = namespace["search_spaces"]
    return space


def score(lr: float, batch_size: int, model: str, epochs: float = 1.0) -> float:
    """A deterministic objective whose best grid point is known."""
    fit = -abs(math.log10(lr) + 3.1) - abs(batch_size - 64) / 100 + (model == "resnet101") * 0.1
    return fit - 1 / (1 + epochs)


def test_spec_basic_usage(run_program: Runner) -> None:
    """The spec's Basic Usage program, with its helper functions written out, runs and
    reports the best grid point."""
    source = HEAD + """
def create_model(name):
    return name

class Adam:
    def __init__(self, lr):
        self.lr = lr

def compute_epochs(generation):
    return 2 ** generation

def train_and_evaluate(model, optimizer, num_epochs):
    return -abs(math.log10(optimizer.lr) + 3.1) + (model == 'resnet101') * 0.1 - 1 / (1 + num_epochs)

hyperband = HyperBand(
    scope,
    search_spaces,
    halving_rate=0.3,      # Keep top 30% each round
    num_min_samples=3,     # Stop when <= 3 configs remain
    mode='max'             # Maximize metric (use 'min' for loss)
)

@hyperband.main
def train(config):
    # Your training code
    model = create_model(config.model)
    optimizer = Adam(lr=config.lr)

    # Use __num_halved__ for early stopping
    num_epochs = compute_epochs(config.__num_halved__)

    # Train and return metric
    val_acc = train_and_evaluate(model, optimizer, num_epochs)
    return val_acc

if __name__ == '__main__':
    # Run hyperparameter search
    best_result = train()
    print(f"Best config: {best_result.config}")
    print(f"Best metric: {best_result.metric}")
    print(best_result.config.model, round(best_result.config.lr, 6), best_result.config.__num_halved__)
    print([len(round_) for round_ in best_result.logs])
"""
    result = run_program(source)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Best config: ") and "'model': 'resnet101'" in lines[0]
    assert lines[1].startswith("Best metric: ")
    # The grid's lr closest to 10**-3.1 wins with resnet101, in the last generation (4).
    assert lines[2] == "resnet101 0.000785 4"
    assert lines[3] == "[300, 90, 27, 8, 1]"
    assert result.stderr == ""  # stderr is not a terminal: no progress line


def test_spec_automatic_step_calculation(run_program: Runner) -> None:
    """The spec's step example: one entry per generation, the last one max_steps, and
    every generation the search reaches indexes the list."""
    source = HEAD + """
hyperband = HyperBand(scope, search_spaces, halving_rate=0.3, num_min_samples=4)

max_steps = 100000
steps_per_generation = hyperband.compute_optimized_initial_training_steps(max_steps)
print(steps_per_generation)
used = []

def train_for_n_steps(num_steps):
    used.append(num_steps)
    return -abs(num_steps - 5000)

# Use in training
@hyperband.main
def train(config):
    generation = config.__num_halved__
    num_steps = steps_per_generation[generation]

    metric = train_for_n_steps(num_steps)
    return metric

train()
print(sorted(set(used)))
"""
    result = run_program(source)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[810, 2700, 9000, 30000, 100000]",
        "[810, 2700, 9000, 30000, 100000]",
    ]


def test_spec_printed_steps_are_those_of_an_eight_generation_search() -> None:
    """The spec's printed list [27, ..., 120000] is what an 8-generation search gives for
    max_steps=120000 (it cannot come from max_steps=100000: the list ends at max_steps)."""
    spaces = ADict(x=ADict(param_type="FLOAT", param_range=(0.0, 1.0), num_samples=6100))
    hyperband = HyperBand(Scope(), spaces, halving_rate=0.3, num_min_samples=4)
    assert hyperband._round_sizes() == [6100, 1830, 549, 164, 49, 14, 4, 1]
    assert hyperband.num_generations() == 8
    assert hyperband.compute_optimized_initial_training_steps(120000) == [
        27, 88, 292, 972, 3240, 10800, 36000, 120000
    ]


def test_spec_random_search_subclass(run_program: Runner) -> None:
    """A user-written RandomSearch(GridSpaceMixIn, HyperOpt), exactly as the spec shows it."""
    source = """
import math
from ato.adict import ADict
from ato.scope import Scope
from ato.hyperopt.base import GridSpaceMixIn, HyperOpt

class RandomSearch(GridSpaceMixIn, HyperOpt):
    def main(self, func):
        # Reuse GridSpaceMixIn.prepare_distributions()
        configs = self.prepare_distributions(self.config, self.search_spaces)

        # Implement random sampling
        import random
        random.shuffle(configs)

        results = []
        for config in configs[:10]:  # Sample 10 random configs
            metric = func(config)
            results.append((config, metric))

        return max(results, key=lambda x: x[1])

seen = []
def objective(config):
    seen.append(config)
    return -abs(math.log10(config.lr) + 3)

scope = Scope(config={'epochs': 3})
search = RandomSearch(scope, ADict(lr=ADict(param_type='FLOAT', param_range=(1e-5, 1e-1),
                                             num_samples=9, space_type='LOG')))
best, metric = search.main(objective)
assert len(seen) == 9 and len({c.lr for c in seen}) == 9
assert metric == max(-abs(math.log10(c.lr) + 3) for c in seen)
print(type(best).__name__, best.epochs, best.__hyperopt_id__ == search.search_id, math.isclose(best.lr, 1e-3))
"""
    result = run_program(source)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ADict 3 True True\n"


def test_halving_keeps_the_best_share_each_round() -> None:
    """Each round keeps the best floor(rate * n) of the round, and the winner is the best
    trial of the last generation (the best of the grid on a monotone objective)."""
    spaces = spec_spaces()
    hyperband = HyperBand(Scope(), spaces, halving_rate=0.3, num_min_samples=3, mode="max")

    @hyperband.main
    def train(config: ADict) -> float:
        return score(config.lr, config.batch_size, config.model, 2**config.__num_halved__)

    result = train()
    for earlier, later in zip(result.logs, result.logs[1:-1], strict=False):
        kept = {tuple(sorted(r.params.items())) for r in earlier[: len(later)]}
        assert kept == {tuple(sorted(r.params.items())) for r in later}
        assert len(later) == math.floor(len(earlier) * 0.3)
    assert [r.trial.generation for r in result.logs[-1]] == [4]
    assert result.logs[-1][0].params == result.logs[-2][0].params
    grid = [(c.lr, c.batch_size, c.model) for c in hyperband.distributions]
    assert result.params == dict(zip(("lr", "batch_size", "model"), max(grid, key=lambda p: score(*p)),
                                     strict=True))
    assert result.metric == score(result.params["lr"], result.params["batch_size"],
                                  result.params["model"], 16)


def test_halving_mode_min_and_max_budget() -> None:
    """mode='min' keeps the lowest metrics; max_budget gives each trial its
    generation's steps through trial.budget."""
    spaces = ADict(x=ADict(param_type="INTEGER", param_range=(0, 26), num_samples=27))
    hyperband = HyperBand(Scope(), spaces, halving_rate=1 / 3, num_min_samples=3, mode="min", max_budget=900)
    budgets: Counter[float | None] = Counter()

    @hyperband.main
    def train(config: ADict, trial: Trial) -> float:
        budgets[trial.budget] += 1
        return float(abs(config.x - 7))

    result = train()
    assert result.params == {"x": 7} and result.metric == 0.0
    assert hyperband.compute_optimized_initial_training_steps(900) == [34, 100, 300, 900]
    assert budgets == {34.0: 27, 100.0: 9, 300.0: 3, 900.0: 1}


def test_halving_with_fewer_configs_than_the_minimum_runs_them_once() -> None:
    """A grid smaller than num_min_samples is one round; its best wins."""
    spaces = ADict(x=ADict(param_type="CATEGORY", categories=[1, 2]))
    hyperband = HyperBand(Scope(), spaces, halving_rate=0.5, num_min_samples=3)
    result = hyperband.main(lambda config: config.x)()
    assert hyperband.num_generations() == 1
    assert result.params == {"x": 2} and [len(r) for r in result.logs] == [2]


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"halving_rate": 1.0, "num_min_samples": 3}, "halving_rate"),
        ({"halving_rate": 0, "num_min_samples": 3}, "halving_rate"),
        ({"halving_rate": 0.5, "num_min_samples": 0}, "num_min_samples"),
        ({"halving_rate": 0.5, "num_min_samples": 2, "mode": "maximize"}, "mode"),
        ({"halving_rate": 0.5, "num_min_samples": 2, "on_error": "ignore"}, "on_error"),
    ],
)
def test_bad_options_are_config_errors(kwargs: dict[str, Any], key: str) -> None:
    """Bad options fail at construction, naming the option."""
    with pytest.raises(ConfigError) as info:
        HyperBand(Scope(), spec_spaces(), **kwargs)
    assert info.value.problems[0].key == key


# Li et al. (2018), Table 1: R = 81, eta = 3; (n_i, r_i) per round of each bracket s.
PAPER_TABLE = {
    4: [(81, 1), (27, 3), (9, 9), (3, 27), (1, 81)],
    3: [(34, 3), (11, 9), (3, 27), (1, 81)],
    2: [(15, 9), (5, 27), (1, 81)],
    1: [(8, 27), (2, 81)],
    0: [(5, 81)],
}


def test_brackets_match_the_paper_table() -> None:
    """R=81, eta=3 gives the five brackets of the Hyperband paper's table."""
    got = {b.s: [(n, r) for n, r in b.rounds] for b in brackets(81, 3)}
    assert got == PAPER_TABLE
    assert [b.s for b in brackets(81, 3)] == [4, 3, 2, 1, 0]


def test_brackets_scale_with_min_budget_and_other_eta() -> None:
    """Budgets are multiples of min_budget; another eta gives its own s_max."""
    assert brackets(810, 3, min_budget=10)[0].rounds[0] == (81, 10.0)
    assert [b.s for b in brackets(16, 2)] == [4, 3, 2, 1, 0]
    assert brackets(16, 2)[0].rounds == [(16, 1.0), (8, 2.0), (4, 4.0), (2, 8.0), (1, 16.0)]
    with pytest.raises(ConfigError):
        brackets(81, 1)


def _lr_space() -> ADict:
    return ADict(
        lr=ADict(param_type="FLOAT", param_range=(1e-5, 1e-1), space_type="LOG"),
        depth=ADict(param_type="INTEGER", param_range=(2, 40)),
        act=ADict(param_type="CATEGORY", categories=["relu", "gelu"]),
    )


def test_bracket_hyperband_runs_the_paper_schedule() -> None:
    """BracketHyperBand runs exactly the table's trials, each round promoting the best
    1/eta of the previous one, and the winner ran with the full budget."""
    search = BracketHyperBand(Scope(), _lr_space(), max_budget=81, eta=3, seed=7, progress=False)

    @search.main
    def objective(config: ADict, trial: Trial) -> float:
        assert config.__num_halved__ == trial.generation
        return -abs(math.log10(config.lr) + 3) - 1 / (1 + (trial.budget or 0))

    result = objective()
    rounds = [(r[0].trial.bracket, len(r), r[0].trial.budget) for r in result.logs]
    assert rounds == [(s, n, r) for s, row in PAPER_TABLE.items() for n, r in row]
    assert len(result.trials) == sum(n for row in PAPER_TABLE.values() for n, _ in row) == 206
    assert search.total_budget() == sum(r.trial.budget for r in result.trials)  # type: ignore[misc]
    for earlier, later in zip(result.logs, result.logs[1:], strict=False):
        if later[0].trial.generation == earlier[0].trial.generation + 1:
            assert {tuple(r.params.items()) for r in later} == {
                tuple(r.params.items()) for r in earlier[: len(later)]}
    assert result.best.trial.budget == 81
    full = [r for r in result.trials if r.trial.budget == 81]
    assert result.metric == max(r.metric for r in full)  # type: ignore[type-var]


def test_sampled_searches_are_reproducible_by_seed() -> None:
    """The same seed draws the same configurations; draws stay inside their spaces."""
    def params(seed: int) -> list[dict[str, Any]]:
        search = RandomSearch(Scope(), _lr_space(), num_trials=40, seed=seed)
        return [dict(r.params) for r in search.main(lambda config: config.lr)().trials]

    first = params(3)
    assert first == params(3) and first != params(4)
    assert all(1e-5 <= p["lr"] <= 1e-1 and 2 <= p["depth"] <= 40 and isinstance(p["depth"], int)
               for p in first)
    assert {p["act"] for p in first} == {"relu", "gelu"}
    # log-uniform: about half of the draws below the geometric middle 1e-3
    assert 10 <= sum(p["lr"] < 1e-3 for p in first) <= 30


def test_random_search_returns_the_best_draw_and_its_budget() -> None:
    """RandomSearch runs num_trials trials at `budget`, mode min picks the lowest."""
    search = RandomSearch(Scope(), _lr_space(), num_trials=25, budget=5, seed=1, mode="min")
    seen: list[float | None] = []

    @search.main
    def objective(config: ADict, trial: Trial) -> float:
        seen.append(trial.budget)
        return abs(math.log10(config.lr) + 3)

    result = objective()
    assert seen == [5] * 25
    assert result.metric == min(r.metric for r in result.trials)  # type: ignore[type-var]
    assert result.config.lr == result.params["lr"]


def test_promoted_trials_name_the_trial_they_continue() -> None:
    """A promoted configuration's trial carries `resumes` (its previous trial) and that
    trial's budget; new configurations carry None."""
    spaces = ADict(x=ADict(param_type="INTEGER", param_range=(0, 8), num_samples=9))
    search = HyperBand(Scope(), spaces, halving_rate=1 / 3, num_min_samples=3, max_budget=90)
    result = search.main(lambda config: float(config.x))()
    by_index = {r.trial.index: r.trial for r in result.trials}
    for trial in by_index.values():
        if trial.generation == 0:
            assert trial.resumes is None and trial.previous_budget is None
        else:
            parent = by_index[trial.resumes]  # type: ignore[index]
            assert parent.params == trial.params and parent.generation == trial.generation - 1
            assert trial.previous_budget == parent.budget < trial.budget  # type: ignore[operator]


def test_budget_limit_repeats_brackets_and_resume_counts_increments() -> None:
    """budget_limit runs brackets s_max..0 and again while the next fits; with resume a
    promotion costs only the extra budget."""
    plain = BracketHyperBand(Scope(), _lr_space(), max_budget=81, eta=3, seed=1)
    assert [b.s for b in plain.schedule()] == [4, 3, 2, 1, 0] and plain.total_budget() == 1902
    resumed = BracketHyperBand(Scope(), _lr_space(), max_budget=81, eta=3, seed=1, resume=True)
    # s=4 with resume: 81*1 + 27*2 + 9*6 + 3*18 + 1*54
    assert resumed.total_budget() == 297 + 276 + 279 + 324 + 405
    limited = BracketHyperBand(Scope(), _lr_space(), max_budget=81, eta=3, seed=1, resume=True,
                               budget_limit=1902)
    assert [b.s for b in limited.schedule()] == [4, 3, 2, 1, 0, 4]
    assert limited.total_budget() == 1581 + 297 <= 1902

    @limited.main
    def objective(config: ADict, trial: Trial) -> float:
        return -abs(math.log10(config.lr) + 3) - 1 / (1 + (trial.budget or 0))

    result = objective()
    spent = sum((r.trial.budget or 0) - (r.trial.previous_budget or 0) for r in result.trials)
    assert spent == limited.total_budget()
    with pytest.raises(ConfigError, match="budget_limit"):
        BracketHyperBand(Scope(), _lr_space(), max_budget=81, eta=3, budget_limit=100)


@pytest.mark.parametrize("rate", [1 - 1e-10, 1e-10, math.inf, math.nan])
def test_rates_that_round_to_zero_or_one_are_refused(rate: float) -> None:
    """The rate is checked as the halving arithmetic uses it, so it never loops forever
    nor trains a generation for 0 steps."""
    with pytest.raises(ConfigError, match="halving_rate"):
        HyperBand(Scope(), spec_spaces(), halving_rate=rate, num_min_samples=3)


def test_a_fractional_eta_runs_the_announced_table() -> None:
    """With eta = 2.5 every bracket runs the rounds brackets() lists and spends what
    total_budget() says."""
    search = BracketHyperBand(Scope(), _lr_space(), max_budget=100, eta=2.5, seed=3)
    result = search.main(lambda config: config.lr)()
    ran: dict[int, list[int]] = {}
    for round_ in result.logs:
        ran.setdefault(round_[0].trial.bracket, []).append(len(round_))  # type: ignore[arg-type]
    assert ran == {b.s: [n for n, _ in b.rounds] for b in search.brackets}
    assert sum(r.trial.budget for r in result.trials) == pytest.approx(search.total_budget())  # type: ignore[misc]
    assert all(b.rounds[-1][1] == 100 for b in search.brackets)


def test_whole_budgets_are_ints() -> None:
    """Budgets that are whole numbers come as ints (so `range(trial.budget)` works)."""
    assert all(type(r) is int for b in brackets(81, 3) for _, r in b.rounds)
    assert brackets(10, 2, min_budget=2.5)[0].rounds[0] == (4, 2.5)
    with pytest.raises(ConfigError, match="min_budget: expected at most max_budget"):
        brackets(2, 3, min_budget=3)


def test_local_sampler_draws_half_near_the_best_full_budget_configuration() -> None:
    """sampler='local': the first bracket draws uniformly; once a configuration has run at
    max_budget, about half of each later bracket's new configurations lie close to the best
    such one and the rest are spread over the space."""
    spaces = ADict(x=ADict(param_type="FLOAT", param_range=(0.0, 100.0)))
    search = BracketHyperBand(Scope(), spaces, max_budget=27, eta=3, seed=5, sampler="local",
                              resume=True, budget_limit=2000)

    @search.main
    def objective(config: ADict, trial: Trial) -> float:
        return -abs(config.x - 70.0)

    result = objective()
    assert sum(r[0].trial.generation == 0 for r in result.logs) > 8  # brackets repeat
    best: TrialRecord | None = None
    near_shares = []
    for round_ in result.logs:  # in the order they ran
        if round_[0].trial.generation == 0 and best is not None:
            centre = best.trial.params["x"]
            near_shares.append(sum(abs(r.trial.params["x"] - centre) < 30 for r in round_) / len(round_))
        for r in round_:
            if r.trial.budget == 27 and (best is None or r.metric > best.metric):  # type: ignore[operator]
                best = r
    assert result.logs[0][0].trial.bracket == search.brackets[0].s
    # A normal step of sd 10 stays within 30 nearly always; a uniform draw does so < 60% of the time.
    pooled = sum(near_shares) / len(near_shares)
    assert 0.65 < pooled < 0.9
    assert abs(result.params["x"] - 70.0) < 2.0


def test_local_sampler_beats_random_draws_on_a_narrow_optimum() -> None:
    """On a narrow peak, drawing near the best configuration finds it more closely than
    uniform draws with the same seeds and budget (paired over 20 seeds)."""
    spaces = ADict(lr=ADict(param_type="FLOAT", param_range=(1e-6, 1.0), space_type="LOG"),
                   width=ADict(param_type="INTEGER", param_range=(8, 1024), space_type="LOG"),
                   act=ADict(param_type="CATEGORY", categories=["relu", "gelu", "tanh"]))

    def regret(sampler: str, seed: int) -> float:
        search = BracketHyperBand(Scope(), spaces, max_budget=27, eta=3, seed=seed, sampler=sampler,
                                  resume=True, budget_limit=600)

        @search.main
        def objective(config: ADict, trial: Trial) -> float:
            return -(math.log10(config.lr) + 3.3) ** 2 - math.log2(config.width / 200) ** 2 / 4 - (
                config.act != "gelu")

        p = objective().params
        return (math.log10(p["lr"]) + 3.3) ** 2 + math.log2(p["width"] / 200) ** 2 / 4 + (p["act"] != "gelu")

    pairs = [(regret("local", seed), regret("random", seed)) for seed in range(20)]
    assert sum(local < rand for local, rand in pairs) >= 16
    assert sum(local for local, _ in pairs) < 0.5 * sum(rand for _, rand in pairs)


def test_random_sampler_keeps_the_seeded_draws() -> None:
    """The default sampler draws exactly what an explicit sampler='random' draws, and a bad
    sampler name is a ConfigError with a suggestion."""
    def params(**kwargs: Any) -> list[dict[str, Any]]:
        search = BracketHyperBand(Scope(), _lr_space(), max_budget=9, eta=3, seed=2, **kwargs)
        return [dict(r.params) for r in search.main(lambda config: config.lr)().trials]

    assert params() == params(sampler="random") != params(sampler="local")
    with pytest.raises(ConfigError, match=r"(?s)sampler: expected 'random' or 'local'.*did you mean 'local'"):
        BracketHyperBand(Scope(), _lr_space(), sampler="locale")
