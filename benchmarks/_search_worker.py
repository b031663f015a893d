"""One side of ``bench_search.py``, run as a child process; also the synthetic benchmark itself.

Standard library at module level: the same file runs in the project venv (the new ato), in
``benchmarks/.venvs/optuna`` and in ``benchmarks/.venvs/ato2`` (ato 2.2.1), and ``bench_search.py``
imports it for the true score, so every side optimises literally the same function. Each side
imports its library inside its function. Every command prints ONE JSON line on stdout (the last
line) and exits; a side that cannot run raises, so the parent sees a non-zero exit and the error.

The synthetic learning-curve benchmark (fixed before any search was run; see ``bench_search.py``):

* parameters ``lr`` (log-uniform 1e-5..1e-1), ``batch_size`` (integer, log 16..512), ``dropout``
  (0..0.5) and ``model`` (``mlp``, ``cnn``, ``resnet``);
* the true final score ``f(x) = base + amp[model] * g_lr * g_bs * g_do`` in [0, 1], where each
  ``g`` is a Gaussian bump equal to 1 at its centre: ``log10 lr`` around the model's best
  learning rate shifted by ``log10(batch_size / 96)`` (the linear scaling rule, so lr and batch
  size interact), ``log2 batch_size`` around ``log2 96`` and ``dropout`` around the model's best
  dropout. Its unique maximum ``F_STAR`` = 0.95 is at :data:`OPTIMUM` (``resnet``);
* the learning curve ``score(x, b) = f - (f - 0.1) * exp(-b / tau(x)) + noise``: ``tau`` grows
  for slower models (``resnet`` is the slowest, so the best model is behind for the first
  epochs), smaller learning rates, larger batches and more dropout; the noise is a standard
  normal drawn from a hash of (seed, config, budget), times ``0.01 + 0.05 / sqrt(b)``.

``python _search_worker.py quality METHOD SEEDS OPTIONS_JSON``
    Run one search method once per seed (comma-separated) on the synthetic benchmark and print,
    per seed, the winner's params, its noisy score, the budget used and the number of trials.
    Methods: ``ato-bracket`` (``BracketHyperBand``), ``ato-bracket-resume`` (the same with
    ``resume=True`` and ``budget_limit`` = the ``budget`` option; both take a ``sampler`` option),
    ``ato-grid`` (``HyperBand``), ``ato-random``
    (``RandomSearch``), ``optuna-tpe-hb`` (``TPESampler`` + ``HyperbandPruner``, until the budget
    ``B`` is reached) and ``optuna-tpe`` (``TPESampler`` alone, ``n_trials`` at the full budget).

``python _search_worker.py plan-grid BUDGET OPTIONS_JSON``
    With the new ato's ``HyperBand``, find the grid and halving whose summed budget is the
    largest not above BUDGET (the candidates are in OPTIONS_JSON).

``python _search_worker.py overhead SIDE N``
    Time a whole search whose objective returns 0.0 at once (construction included, imports
    excluded) and print the trials run and the seconds. N is the number of trials for the random
    and TPE sides and the number of ``lr`` grid samples for the grid sides.
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
import time
from typing import Any

# ---------------------------------------------------------------------- the synthetic benchmark
MODELS = ("mlp", "cnn", "resnet")
LR_RANGE = (1e-5, 1e-1)
BS_RANGE = (16, 512)
DROPOUT_RANGE = (0.0, 0.5)
MAX_BUDGET = 81  # R, in epochs
ETA = 3

BASE = 0.10  # the score of an untrained model, and the floor of f
BEST_BS = 96
SIGMA_LOG10_LR = 0.8  # bump widths: decades of lr, octaves of batch size, dropout
SIGMA_LOG2_BS = 1.5
SIGMA_DROPOUT = 0.25
# model -> (amplitude, log10 of the best lr at batch size 96, best dropout, tau at the reference point)
MODEL_SHAPE = {
    "mlp": (0.72, -2.5, 0.05, 2.0),
    "cnn": (0.80, -3.0, 0.25, 4.0),
    "resnet": (0.85, -2.6, 0.15, 8.0),
}
OPTIMUM = {"lr": 10**-2.6, "batch_size": BEST_BS, "dropout": 0.15, "model": "resnet"}
F_STAR = BASE + MODEL_SHAPE["resnet"][0]  # 0.95


def true_score(lr: float, batch_size: float, dropout: float, model: str) -> float:
    """``f(x)``: the score the configuration reaches after unlimited training (no noise)."""
    amp, best_log_lr, best_dropout, _ = MODEL_SHAPE[model]
    log_bs = math.log2(batch_size / BEST_BS)
    centre = best_log_lr + math.log10(batch_size / BEST_BS)
    z_lr = (math.log10(lr) - centre) / SIGMA_LOG10_LR
    z_bs = log_bs / SIGMA_LOG2_BS
    z_do = (dropout - best_dropout) / SIGMA_DROPOUT
    return BASE + amp * math.exp(-0.5 * (z_lr * z_lr + z_bs * z_bs + z_do * z_do))


def tau(lr: float, batch_size: float, dropout: float, model: str) -> float:
    """Epochs for the curve to cover 63% of the way from BASE to ``f``."""
    tau_ref = MODEL_SHAPE[model][3]
    return tau_ref * (1e-3 / lr) ** 0.3 * (batch_size / 64) ** 0.4 * (1 + dropout)


def _gauss(*key: Any) -> float:
    """A standard normal value fixed by ``key`` (Box-Muller on a BLAKE2 hash of its repr)."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=16).digest()
    u1 = ((int.from_bytes(digest[:8], "big") >> 11) + 0.5) / 2**53
    u2 = (int.from_bytes(digest[8:], "big") >> 11) / 2**53
    return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def noise_std(budget: float) -> float:
    return 0.01 + 0.05 / math.sqrt(budget)


def curve(seed: int, lr: float, batch_size: int, dropout: float, model: str, budget: float) -> float:
    """The (noisy) score after ``budget`` epochs of training from scratch."""
    lr, batch_size, dropout, epochs = float(lr), int(batch_size), float(dropout), int(budget)
    f = true_score(lr, batch_size, dropout, model)
    mean = f - (f - BASE) * math.exp(-epochs / tau(lr, batch_size, dropout, model))
    return mean + noise_std(epochs) * _gauss(seed, model, repr(lr), batch_size, repr(dropout), epochs)


def ato_spaces(ADict: Any, grid: dict[str, int] | None = None) -> Any:
    """The search spaces in ato's form; ``grid`` gives ``num_samples`` per numeric space."""
    grid = grid or {}

    def extra(name: str) -> dict[str, int]:
        return {"num_samples": grid[name]} if name in grid else {}

    return ADict(
        lr=ADict(param_type="FLOAT", param_range=LR_RANGE, space_type="LOG", **extra("lr")),
        batch_size=ADict(param_type="INTEGER", param_range=BS_RANGE, space_type="LOG", **extra("batch_size")),
        dropout=ADict(param_type="FLOAT", param_range=DROPOUT_RANGE, **extra("dropout")),
        model=ADict(param_type="CATEGORY", categories=list(MODELS)),
    )


def _clean_argv() -> None:
    # ato's searches read sys.argv[1:] as the program's command line.
    sys.argv = [sys.argv[0]]


# ---------------------------------------------------------------------- quality: ato
def _ato_search(method: str, seed: int, options: dict[str, Any]) -> dict[str, Any]:
    from ato.adict import ADict
    from ato.hyperopt import BracketHyperBand, HyperBand, RandomSearch, Trial
    from ato.scope import Scope

    scope = Scope()
    if method in ("ato-bracket", "ato-bracket-resume"):
        # With resume, promotions continue their configuration's training (as an Optuna trial
        # continues its curve), so they spend only the extra epochs; brackets repeat within B.
        resume = {"resume": True, "budget_limit": options["budget"]} if method.endswith("resume") else {}
        search: Any = BracketHyperBand(
            scope,
            ato_spaces(ADict),
            max_budget=MAX_BUDGET,
            eta=ETA,
            min_budget=1,
            mode="max",
            seed=seed,
            progress=False,
            sampler=options.get("sampler", "random"),
            **resume,
        )
        planned = search.total_budget()
    elif method == "ato-grid":
        search = HyperBand(
            scope,
            ato_spaces(ADict, options["grid"]),
            options["halving_rate"],
            options["num_min_samples"],
            mode="max",
            max_budget=MAX_BUDGET,
            progress=False,
        )
        steps = search.compute_optimized_initial_training_steps(MAX_BUDGET)
        planned = sum(n * s for n, s in zip(search._round_sizes(), steps, strict=True))
    elif method == "ato-random":
        search = RandomSearch(
            scope,
            ato_spaces(ADict),
            options["num_trials"],
            mode="max",
            budget=MAX_BUDGET,
            seed=seed,
            progress=False,
        )
        planned = options["num_trials"] * MAX_BUDGET
    else:
        raise SystemExit(f"unknown method {method!r}")

    seen: list[float] = []
    resumes = method == "ato-bracket-resume"

    @search.main
    def objective(config: Any, trial: Trial) -> float:
        seen.append(trial.budget - (trial.previous_budget or 0) if resumes else trial.budget)
        return curve(seed, config.lr, config.batch_size, config.dropout, config.model, trial.budget)

    start = time.perf_counter()
    result = objective()
    seconds = time.perf_counter() - start
    params = dict(result.params)
    return {
        "seed": seed,
        "params": params,
        "score": result.metric,
        "winner_budget": result.best.trial.budget,
        "budget": sum(r.trial.budget - (r.trial.previous_budget or 0 if resumes else 0)
                      for r in result.trials),
        "budget_seen": sum(seen),
        "planned": planned,
        "trials": len(result.trials),
        "calls": len(seen),
        "failed": len(result.failed),
        "seconds": seconds,
    }


# ---------------------------------------------------------------------- quality: Optuna
def _optuna_suggest(trial: Any) -> dict[str, Any]:
    return {
        "lr": trial.suggest_float("lr", *LR_RANGE, log=True),
        "batch_size": trial.suggest_int("batch_size", *BS_RANGE, log=True),
        "dropout": trial.suggest_float("dropout", *DROPOUT_RANGE),
        "model": trial.suggest_categorical("model", list(MODELS)),
    }


def _optuna_search(method: str, seed: int, options: dict[str, Any]) -> dict[str, Any]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    sampler = optuna.samplers.TPESampler(seed=seed)
    used = [0]
    if method == "optuna-tpe-hb":
        limit = options["budget"]
        pruner: Any = optuna.pruners.HyperbandPruner(
            min_resource=1, max_resource=MAX_BUDGET, reduction_factor=ETA
        )

        def objective(trial: Any) -> float:
            x = _optuna_suggest(trial)
            value = 0.0
            for epoch in range(1, MAX_BUDGET + 1):
                value = curve(seed, x["lr"], x["batch_size"], x["dropout"], x["model"], epoch)
                used[0] += 1
                trial.report(value, epoch)
                if trial.should_prune():
                    raise optuna.TrialPruned()
            return value

        def stop_at_budget(study: Any, _trial: Any) -> None:
            if used[0] >= limit:  # no new trial starts once the budget is reached
                study.stop()

        # HyperbandPruner picks brackets by a hash of the study name: fix it, for reproducible runs.
        study = optuna.create_study(
            study_name=f"seed-{seed}", direction="maximize", sampler=sampler, pruner=pruner
        )
        start = time.perf_counter()
        study.optimize(objective, callbacks=[stop_at_budget])
    elif method == "optuna-tpe":

        def objective(trial: Any) -> float:
            x = _optuna_suggest(trial)
            used[0] += MAX_BUDGET
            return curve(seed, x["lr"], x["batch_size"], x["dropout"], x["model"], MAX_BUDGET)

        study = optuna.create_study(study_name=f"seed-{seed}", direction="maximize", sampler=sampler)
        start = time.perf_counter()
        study.optimize(objective, n_trials=options["num_trials"])
    else:
        raise SystemExit(f"unknown method {method!r}")
    seconds = time.perf_counter() - start
    states = [t.state.name for t in study.trials]
    best = study.best_trial
    return {
        "seed": seed,
        "params": dict(best.params),
        "score": best.value,
        "winner_budget": MAX_BUDGET,
        "budget": used[0],
        "trials": len(study.trials),
        "complete": states.count("COMPLETE"),
        "pruned": states.count("PRUNED"),
        "seconds": seconds,
    }


def quality(method: str, seeds: str, options_json: str) -> dict[str, Any]:
    _clean_argv()
    options = json.loads(options_json)
    run = _optuna_search if method.startswith("optuna") else _ato_search
    return {"method": method, "runs": [run(method, int(s), options) for s in seeds.split(",")]}


def plan_grid(budget_text: str, options_json: str) -> dict[str, Any]:
    """The grid and halving of ``HyperBand`` whose summed budget is the largest <= the budget.

    The budget depends only on the grid's size, the halving rate and ``num_min_samples``, so it
    is computed (by ato's own ``_round_sizes`` and ``compute_optimized_initial_training_steps``)
    once per distinct grid size, on a one-space grid of that size.
    """
    _clean_argv()
    from ato.adict import ADict
    from ato.hyperopt import HyperBand
    from ato.hyperopt._spaces import parse_spaces
    from ato.scope import Scope

    budget = float(budget_text)
    opts = json.loads(options_json)
    sizes: dict[int, list[dict[str, int]]] = {}
    for n_lr in range(opts["lr"][0], opts["lr"][1] + 1):
        for n_bs in range(opts["batch_size"][0], opts["batch_size"][1] + 1):
            for n_do in range(opts["dropout"][0], opts["dropout"][1] + 1):
                grid = {"lr": n_lr, "batch_size": n_bs, "dropout": n_do}
                spaces = parse_spaces(ato_spaces(ADict, grid), need_grid=True)
                size = math.prod(len(s.grid()) for s in spaces)
                sizes.setdefault(size, []).append(grid)
    scope = Scope()
    best: tuple[Any, ...] | None = None
    for size, grids in sizes.items():
        one = ADict(x=ADict(param_type="CATEGORY", categories=list(range(size))))
        for rate in opts["halving_rates"]:
            for n_min in opts["num_min_samples"]:
                hb = HyperBand(scope, one, rate, n_min, max_budget=MAX_BUDGET, progress=False)
                rounds = hb._round_sizes()
                steps = hb.compute_optimized_initial_training_steps(MAX_BUDGET)
                total = sum(n * s for n, s in zip(rounds, steps, strict=True))
                if total > budget:
                    continue
                # Ties: the rate nearest 1/eta, then the smallest num_min_samples, then the grid
                # whose smallest dimension is largest (the most balanced), then more lr samples.
                grid = max(grids, key=lambda g: (min(g.values()), g["lr"], g["batch_size"]))
                key = (total, -abs(rate - 1 / ETA), -n_min, min(grid.values()), grid["lr"])
                if best is None or key > best[0]:
                    best = (
                        key,
                        {
                            "grid": grid,
                            "halving_rate": rate,
                            "num_min_samples": n_min,
                            "budget": total,
                            "size": size,
                            "rounds": rounds,
                            "steps": steps,
                        },
                    )
    if best is None:
        raise SystemExit("no grid fits the budget")
    return best[1]


# ---------------------------------------------------------------------- overhead
def _overhead_spaces(ADict: Any, n_lr: int | None) -> Any:
    lr = ADict(param_type="FLOAT", param_range=LR_RANGE, space_type="LOG")
    bs = ADict(param_type="INTEGER", param_range=BS_RANGE, space_type="LOG")
    if n_lr is not None:
        lr.num_samples, bs.num_samples = n_lr, 5
    return ADict(lr=lr, batch_size=bs, model=ADict(param_type="CATEGORY", categories=list(MODELS)))


def overhead(side: str, n_text: str) -> dict[str, Any]:
    _clean_argv()
    n = int(n_text)
    calls = [0]
    if side.startswith("optuna"):
        t0 = time.perf_counter()
        import optuna

        import_s = time.perf_counter() - t0
        optuna.logging.set_verbosity(optuna.logging.WARNING)

        def objective(trial: Any) -> float:
            trial.suggest_float("lr", *LR_RANGE, log=True)
            trial.suggest_int("batch_size", *BS_RANGE, log=True)
            trial.suggest_categorical("model", list(MODELS))
            calls[0] += 1
            return 0.0

        start = time.perf_counter()
        sampler = (
            optuna.samplers.RandomSampler(seed=0)
            if side == "optuna-random"
            else optuna.samplers.TPESampler(seed=0)
        )
        study = optuna.create_study(direction="maximize", sampler=sampler)
        study.optimize(objective, n_trials=n)
        seconds = time.perf_counter() - start
        trials = len(study.trials)
        version = optuna.__version__
    elif side == "ato2-grid":
        t0 = time.perf_counter()
        from ato.adict import ADict
        from ato.hyperopt.hyperband import HyperBand
        from ato.scope import Scope

        import_s = time.perf_counter() - t0
        start = time.perf_counter()
        hb = HyperBand(Scope(), _overhead_spaces(ADict, n), halving_rate=0.3, num_min_samples=3)

        @hb.main
        def f(config: Any) -> float:
            calls[0] += 1
            return 0.0

        f()
        seconds = time.perf_counter() - start
        trials = calls[0]
        version = "2.x"
    else:
        t0 = time.perf_counter()
        from ato.adict import ADict
        from ato.hyperopt import BracketHyperBand, HyperBand, RandomSearch
        from ato.scope import Scope

        import_s = time.perf_counter() - t0
        model_cls: Any = None
        if side == "ato-random-schema":
            from pydantic import BaseModel

            class Model(BaseModel):
                lr: float = 1e-3
                batch_size: int = 64
                model: str = "mlp"

            model_cls = Model
        start = time.perf_counter()
        scope = Scope(schema=model_cls) if model_cls is not None else Scope()
        if side in ("ato-random", "ato-random-schema"):
            search: Any = RandomSearch(scope, _overhead_spaces(ADict, None), n, seed=0, progress=False)
        elif side == "ato-grid":
            search = HyperBand(scope, _overhead_spaces(ADict, n), 0.3, 3, progress=False)
        elif side == "ato-bracket":
            search = BracketHyperBand(
                scope, _overhead_spaces(ADict, None), max_budget=n, eta=3, seed=0, progress=False
            )
        else:
            raise SystemExit(f"unknown side {side!r}")

        @search.main
        def f(config: Any) -> float:
            calls[0] += 1
            return 0.0

        result = f()
        seconds = time.perf_counter() - start
        trials = len(result.trials)
        if trials != calls[0]:
            raise SystemExit(f"{side}: {len(result.trials)} trial records but {calls[0]} objective calls")
        version = "new"
    return {
        "side": side,
        "trials": trials,
        "calls": calls[0],
        "seconds": seconds,
        "import_s": import_s,
        "version": version,
    }


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "quality":
        out = quality(*args)
    elif command == "plan-grid":
        out = plan_grid(*args)
    elif command == "overhead":
        out = overhead(*args)
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
