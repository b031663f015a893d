"""Attribute reads: ``cfg.lr`` and ``cfg.optim.momentum`` on ADict and its peers (issue 3).

Every candidate holds the same two values (``lr = 0.1`` and ``optim.momentum = 0.9``) and is
timed in the same run as the others, so the figures that matter are the ratios to plain dict
subscription, not the absolute nanoseconds. Method:

* each (candidate, statement) cell is compiled once with :class:`timeit.Timer`; the object is
  bound to a local name in the timer's set-up, as it would be inside a training loop;
* a loop count is calibrated per cell so that one repeat takes about ``--seconds`` (0.2 s);
* repeats are interleaved round-robin across all cells (the starting cell rotates each round),
  so drift and noise on the machine hit every candidate alike;
* the minimum and the median over ``--repeat`` (7) repeats are reported in ns per iteration,
  and each as a ratio to dict subscription. Figures include timeit's own loop overhead, shown
  in the ``empty statement`` row.

Run ``python benchmarks/bench_attribute_read.py`` to print a Markdown table; add ``--write`` to
replace (or insert) the section ``## Attribute reads (issue 3)`` in ``benchmarks/RESULTS.md``.
Standard library only, apart from the candidates themselves; OmegaConf is optional
(``pip install -e '.[bench]'``) and its row is skipped with a message when it is missing.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import platform
import statistics
import sys
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from _common import date_line, git_rev, machine_line, reproduce_command, write_results

SECTION = "## Attribute reads (issue 3)"
TARGET_RATIO = 3.0  # issue 3: ADict attribute read within 3x of dict subscription
AIM_RATIO = 1.5  # the project's long-run aim for attribute reads
LR, MOMENTUM = 0.1, 0.9

# The three statements timed on every candidate, in terms of its access style.
READS = ("both", "lr", "momentum")
READ_LABELS = {"both": "both", "lr": "lr", "momentum": "optim.momentum"}
ATTR = {"both": "cfg.lr; cfg.optim.momentum", "lr": "cfg.lr", "momentum": "cfg.optim.momentum"}
ITEM = {
    "both": 'cfg["lr"]; cfg["optim"]["momentum"]',
    "lr": 'cfg["lr"]',
    "momentum": 'cfg["optim"]["momentum"]',
}
CHECK = {
    "attr": ("cfg.lr", "cfg.optim.momentum"),
    "item": ('cfg["lr"]', 'cfg["optim"]["momentum"]'),
}


# ---------------------------------------------------------------------- candidates
class _Optim:
    def __init__(self, momentum: float) -> None:
        self.momentum = momentum


class _Config:
    """A plain class instance, the way a hand-written config object would look."""

    def __init__(self, lr: float, optim: _Optim) -> None:
        self.lr = lr
        self.optim = optim


def _plain_dict() -> Any:
    return {"lr": LR, "optim": {"momentum": MOMENTUM}}


def _plain_object() -> Any:
    return _Config(LR, _Optim(MOMENTUM))


def _pydantic_model() -> Any:
    from pydantic import BaseModel

    class Optim(BaseModel):
        momentum: float

    class Config(BaseModel):
        lr: float
        optim: Optim

    return Config(lr=LR, optim=Optim(momentum=MOMENTUM))


def _adict() -> Any:
    from ato import ADict

    return ADict(lr=LR, optim={"momentum": MOMENTUM})


def _omegaconf() -> Any:
    from omegaconf import OmegaConf

    return OmegaConf.create({"lr": LR, "optim": {"momentum": MOMENTUM}})


@dataclass
class Candidate:
    key: str
    label: str
    make: Callable[[], Any]
    style: str  # "attr" or "item"
    optional_module: str | None = None


CANDIDATES = (
    Candidate("dict", "dict subscription", _plain_dict, "item"),
    Candidate("object", "plain object attribute", _plain_object, "attr"),
    Candidate("pydantic", "pydantic v2 BaseModel attribute", _pydantic_model, "attr"),
    Candidate("adict_attr", "ato ADict attribute", _adict, "attr"),
    Candidate("adict_item", "ato ADict item", _adict, "item"),
    Candidate("omegaconf", "OmegaConf DictConfig attribute", _omegaconf, "attr", "omegaconf"),
)


@dataclass
class Cell:
    candidate: Candidate
    read: str
    timer: timeit.Timer
    stmt: str
    number: int = 0
    times_ns: list[float] = field(default_factory=list)  # ns per iteration, one per repeat

    @property
    def minimum(self) -> float:
        return min(self.times_ns)

    @property
    def median(self) -> float:
        return statistics.median(self.times_ns)


def _make_timer(obj: Any, stmt: str) -> timeit.Timer:
    # The set-up runs inside timeit's generated function, so `cfg` is a fast local there.
    return timeit.Timer(stmt, setup="cfg = _bench_obj", globals={"_bench_obj": obj})


def _check(cand: Candidate, obj: Any) -> None:
    got = tuple(eval(expr, {}, {"cfg": obj}) for expr in CHECK[cand.style])
    if got != (LR, MOMENTUM):
        raise SystemExit(f"{cand.key}: read {got!r}, expected {(LR, MOMENTUM)!r}")


def build_cells() -> tuple[list[Cell], list[str]]:
    cells: list[Cell] = []
    skipped: list[str] = []
    for cand in CANDIDATES:
        try:
            obj = cand.make()
        except ImportError as exc:
            if cand.optional_module is None:
                raise
            msg = (
                f"{cand.optional_module} is not importable ({exc}); skipping the "
                f"'{cand.label}' row. Install it with: pip install -e '.[bench]'"
            )
            print(f"NOTE: {msg}", file=sys.stderr)
            skipped.append(msg)
            continue
        _check(cand, obj)
        stmts = ATTR if cand.style == "attr" else ITEM
        for read in READS:
            cells.append(Cell(cand, read, _make_timer(obj, stmts[read]), stmts[read]))
    return cells, skipped


def calibrate(timer: timeit.Timer, seconds: float) -> int:
    """A loop count for which one repeat takes about ``seconds`` (also warms the statement up)."""
    number, elapsed = 1, timer.timeit(1)
    while elapsed < seconds / 20:  # grow until the clock resolution no longer matters
        number *= 10
        elapsed = timer.timeit(number)
    for _ in range(2):  # two full-length passes settle the count
        number = max(1, round(number * seconds / elapsed))
        elapsed = timer.timeit(number)
    return max(1, round(number * seconds / elapsed))


def run(cells: list[Cell], repeat: int, seconds: float, verbose: bool) -> None:
    for cell in cells:
        cell.number = calibrate(cell.timer, seconds)
    if verbose:
        per_round = len(cells) * seconds
        print(f"{len(cells)} cells x {repeat} repeats, ~{per_round:.1f} s per round", file=sys.stderr)
    for r in range(repeat):
        start = r % len(cells)
        for cell in cells[start:] + cells[:start]:
            elapsed = cell.timer.timeit(cell.number)
            cell.times_ns.append(elapsed / cell.number * 1e9)
        if verbose:
            print(f"  round {r + 1}/{repeat} done", file=sys.stderr)


# ---------------------------------------------------------------------- report
def _empty_loop(repeat: int, seconds: float) -> tuple[float, float]:
    timer = timeit.Timer("pass")
    number = calibrate(timer, seconds / 2)
    times = [timer.timeit(number) / number * 1e9 for _ in range(repeat)]
    return min(times), statistics.median(times)


def _fmt_ns(ns: float) -> str:
    return f"{ns:,.1f}" if ns < 100 else f"{ns:,.0f}"


def _fmt_ratio(x: float) -> str:
    return f"{x:.2f}x" if x < 10 else f"{x:,.1f}x"


def table(cells: list[Cell], empty: tuple[float, float]) -> str:
    by = {(c.candidate.key, c.read): c for c in cells}
    lines = [
        "| Reads | Candidate | Statement | min ns | median ns | x dict (median) | x dict (min) |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for read in READS:
        base = by[("dict", read)]
        for cand in CANDIDATES:
            cell = by.get((cand.key, read))
            if cell is None:
                continue
            lines.append(
                f"| {READ_LABELS[read]} | {cand.label} | `{cell.stmt}` | {_fmt_ns(cell.minimum)} | "
                f"{_fmt_ns(cell.median)} | {_fmt_ratio(cell.median / base.median)} | "
                f"{_fmt_ratio(cell.minimum / base.minimum)} |"
            )
    lines.append(
        f"| (reference) | timeit loop overhead, included in every row | `pass` | "
        f"{_fmt_ns(empty[0])} | {_fmt_ns(empty[1])} | | |"
    )
    return "\n".join(lines)


def verdict(cells: list[Cell]) -> tuple[str, dict[str, float]]:
    by = {(c.candidate.key, c.read): c for c in cells}
    dict_both = by[("dict", "both")].median
    adict_both = by[("adict_attr", "both")].median
    ratio = adict_both / dict_both
    min_ratio = by[("adict_attr", "both")].minimum / by[("dict", "both")].minimum
    ratios = {"adict_attr/dict": ratio, "adict_attr/dict (min)": min_ratio}
    ok = "MET" if ratio <= TARGET_RATIO else "NOT MET"
    aim = "met" if ratio <= AIM_RATIO else "not yet met"
    text = (
        f'**Verdict:** target "ADict attribute read within {TARGET_RATIO:g}x of dict subscription" '
        f"{ok}: ADict `cfg.lr; cfg.optim.momentum` is {ratio:.2f}x dict by medians "
        f"({min_ratio:.2f}x by minima; project aim of {AIM_RATIO:g}x {aim})"
    )
    omega = by.get(("omegaconf", "both"))
    if omega is not None:
        oratio = omega.median / adict_both
        ratios["omegaconf/adict_attr"] = oratio
        ratios["omegaconf/adict_attr (min)"] = omega.minimum / by[("adict_attr", "both")].minimum
        text += f"; OmegaConf attribute access is {oratio:,.0f}x slower than ADict attribute access."
    else:
        text += "; OmegaConf not measured (not importable)."
    return text, ratios


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def section(
    body_table: str, verdict_line: str, skipped: list[str], argv: list[str], *, repeat: int, seconds: float
) -> str:
    cmd = reproduce_command("bench_attribute_read.py", argv, "--write")
    py = f"{platform.python_implementation()} {platform.python_version()}"
    lines = [
        SECTION,
        "",
        "Reading `cfg.lr` and `cfg.optim.momentum` (both in one iteration, and each alone) on the same",
        "values held by each candidate; ns per iteration, min and median over "
        f"{repeat} interleaved repeats of",
        f"about {seconds:g} s each per cell; ratios are to dict subscription in the same run.",
        "",
        date_line(),
        f"- Python: {py}",
        machine_line(),
        f"- Versions: ato {_version('ato')}{git_rev()}, pydantic {_version('pydantic')}, "
        f"omegaconf {_version('omegaconf')}",
        f"- Reproduce: `pip install -e '.[bench]'` then `{cmd}`",
        "",
        body_table,
        "",
        verdict_line,
    ]
    lines += [f"\nNote: {msg}" for msg in skipped]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {SECTION!r} in RESULTS.md")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved repeats per cell (7)")
    parser.add_argument("--seconds", type=float, default=0.2, help="target time per repeat (0.2)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)

    cells, skipped = build_cells()
    run(cells, args.repeat, args.seconds, verbose=not args.quiet)
    empty = _empty_loop(args.repeat, args.seconds)
    body = table(cells, empty)
    verdict_line, ratios = verdict(cells)
    kept = [a for a in argv if a not in {"--write", "-q", "--quiet"}]
    text = section(body, verdict_line, skipped, kept, repeat=args.repeat, seconds=args.seconds)
    print(text)
    print("Exact ratios (both reads): " + ", ".join(f"{k} = {v:.4f}" for k, v in ratios.items()))
    if args.write:
        write_results(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
