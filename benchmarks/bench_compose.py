"""Hydra composition: ato's ``compose`` against ``hydra.compose`` on Hydra's own trees (issue 5).

The trees are the test trees that ship inside the hydra-core wheel
(``hydra/test_utils/configs``), read from the Hydra venv's installed package: a fixed set of
compositions over them (defaults lists, group overrides, packages, nested groups). Both
sides compose the same directory.

Method: three long-lived child processes, each timing in-process (``_compose_worker.py``):
ato in the project venv, and Hydra in ``benchmarks/.venvs/hydra`` (made by ``--setup``, as
``bench_startup.py`` makes it) twice: ``hydra.compose`` with the tree's
``initialize_config_dir`` already open (what an application that initializes once pays per
composition) and with ``initialize_config_dir`` on every call (what a program that composes
once pays, the initialization being per call). Imports happen before any timing. First each
side's result is checked against Hydra's for every case (equal, with types and key order).
Then ``--repeat`` (7) rounds, the three processes taking turns in a rotating order; in a
round each case is composed in a loop of about ``--seconds`` (0.2 s; the loop count is
calibrated once). Reported: min and median ms per composition, the ratio of medians
Hydra / ato per case, and their geometric mean.

Run ``python benchmarks/bench_compose.py --setup`` to print a Markdown section; add
``--write`` to replace (or insert) ``## Hydra composition (issue 5)`` in RESULTS.md.
Standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import date_line, git_rev, machine_line, reproduce_command, write_results
from bench_startup import Env, _child_env, _make_envs, prepare_envs

SECTION = "## Hydra composition (issue 5)"
HERE = Path(__file__).resolve().parent
WORKER = HERE / "_compose_worker.py"
TARGET = 5.0  # issue 5: at least 5x faster than hydra.compose
AIM = 10.0  # DESIGN section 8: an order of magnitude

# (label, folder under hydra/test_utils/configs, primary, ato select, Hydra overrides)
CASES: list[tuple[str, str, str, dict[str, Any], list[str]]] = [
    ("db_conf", "", "db_conf", {}, []),
    ("db_conf, db=postgresql", "", "db_conf", {"db": "postgresql"}, ["db=postgresql"]),
    ("compose, group1=file2", "", "compose", {"group1": "file2"}, ["group1=file2"]),
    ("optional-default", "", "optional-default", {}, []),
    ("some_config, +db=mysql", "", "some_config", {"db": "mysql"}, ["+db=mysql"]),
    ("package_tests/pkg_override", "package_tests", "pkg_override", {}, []),
    ("package_tests/two_packages_one_group", "package_tests", "two_packages_one_group", {}, []),
    ("completion_test/config, group=dict", "completion_test", "config", {"group": "dict"},
     ["group=dict"]),
]
SIDES = {
    "ato": "ato `compose`",
    "hydra": "`hydra.compose` (initialized once)",
    "hydra-init": "`initialize_config_dir` + `hydra.compose`",
}


@dataclass
class Side:
    key: str
    env: Env
    proc: subprocess.Popen[str] | None = None
    problem: str = ""
    results: dict[str, Any] = field(default_factory=dict)
    times: dict[str, list[float]] = field(default_factory=dict)

    def ask(self, command: str) -> Any:
        assert self.proc is not None
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            err = self.proc.stderr.read() if self.proc.stderr else ""
            raise RuntimeError(f"the {self.key} worker exited: {err}")
        return json.loads(line)


    def stop(self) -> None:
        assert self.proc is not None
        assert self.proc.stdin is not None
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def configs_dir(env: Env) -> Path:
    """``hydra/test_utils/configs`` of the hydra-core installed in ``env``."""
    out = subprocess.run(
        [str(env.python), "-c",
         "import hydra, pathlib; print(pathlib.Path(hydra.__file__).parent / 'test_utils' / 'configs')"],
        capture_output=True, text=True, check=True,
    )
    return Path(out.stdout.strip())


def start(side: Side, cases: list[dict[str, Any]]) -> None:
    side.proc = subprocess.Popen(
        [str(side.env.python), str(WORKER), side.key, json.dumps(cases)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=_child_env(),
    )
    assert side.proc.stdout is not None
    if not side.proc.stdout.readline():
        err = (side.proc.stderr.read() if side.proc.stderr else "").strip().splitlines()
        side.problem = err[-1] if err else "the worker exited"
        side.proc = None


def same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def measure(sides: list[Side], keys: list[str], repeat: int, seconds: float, verbose: bool) -> None:
    live = [s for s in sides if s.proc is not None]
    for side in live:
        side.results = side.ask("result")
        side.times = {k: [] for k in keys}
    for r in range(repeat):
        order = live[r % len(live):] + live[: r % len(live)]
        for side in order:
            for key, ms in side.ask(f"round {seconds}").items():
                side.times[key].append(ms)
        if verbose:
            print(f"round {r + 1}/{repeat} done", file=sys.stderr)
    for side in live:
        side.stop()


def _ms(x: float) -> str:
    return f"{x:,.2f}" if x < 100 else f"{x:,.0f}"


def section(sides: dict[str, Side], keys: list[str], labels: dict[str, str], argv: list[str],
            repeat: int, seconds: float) -> tuple[str, float | None]:
    ato, hydra, init = sides["ato"], sides["hydra"], sides["hydra-init"]
    timed = all(s.times for s in (ato, hydra))
    lines = [
        SECTION, "",
        "Composing the test trees that ship inside hydra-core (`hydra/test_utils/configs`, read from",
        "the Hydra venv's installed package) with this ato's `compose` and with `hydra.compose`",
        "(`version_base=None`, no `hydra` node in the result). Each side times in-process in its own",
        f"child process after its imports; ms per composition, min and median over {repeat} rounds",
        f"taken in turn (loops of about {seconds:g} s per case and round). Ratios are Hydra / ato, of",
        "medians. Hydra's `initialize_config_dir` is shown separately: an application pays it once,",
        "a program that composes once pays it on the call.", "",
        date_line(),
        f"- Python: {platform.python_implementation()} {platform.python_version()} "
        "(both venvs from the same base interpreter)",
        machine_line(),
        f"- Versions: ato {ato.env.versions.get('ato', '?')}{git_rev()}, hydra-core "
        f"{hydra.env.versions.get('hydra-core', 'not installed')} "
        f"(omegaconf {hydra.env.versions.get('omegaconf', '?')})",
        "- Reproduce: `pip install -e .` then "
        f"`{reproduce_command('bench_compose.py', argv, '--setup', '--write')}`",
        "",
    ]
    if not timed:
        why = "; ".join(f"{s.key}: {s.problem or 'not timed'}" for s in (ato, hydra) if not s.times)
        lines.append(f"**Verdict:** NOT MEASURED ({why}).")
        return "\n".join(lines) + "\n", None
    lines += [
        "| Composition | Same result as Hydra | ato min | ato median | Hydra min | Hydra median "
        "| Hydra / ato | Hydra + init median | (Hydra + init) / ato |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    ratios, init_ratios = [], []
    for key in keys:
        a, h = ato.times[key], hydra.times[key]
        ratio = statistics.median(h) / statistics.median(a)
        ratios.append(ratio)
        match = "yes" if same(ato.results.get(key), hydra.results.get(key)) else "**NO**"
        if init.times:
            i = statistics.median(init.times[key])
            init_ratios.append(i / statistics.median(a))
            init_cells = f"{_ms(i)} | {init_ratios[-1]:,.0f}x"
        else:
            init_cells = f"{init.problem or 'not timed'} | "
        lines.append(
            f"| {labels[key]} | {match} | {_ms(min(a))} | {_ms(statistics.median(a))} | {_ms(min(h))} "
            f"| {_ms(statistics.median(h))} | {ratio:,.0f}x | {init_cells} |"
        )
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    worst = min(ratios)
    all_same = all(same(ato.results.get(k), hydra.results.get(k)) for k in keys)
    met = worst >= TARGET and all_same
    outcome = "the same result as Hydra in every case" if all_same else "DIFFERENT results"
    with_init = ""
    if init_ratios:
        init_geo = math.exp(sum(math.log(r) for r in init_ratios) / len(init_ratios))
        with_init = f"; {init_geo:,.0f}x when Hydra also initializes per call"
    lines += [
        "",
        f"**Verdict:** target \"at least {TARGET:g}x faster than `hydra.compose`\" "
        f"{'MET' if met else 'NOT MET'}: ato composes these trees {geo:,.0f}x faster than an "
        f"initialized `hydra.compose` (geometric mean of the per-case ratios of medians; slowest "
        f"case {worst:,.0f}x), with {outcome}{with_init}. "
        f"The project's aim of {AIM:g}x is {'met' if worst >= AIM else 'not yet met'}.",
    ]
    return "\n".join(lines) + "\n", geo


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {SECTION!r} in RESULTS.md")
    parser.add_argument("--setup", action="store_true", help="create benchmarks/.venvs/hydra if missing")
    parser.add_argument("--repeat", type=int, default=7, help="timed rounds per side (7)")
    parser.add_argument("--seconds", type=float, default=0.2, help="loop length per case and round (0.2)")
    parser.add_argument("--python", type=Path, default=Path(sys.executable),
                        help="interpreter with this ato (default: the one running this script)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.seconds <= 0:
        parser.error("--repeat must be at least 1 and --seconds positive")
    verbose = not args.quiet

    all_envs = _make_envs(args.python)
    envs = {k: all_envs[k] for k in ("main", "hydra")}
    prepare_envs(envs, args.setup, verbose)
    sides = {
        "ato": Side("ato", envs["main"]),
        "hydra": Side("hydra", envs["hydra"]),
        "hydra-init": Side("hydra-init", envs["hydra"]),
    }
    keys = [label for label, *_ in CASES]
    labels = {label: f"`{label}`" for label in keys}
    if envs["hydra"].ready and envs["main"].ready:
        base = configs_dir(envs["hydra"])
        cases = [
            {"key": label, "root": str(base / sub), "name": name, "select": select,
             "hydra_overrides": overrides}
            for label, sub, name, select, overrides in CASES
        ]
        for side in sides.values():
            start(side, cases)
        measure(list(sides.values()), keys, args.repeat, args.seconds, verbose)
    else:
        for side in sides.values():
            side.problem = side.env.problem or "venv not ready"

    kept = [a for a in argv if a not in {"--write", "-q", "--quiet", "--setup"}]
    text, _ = section(sides, keys, labels, kept, args.repeat, args.seconds)
    print(text)
    if args.write:
        write_results(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
