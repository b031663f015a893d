"""What ``ato runs list|show|best|compare`` do (the parser is in ``ato.__main__``).

Contract: :func:`run` writes plain-text tables to ``out`` and returns 0; for anything wrong
with the input (a bad URL, a missing database file, an unknown run, project or metric, a
database it cannot read) it writes one line, ``ato: error: ...``, to ``err`` and returns 2.
It only reads: a missing SQLite file is reported, never created.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TextIO

from sqlalchemy.exc import SQLAlchemyError

from ato.adict import flatten
from ato.errors import ConfigError, suggest
from ato.tracker._engine import safe_url
from ato.tracker._finder import SQLFinder
from ato.tracker._records import RunRecord
from ato.tracker._table import MISSING, cell, duration, number, table, when

__all__ = ["CommandError", "run"]


class CommandError(Exception):
    """A one-line message for the user; ``ato`` exits with status 2."""


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Execute the parsed ``ato runs`` command (see the module docstring)."""
    actions: dict[str, Callable[[SQLFinder, argparse.Namespace], str]] = {
        "list": _list, "show": _show, "best": _best, "compare": _compare,
    }
    try:
        text = actions[args.action](SQLFinder(args.db), args)
    except CommandError as error:
        message = str(error)
    except ConfigError as error:
        problem = error.problems[0]
        reason = problem.detail or f"expected {problem.expected}"
        message = f"database {safe_url(args.db)}: {reason}"
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        message = f"database {safe_url(args.db)}: cannot read it ({reason})"
    else:
        out.write(text + "\n")
        return 0
    err.write(f"ato: error: {message}\n")
    return 2


# ---------------------------------------------------------------------- commands
def _list(finder: SQLFinder, args: argparse.Namespace) -> str:
    if args.project is not None:
        _project(finder, args.project)
        runs = finder.get_runs_in_project(args.project, details=False)
    else:
        runs = [r for p in finder.list_projects() for r in finder.get_runs_in_project(p.name, details=False)]
        runs.sort(key=lambda r: r.id)
    if not runs:
        return "no runs"
    rows = [
        [str(r.id), r.project.name, r.status or MISSING, when(r.start_time),
         duration(r.start_time, r.end_time), ", ".join(map(str, r.tags)) or MISSING]
        for r in runs
    ]
    return table(["ID", "PROJECT", "STATUS", "STARTED (UTC)", "DURATION", "TAGS"], rows)


def _show(finder: SQLFinder, args: argparse.Namespace) -> str:
    return _describe(_run(finder, args.run_id))


def _best(finder: SQLFinder, args: argparse.Namespace) -> str:
    _project(finder, args.project)
    best = finder.find_best_run(args.project, args.metric, args.mode)
    if best is None:
        keys = finder.metric_keys(args.project)
        hint = suggest(args.metric, keys)
        known = f"; did you mean {hint}?" if hint else f" (it logged: {', '.join(keys) or 'none'})"
        raise CommandError(f"no run of project {args.project!r} logged metric {args.metric!r}{known}")
    points = [m for m in best.metrics if m.key == args.metric]
    pick = max if args.mode == "max" else min
    top = pick(points, key=lambda m: m.value)
    head = (f"best {args.metric} ({args.mode}) in project {args.project!r}: "
            f"run {best.id}, {number(top.value)} at step {top.step}")
    return head + "\n\n" + _describe(best)


def _compare(finder: SQLFinder, args: argparse.Namespace) -> str:
    if len(args.run_ids) < 2:
        raise CommandError("compare needs two or more run ids")
    runs = [_run(finder, run_id) for run_id in args.run_ids]
    headers = [f"run {r.id}" for r in runs]
    configs = [flatten(r.config) for r in runs]
    keys = sorted({k for c in configs for k in c})
    absent = object()
    differing = [k for k in keys if len({repr(c.get(k, absent)) for c in configs}) > 1]
    rows = [[k, *(cell(c[k]) if k in c else MISSING for c in configs)] for k in differing]
    parts = [table(["CONFIG", *headers], rows) if rows else "configs are identical"]
    if rows and len(keys) > len(differing):
        parts[0] += f"\n({len(keys) - len(differing)} other keys equal)"
    latest = [r.latest_metrics() for r in runs]
    metric_keys = sorted({k for m in latest for k in m})
    if metric_keys:
        metric_rows = [[k, *(number(m[k]) if k in m else MISSING for m in latest)] for k in metric_keys]
        parts.append(table(["METRIC (LAST)", *headers], metric_rows))
    return "\n\n".join(parts)


# ---------------------------------------------------------------------- helpers
def _project(finder: SQLFinder, name: str) -> None:
    if finder.find_project(name) is None:
        names = [p.name for p in finder.list_projects()]
        hint = suggest(name, names)
        known = f"; did you mean {hint}?" if hint else f" (projects: {', '.join(names) or 'none'})"
        raise CommandError(f"unknown project {name!r}{known}")


def _run(finder: SQLFinder, run_id: int) -> RunRecord:
    found = finder.find_run(run_id)
    if found is None:
        raise CommandError(f"no run with id {run_id}")
    return found


def _describe(run: RunRecord) -> str:
    """``ato runs show``: the run's facts, config, metrics, artifacts and fingerprints."""
    facts = [
        ("run", str(run.id)), ("project", run.project.name), ("status", run.status or MISSING),
        ("started (UTC)", when(run.start_time)), ("ended (UTC)", when(run.end_time)),
        ("duration", duration(run.start_time, run.end_time)),
        ("host", f"{run.hostname or MISSING} (pid {run.pid or MISSING})"),
        ("structural hash", run.structural_hash or MISSING),
        ("tags", ", ".join(map(str, run.tags)) or MISSING),
    ]
    width = max(len(k) for k, _ in facts)
    parts = ["\n".join(f"{k.ljust(width)}  {v}" for k, v in facts)]
    config = flatten(run.config)
    if config:
        parts.append(table(["CONFIG", "VALUE"], [[k, cell(v)] for k, v in config.items()]))
    if run.metrics:
        parts.append(table(["METRIC", "POINTS", "LAST STEP", "LAST", "MIN", "MAX"], _metric_rows(run)))
    if run.artifacts:
        parts.append(table(["ARTIFACT", "TYPE"], [[a.path, a.data_type or MISSING] for a in run.artifacts]))
    if run.fingerprints:
        parts.append(table(["TRACE", "TYPE", "FINGERPRINT"],
                           [[f.trace_id, f.trace_type, f.fingerprint[:16]] for f in run.fingerprints]))
    return "\n\n".join(parts)


def _metric_rows(run: RunRecord) -> list[list[str]]:
    by_key: dict[str, list[float]] = {}
    last_step: dict[str, int] = {}
    for m in run.metrics:
        by_key.setdefault(m.key, []).append(m.value)
        last_step[m.key] = max(last_step.get(m.key, m.step), m.step)
    latest = run.latest_metrics()
    return [
        [key, str(len(values)), str(last_step[key]), number(latest[key]), number(min(values)),
         number(max(values))]
        for key, values in sorted(by_key.items())
    ]
