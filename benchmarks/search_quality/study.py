"""Search quality at equal budget: regret over seeds, ato's searches against Optuna's (issue 7).

Every method gets the budget ``B`` of ato's ``BracketHyperBand(max_budget=81, eta=3)`` (the sum
of its trials' budgets; ato's trials train from scratch, so a promotion pays again):

* ato ``BracketHyperBand`` (Hyperband, Li et al. 2018); with ``resume=True, budget_limit=B``
  (promotions pay only their extra epochs, brackets repeat within ``B``); both again with
  ``sampler='local'``;
* ato ``HyperBand`` (ato 2.x's successive halving over a grid): the grid (each numeric space
  at least 3 samples) and halving (rate 1/4, 0.3, 1/3 or 1/2; ``num_min_samples`` 1..5) whose
  summed budget is the largest not above ``B``;
* ato ``RandomSearch`` and, for context, Optuna ``TPESampler`` alone: ``floor(B / R)`` trials at R;
* Optuna ``TPESampler(seed)`` + ``HyperbandPruner(1, 81, 3)``: a trial reports every epoch and
  stops when pruned; no trial starts once ``B`` epochs have run (the last may go past ``B``).

The winner is what each search returns; its regret is ``F_STAR - f(winner)`` with the true ``f``.
Each method runs all its seeds in one child (``python -m benchmarks.search_quality.study quality
METHOD SEEDS OPTIONS``; Optuna's in ``.venvs/optuna``). The searches and the problem are seeded, so
the figures depend on the seeds and the library versions only, never on the machine.
"""

from __future__ import annotations

import json
import math
import statistics
import sys
import time
from fractions import Fraction
from typing import Any

from benchmarks.harness import ChildError, Context, Side, ato_version, call, fail_missing, meta, table
from benchmarks.search_quality import problem as p

HELD_OUT = 1000  # part 1 again on seeds 1000.., which no choice of ato's (sampler='local') saw
HITS = (0.01, 0.05)
GRID_CHOICES = {"lr": range(3, 17), "batch_size": range(3, 9), "dropout": range(3, 7),
                "halving_rates": (0.25, 0.3, 1 / 3, 0.5), "num_min_samples": range(1, 6)}


# ---------------------------------------------------------------------- child: the searches
def _ato(method: str, seed: int, options: dict[str, Any]) -> dict[str, Any]:
    from ato.adict import ADict
    from ato.hyperopt import BracketHyperBand, HyperBand, RandomSearch, Trial
    from ato.scope import Scope

    scope = Scope()
    resumes = method == "ato-bracket-resume"
    if method.startswith("ato-bracket"):
        search: Any = BracketHyperBand(
            scope, p.ato_spaces(ADict), max_budget=p.MAX_BUDGET, eta=p.ETA, min_budget=1, mode="max",
            seed=seed, progress=False, sampler=options.get("sampler", "random"),
            **({"resume": True, "budget_limit": options["budget"]} if resumes else {}))
        planned = search.total_budget()
    elif method == "ato-grid":
        search = HyperBand(scope, p.ato_spaces(ADict, options["grid"]), options["halving_rate"],
                           options["num_min_samples"], mode="max", max_budget=p.MAX_BUDGET, progress=False)
        planned = options["planned"]
    else:
        search = RandomSearch(scope, p.ato_spaces(ADict), options["num_trials"], mode="max",
                              budget=p.MAX_BUDGET, seed=seed, progress=False)
        planned = options["num_trials"] * p.MAX_BUDGET
    seen: list[float] = []

    @search.main
    def objective(config: Any, trial: Trial) -> float:
        seen.append(trial.budget - (trial.previous_budget or 0) if resumes else trial.budget)
        return p.curve(seed, config.lr, config.batch_size, config.dropout, config.model, trial.budget)

    start = time.perf_counter()
    result = objective()
    seconds = time.perf_counter() - start
    budget = sum(r.trial.budget - (r.trial.previous_budget or 0 if resumes else 0) for r in result.trials)
    problems = [what for what, bad in (
        (f"trial records sum to {budget}, the objective was given {sum(seen)}", budget != sum(seen)),
        (f"budget {budget}, planned {planned}", budget != planned),
        (f"{len(result.trials)} trial records, {len(seen)} objective calls", len(result.trials) != len(seen)),
        (f"{len(result.failed)} failed trials", bool(result.failed)),
        (f"the winner ran with budget {result.best.trial.budget}", result.best.trial.budget != p.MAX_BUDGET),
    ) if bad]
    return {"seed": seed, "params": dict(result.params), "budget": budget, "planned": planned,
            "trials": len(result.trials), "seconds": seconds, "problems": problems}


def _optuna(method: str, seed: int, options: dict[str, Any]) -> dict[str, Any]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    used = [0]
    if method == "optuna-tpe-hb":
        def objective(trial: Any) -> float:
            x = p.optuna_suggest(trial)
            for epoch in range(1, p.MAX_BUDGET + 1):
                value = p.curve(seed, x["lr"], x["batch_size"], x["dropout"], x["model"], epoch)
                used[0] += 1
                trial.report(value, epoch)
                if trial.should_prune():
                    raise optuna.TrialPruned()
            return value

        def stop_at_budget(study: Any, _trial: Any) -> None:
            if used[0] >= options["budget"]:  # no new trial starts once the budget is reached
                study.stop()

        pruner = optuna.pruners.HyperbandPruner(min_resource=1, max_resource=p.MAX_BUDGET,
                                                reduction_factor=p.ETA)
        kwargs: dict[str, Any] = {"callbacks": [stop_at_budget]}
    else:
        def objective(trial: Any) -> float:
            x = p.optuna_suggest(trial)
            used[0] += p.MAX_BUDGET
            return p.curve(seed, x["lr"], x["batch_size"], x["dropout"], x["model"], p.MAX_BUDGET)

        pruner, kwargs = None, {"n_trials": options["num_trials"]}
    # HyperbandPruner picks brackets by a hash of the study name: fixed, for reproducible runs.
    study = optuna.create_study(study_name=f"seed-{seed}", direction="maximize",
                                sampler=optuna.samplers.TPESampler(seed=seed), pruner=pruner)
    start = time.perf_counter()
    study.optimize(objective, **kwargs)
    seconds = time.perf_counter() - start
    pruned = sum(t.state.name == "PRUNED" for t in study.trials)
    return {"seed": seed, "params": dict(study.best_trial.params), "budget": used[0],
            "trials": len(study.trials), "pruned": pruned, "seconds": seconds, "problems": []}


def _rounds(size: int, rate: float, n_min: int) -> list[int]:
    """Configurations per round of ato's ``HyperBand``, as its docstring states the rule."""
    exact = Fraction(rate).limit_denominator(10**9)  # how HyperBand reads a rate: 0.3 is 3/10
    sizes = []
    while size >= n_min:
        sizes.append(size)
        size = math.floor(size * exact)
    return [*sizes, 1] if sizes else [size]


def _plan_grid(budget: float) -> dict[str, Any]:
    """The grid and halving of ``HyperBand`` whose summed budget is the largest not above ``budget``.

    The budget depends only on the grid's size, the rate and ``num_min_samples``, so it is worked
    out once per size, with ato's ``compute_optimized_initial_training_steps`` on a one-space grid.
    """
    from ato.adict import ADict
    from ato.hyperopt import HyperBand
    from ato.scope import Scope

    def points(name: str, n: int) -> int:
        return len(HyperBand.prepare_distributions({}, {name: p.ato_spaces(ADict, {name: n})[name]}))

    c = GRID_CHOICES
    sizes: dict[int, list[dict[str, int]]] = {}
    for grid in ({"lr": a, "batch_size": b, "dropout": d} for a in c["lr"] for b in c["batch_size"]
                 for d in c["dropout"]):
        size = math.prod(points(k, n) for k, n in grid.items()) * len(p.MODELS)
        sizes.setdefault(size, []).append(grid)
    best: tuple[Any, ...] | None = None
    for size, grids in sizes.items():
        one = ADict(x=ADict(param_type="CATEGORY", categories=list(range(size))))
        for rate in c["halving_rates"]:
            for n_min in c["num_min_samples"]:
                hb = HyperBand(Scope(), one, rate, n_min, max_budget=p.MAX_BUDGET, progress=False)
                rounds = _rounds(size, rate, n_min)
                steps = hb.compute_optimized_initial_training_steps(p.MAX_BUDGET)
                assert len(rounds) == hb.num_generations(), (size, rate, n_min)
                total = sum(n * s for n, s in zip(rounds, steps, strict=True))
                if total > budget:
                    continue
                # Ties: the rate nearest 1/eta, then the smallest num_min_samples, then the grid
                # whose smallest dimension is largest (the most balanced), then more lr samples.
                grid = max(grids, key=lambda g: (min(g.values()), g["lr"], g["batch_size"]))
                key = (total, -abs(rate - 1 / p.ETA), -n_min, min(grid.values()), grid["lr"])
                if best is None or key > best[0]:
                    best = (key, {"grid": grid, "halving_rate": rate, "num_min_samples": n_min,
                                  "budget": total, "size": size, "rounds": rounds, "steps": steps})
    if best is None:
        raise SystemExit("no grid fits the budget")
    return best[1]


def _child(command: str, *args: str) -> Any:
    sys.argv = sys.argv[:1]  # ato's searches read sys.argv[1:] as the program's command line
    if command == "plan-grid":
        return _plan_grid(float(args[0]))
    method, seeds, options = args[0], [int(s) for s in args[1].split(",")], json.loads(args[2])
    search = _optuna if method.startswith("optuna") else _ato
    return [search(method, seed, options) for seed in seeds]


# ---------------------------------------------------------------------- parent: the study
RESUME, LOCAL = "resume=True, budget_limit=B", "sampler='local'"
METHODS = [  # key, label, env, child method, its options beyond what B fixes, name in the verdict
    ("ato-bracket", "**ato `BracketHyperBand(max_budget=81, eta=3)`**", "main", "ato-bracket", {},
     "`BracketHyperBand`"),
    ("ato-bracket-resume", f"**ato `BracketHyperBand(..., {RESUME})`** (promotions continue)", "main",
     "ato-bracket-resume", {}, f"`BracketHyperBand({RESUME})`"),
    ("ato-bracket-local", f"**ato `BracketHyperBand(..., {LOCAL})`**", "main", "ato-bracket",
     {"sampler": "local"}, f"`BracketHyperBand({LOCAL})`"),
    ("ato-bracket-local-resume", f"**ato `BracketHyperBand(..., {RESUME}, {LOCAL})`**", "main",
     "ato-bracket-resume", {"sampler": "local"}, f"`BracketHyperBand({RESUME}, {LOCAL})`"),
    ("ato-grid", "ato `HyperBand` (grid, successive halving)", "main", "ato-grid", {}, "`HyperBand` (grid)"),
    ("ato-random", "ato `RandomSearch`", "main", "ato-random", {}, ""),
    ("optuna-tpe-hb", "**Optuna `TPESampler` + `HyperbandPruner`**", "optuna", "optuna-tpe-hb", {}, ""),
    ("optuna-tpe", "Optuna `TPESampler` alone (context)", "optuna", "optuna-tpe", {}, ""),
]


def study(ctx: Context, seeds: list[int]) -> tuple[dict[str, Side], dict[str, Any]]:
    """Every method over ``seeds``; ``side.runs`` holds one record per seed, with its regret."""
    sides = {k: Side(k, label, env, (method, dict(opts))) for k, label, env, method, opts, _ in METHODS}
    fail_missing(sides.values(), ctx)
    seed_arg = ",".join(map(str, seeds))

    def go(side: Side) -> None:
        if side.problem:
            return
        ctx.log(f"{side.key} over {len(seeds)} seeds")
        try:
            side.runs = call(ctx.env(side.env), "search_quality.study", "quality", side.arg[0], seed_arg,
                             json.dumps(side.arg[1]), timeout=3600)
        except ChildError as exc:
            side.problem = f"not runnable: {exc}"
        for r in side.runs:
            r["regret"] = p.regret(r["params"])

    go(sides["ato-bracket"])
    if not sides["ato-bracket"].ok:
        raise ChildError(f"B comes from ato's BracketHyperBand, which failed: {sides['ato-bracket'].problem}")
    budget = sides["ato-bracket"].runs[0]["planned"]
    n_full = math.floor(budget / p.MAX_BUDGET)
    plan = call(ctx.env("main"), "search_quality.study", "plan-grid", repr(budget))
    sides["ato-grid"].arg[1].update({k: plan[k] for k in ("grid", "halving_rate", "num_min_samples")},
                                    planned=plan["budget"])
    for key in ("ato-bracket-resume", "ato-bracket-local-resume", "optuna-tpe-hb"):
        sides[key].arg[1]["budget"] = budget
    for key in ("ato-random", "optuna-tpe"):
        sides[key].arg[1]["num_trials"] = n_full
    for side in list(sides.values())[1:]:
        go(side)
    return sides, {"budget": budget, "n_full": n_full, "plan": plan}


def _mean_se(xs: list[float]) -> tuple[float, float]:
    return statistics.fmean(xs), statistics.stdev(xs) / math.sqrt(len(xs)) if len(xs) > 1 else math.nan


def _span(xs: list[float]) -> str:
    lo, hi = min(xs), max(xs)
    return f"{lo:,.0f}" if lo == hi else f"{statistics.fmean(xs):,.0f} ({lo:,.0f}-{hi:,.0f})"


def paired(a: Side, b: Side) -> str:
    by_seed = {r["seed"]: r["regret"] for r in b.runs}
    diffs = [r["regret"] - by_seed[r["seed"]] for r in a.runs if r["seed"] in by_seed]
    better, worse = sum(d < 0 for d in diffs), sum(d > 0 for d in diffs)
    mean, se = _mean_se(diffs)
    return (f"lower regret on {better}, equal on {len(diffs) - better - worse}, higher on {worse} of "
            f"{len(diffs)} seeds; mean difference {mean:+.4f} +- {se:.4f} (SE)")


def report(ctx: Context, sides: dict[str, Side]) -> list[str]:
    """The table and the verdict of one set of seeds."""
    rows = []
    for s in sides.values():
        if not s.ok:
            rows.append([s.label, ctx.env(s.env).label, s.problem])
            continue
        n, regrets = len(s.runs), [r["regret"] for r in s.runs]
        trials = [r["trials"] for r in s.runs]
        mean, se = _mean_se(regrets)
        rows.append([
            s.label, ctx.env(s.env).label, _span([r["budget"] for r in s.runs]),
            f"{statistics.fmean(trials):,.1f} ({statistics.fmean(r['pruned'] for r in s.runs):,.1f} pruned)"
            if "pruned" in s.runs[0] else _span(trials),
            f"{mean:.4f} +- {se:.4f}", f"{statistics.median(regrets):.4f}",
            *(f"{sum(x <= h for x in regrets)}/{n}" for h in HITS),
            f"{sum(r['params']['model'] == p.OPTIMUM['model'] for r in s.runs)}/{n}",
            f"{statistics.fmean(r['seconds'] for r in s.runs):.3f}"])
    target = "target \"Hyperband's regret no worse than Optuna's (TPE + Hyperband pruner) at equal budget\""
    ref = sides["optuna-tpe-hb"]
    if not ref.ok:
        verdict = f"**Verdict (quality):** {target} NOT MEASURED (optuna-tpe-hb: {ref.problem})."
    else:
        budget = sides["ato-bracket"].runs[0]["planned"]
        used = statistics.fmean(r["budget"] for r in ref.runs)
        r_regrets = [r["regret"] for r in ref.runs]
        r_mean, r_med = statistics.fmean(r_regrets), statistics.median(r_regrets)
        parts = []
        for key, *_, name in filter(lambda m: m[-1], METHODS):
            m = sides[key]
            if not m.ok:
                parts.append(f"{name}: not measured ({m.problem})")
                continue
            regrets = [r["regret"] for r in m.runs]
            mean, med = statistics.fmean(regrets), statistics.median(regrets)
            met = "MET" if mean <= r_mean and med <= r_med else "NOT MET"
            parts.append(f"{name} **{met}**: mean regret {mean:.4f} vs Optuna's {r_mean:.4f}, median "
                         f"{med:.4f} vs {r_med:.4f} ({paired(m, ref)})")
        verdict = (f"**Verdict (quality):** {target}, judged on both mean and median regret: "
                   + "; ".join(parts) + f". Optuna ran {used:,.0f} epochs per seed on average, "
                   f"{100 * (used / budget - 1):+.1f}% of B = {budget:g} (its last trial runs on past B).")
    return [table(["Method", "Venv", "Budget used per seed (mean (min-max)), epochs", "Trials per seed",
                   "Mean regret +- SE", "Median regret", "Within 0.01 of f*", "Within 0.05 of f*",
                   "Winner is the best model", "Search s per seed"], rows, "llrrrrrrrr"), "", verdict, ""]


def run(ctx: Context) -> str:
    n_seeds, n_held = (5, 5) if ctx.quick else (50, 100)
    sides, info = study(ctx, list(range(n_seeds)))
    held, _ = study(ctx, list(range(HELD_OUT, HELD_OUT + n_held)))
    plan, o = info["plan"], p.OPTIMUM
    lines = [
        "## Search quality (issue 7)",
        "",
        "A seeded synthetic learning-curve benchmark with a known optimum",
        "(`benchmarks/search_quality/problem.py`, run by every side): `lr` (log 1e-5..1e-1),",
        "`batch_size` (integer, log 16..512), `dropout` (0..0.5), `model` (mlp, cnn, resnet). The true",
        "final score `f(x)` is 0.1 plus a per-model amplitude times Gaussian bumps in log-lr (whose",
        "centre moves with log batch size), log batch size and dropout; its unique maximum",
        f"`f* = {p.F_STAR:g}` is at lr = {o['lr']:.3g}, batch_size = {o['batch_size']}, dropout = "
        f"{o['dropout']:g}, {o['model']} (the best cnn reaches 0.90, the best mlp 0.82). The score",
        "after `b` epochs from scratch is `f - (f - 0.1) * exp(-b / tau(x)) + noise`; `tau` is larger",
        "for the better models (resnet learns slowest: at its optimum it trails the best mlp until 16",
        "epochs and the best cnn until 20), for smaller lr, larger batches and more dropout; the noise",
        "is a normal draw fixed by (seed, config, b), with std `0.01 + 0.05 / sqrt(b)`. R = 81 epochs,",
        "eta = 3. Regret = `f* - f(winner)`, with the true `f`. Every method gets the budget",
        f"B = {info['budget']:g} epochs of ato's `BracketHyperBand(max_budget=81, eta=3)` (the sum of its",
        "trials' budgets; ato's trials train from scratch, so each promotion pays again, while an Optuna",
        "trial continues its own curve). `BracketHyperBand(resume=True, budget_limit=B)` is the same",
        "search with promotions that continue their configuration's training (`trial.resumes`, as an",
        "Optuna trial continues), so a promotion spends only its extra epochs and the brackets run again",
        "(s = 4, 3, 2, 1, 0, 4, ...) while the next one fits in B. `sampler='local'` draws, once a",
        "configuration has run at R, half of each bracket's new configurations near the best one so",
        "far (a normal step of a tenth of each range, log scale for log spaces; the model kept with",
        "probability 0.8) and the other half uniformly. The grid `HyperBand` uses the grid and halving",
        "with the largest summed budget not above B (each numeric space at least 3 samples; rate 1/4,",
        f"0.3, 1/3 or 1/2; `num_min_samples` 1..5): lr {plan['grid']['lr']}, batch_size "
        f"{plan['grid']['batch_size']}, dropout {plan['grid']['dropout']} samples x 3 models = "
        f"{plan['size']} configurations, `halving_rate={plan['halving_rate']:g}`, "
        f"`num_min_samples={plan['num_min_samples']}`; rounds {plan['rounds']} at budgets "
        f"{plan['steps']}, {plan['budget']:g} epochs in all.",
        f"`RandomSearch` and TPE alone run floor(B / R) = {info['n_full']} trials at R. Optuna",
        "(`HyperbandPruner(min_resource=1, max_resource=81, reduction_factor=3)`) reports every epoch",
        "and starts no trial once B epochs have run (its last trial may go past B; the epochs it",
        f"actually used are shown). {n_seeds} seeds (0..{n_seeds - 1}), the same for every method:",
        "the search's or sampler's seed and the noise seed. The figures are deterministic: the same seeds",
        "and library versions give the same table on any machine, except the seconds column.",
        "",
        *meta("search-quality", ctx, ["main", "optuna"],
              f"{ato_version(ctx)} (pydantic {ctx.env('main').v('pydantic')}), optuna "
              f"{ctx.env('optuna').v('optuna')}"),
        "",
        *report(ctx, sides),
    ]
    if all(sides[k].ok for k in ("ato-random", "optuna-tpe-hb")):
        vs_optuna = paired(sides["ato-random"], sides["optuna-tpe-hb"])
        vs_random = paired(sides["ato-bracket"], sides["ato-random"])
        lines += [f"Paired, per seed: `RandomSearch` vs Optuna TPE + pruner: {vs_optuna}; "
                  f"`BracketHyperBand` vs `RandomSearch`: {vs_random}.", ""]
    lines += [
        "**Held-out seeds.** The constants of `sampler='local'` (draw half near the best, a step",
        "of a tenth of the range, keep the category with probability 0.8) were chosen on seeds",
        f"0..49 of this benchmark. The same study on seeds {HELD_OUT}..{HELD_OUT + n_held - 1},",
        "which played no part in any choice:",
        "",
        *report(ctx, held),
    ]
    problems = [f"- {s.key}, seed {r['seed']}: {x}" for d in (sides, held) for s in d.values() for r in s.runs
                for x in r["problems"]]
    if problems:
        lines += ["API problems seen (budget accounting, failed trials):", "", *problems[:20]]
    else:
        lines += ["Checks: for every ato run, the trial records' budgets sum to what the objective was",
                  "given and to the planned budget, every trial completed, and the winner ran at R = 81."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(json.dumps(_child(*sys.argv[1:])))
