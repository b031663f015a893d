"""OpenMMLab config loading: 50 of mmdet's own configs, ato against mmengine (issue 5).

Three loaders, each in a process of its own, all started by this script:

* ``mmengine``: ``mmengine.Config.fromfile(path, import_custom_modules=False)``, in the venv
  ``benchmarks/.venvs/mmengine`` (``--setup`` makes it: ``pip install mmengine-lite==0.10.7
  packaging`` and ``pip install --no-deps mmdet==3.3.0``);
* ``ato``: ``ato.compose._mm.load_mm(path)`` (the merged tree and the source of every leaf);
* ``ato-adict``: ``ADict.from_mm_config(path)``, what a user calls;

the last two in the interpreter running this script (the project's venv, or ``--python``).

The configs are those shipped in the mmdet wheel (``mmdet/.mim/configs``, read from the
mmengine venv), without the ``_base_/`` fragments: sorted by path, every k-th first so that
the sample spreads over the model families, then the rest in order. Each process imports its
loader (timed once) and loads the first 70 candidates once (the warm-up, and the check);
the first 50 that every side loads are the sample, and mmengine's and ato's results are
compared on them (a SHA-1 of ``repr`` of each plain dict: same keys, order, types, values).
Then ``--rounds`` rounds (10) are timed: in each, every process loads the 50 configs once,
in order, the processes taking turns (the first one rotating each round) so that drift on the
machine hits all alike. Reported: per-config ms (a round's total over 50), min and median
over the rounds, and the ratio of medians (and of minima) to mmengine.

Run ``python benchmarks/bench_mm_load.py --setup`` to print a Markdown section; add ``--write``
to put it in ``benchmarks/RESULTS.md`` as ``## OpenMMLab config loading (issue 5)``.
Standard library only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _common import REPO, date_line, git_rev, machine_line, reproduce_command, write_results

SECTION = "## OpenMMLab config loading (issue 5)"
HERE = Path(__file__).resolve().parent
WORKER = HERE / "_mm_load_worker.py"
VENV = HERE / ".venvs" / "mmengine"
PIP_STEPS = (("mmengine-lite==0.10.7", "packaging"), ("--no-deps", "mmdet==3.3.0"))
N_CONFIGS = 50
N_CHECKED = 70
TARGET = 0.5  # issue 5: ato at least 2x faster than mmengine
AIM = 0.1  # DESIGN section 8: an order of magnitude faster
TIMEOUT = 600

_QUERY = (
    "import importlib.metadata as m, importlib.util as u, json, os, platform\n"
    "v = {}\n"
    "for d in ('mmengine-lite', 'mmengine', 'mmdet', 'ato'):\n"
    "    try:\n"
    "        v[d] = m.version(d)\n"
    "    except m.PackageNotFoundError:\n"
    "        pass\n"
    "s = u.find_spec('mmdet')\n"
    "c = os.path.join(os.path.dirname(s.origin), '.mim', 'configs') if s and s.origin else ''\n"
    "print(json.dumps({'python': platform.python_version(), 'versions': v, 'configs': c}))\n"
)


@dataclass
class Side:
    key: str
    label: str
    python: Path
    process: subprocess.Popen[str] | None = None
    import_ms: float = 0.0
    digests: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    round_ms: list[float] = field(default_factory=list)  # per-config ms, one per round

    def start(self) -> None:
        self.process = subprocess.Popen(
            [str(self.python), str(WORKER), self.key],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=HERE,
        )

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process is not None
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the {self.key} worker died (exit status {self.process.wait()})")
        return json.loads(line)  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.process is not None:
            with contextlib.suppress(RuntimeError, BrokenPipeError, ValueError):
                self.ask({"cmd": "quit"})
            self.process.wait(timeout=TIMEOUT)

    @property
    def minimum(self) -> float:
        return min(self.round_ms)

    @property
    def median(self) -> float:
        return statistics.median(self.round_ms)


def _query(python: Path) -> dict[str, Any]:
    proc = subprocess.run([str(python), "-c", _QUERY], capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def setup_venv(verbose: bool) -> None:
    python = VENV / "bin" / "python"
    base = getattr(sys, "_base_executable", "") or sys.executable
    if not python.exists():
        if verbose:
            print(f"making {VENV.relative_to(REPO)}", file=sys.stderr)
        subprocess.run([base, "-m", "venv", str(VENV)], check=True)
    for step in PIP_STEPS:
        if verbose:
            print(f"pip install {' '.join(step)}", file=sys.stderr)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *step], check=True)


def candidates(configs: Path) -> list[str]:
    """The experiment configs, every k-th first, then the rest, all by sorted path."""
    found = sorted(p for p in configs.rglob("*.py") if "_base_" not in p.relative_to(configs).parts)
    step = max(1, len(found) // N_CONFIGS)
    first = found[::step]
    chosen = set(first)
    return [str(p) for p in first + [p for p in found if p not in chosen]]


def measure(sides: list[Side], files: list[str], rounds: int, warmup: int, verbose: bool) -> list[str]:
    """Check, choose the sample, warm up and time; return the sample."""
    for side in sides:
        side.start()
    checked = files[:N_CHECKED]
    for side in sides:
        answer = side.ask({"cmd": "check", "files": checked})
        side.import_ms, side.digests, side.errors = (
            answer["import_ms"], answer["digests"], answer["errors"])
        if verbose:
            print(f"  {side.key}: {len(side.digests)} of {len(checked)} load", file=sys.stderr)
    sample = [f for f in checked if all(f in s.digests for s in sides)][:N_CONFIGS]
    for _ in range(warmup):
        for side in sides:
            side.ask({"cmd": "round", "files": sample})
    for r in range(rounds):
        start = r % len(sides)
        for side in sides[start:] + sides[:start]:
            ns = side.ask({"cmd": "round", "files": sample})["ns"]
            side.round_ms.append(sum(ns) / len(ns) / 1e6)
        if verbose:
            print(f"  round {r + 1}/{rounds}: " + ", ".join(
                f"{s.key} {s.round_ms[-1]:.2f} ms" for s in sides), file=sys.stderr)
    for side in sides:
        side.stop()
    return sample


def section(sides: list[Side], sample: list[str], configs: Path, info: dict[str, dict[str, Any]],
            argv: list[str], rounds: int, warmup: int) -> tuple[str, dict[str, float]]:
    mm = sides[0]
    rows = [
        "| Loader | Call | Venv | import ms (once) | min ms/config | median ms/config "
        "| x mmengine (median) | x mmengine (min) |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    calls = {"mmengine": "`Config.fromfile(path, import_custom_modules=False)`",
             "ato": "`ato.compose._mm.load_mm(path)`", "ato-adict": "`ADict.from_mm_config(path)`"}
    ratios: dict[str, float] = {}
    for side in sides:
        ratios[side.key] = side.median / mm.median
        ratios[f"{side.key} (min)"] = side.minimum / mm.minimum
        venv = "`.venvs/mmengine`" if side.key == "mmengine" else "project venv"
        rows.append(
            f"| {side.label} | {calls[side.key]} | {venv} | {side.import_ms:,.0f} | "
            f"{side.minimum:.2f} | {side.median:.2f} | {ratios[side.key]:.3f}x | "
            f"{ratios[side.key + ' (min)']:.3f}x |"
        )
    same = sum(mm.digests[f] == sides[1].digests[f] for f in sample)
    adict = sum(mm.digests[f] == sides[2].digests[f] for f in sample)
    skipped = {f: e for s in sides for f, e in s.errors.items()}
    user = ratios["ato-adict"]
    met = user <= TARGET
    verdict = (
        f"**Verdict:** target \"ato at least 2x faster than mmengine\" {'MET' if met else 'NOT MET'}: "
        f"`ADict.from_mm_config` takes {user:.3f}x mmengine's median time per config "
        f"({1 / user:.1f}x faster; `load_mm` alone {1 / ratios['ato']:.1f}x); the project's aim of "
        f"an order of magnitude is {'met' if user <= AIM else 'not yet met'}."
    )
    v = info["mmengine"]["versions"]
    cmd = reproduce_command("bench_mm_load.py", argv, "--setup", "--write")
    rel = [str(Path(f).relative_to(configs)) for f in sample]
    lines = [
        SECTION,
        "",
        f"Loading {len(sample)} of the experiment configs shipped in the mmdet {v.get('mmdet', '?')} "
        "wheel (`mmdet/.mim/configs`,",
        "a fixed spread by sorted path, listed below), each loader in its own process looping over",
        f"them in-process. Per-config ms is a round's total over the {len(sample)} configs; min and "
        f"median over {rounds}",
        "rounds interleaved across the processes (the first rotating each round), after "
        f"{warmup} warm-up",
        "round(s) and one checking load of each config. Ratios are to mmengine in the same run. The",
        "import column times the import statement once (ato imports its loader modules lazily, on",
        "the first load; mmengine imports everything up front).",
        "",
        date_line(),
        f"- Python: CPython {info['main']['python']} (project venv), "
        f"{info['mmengine']['python']} (`.venvs/mmengine`)",
        machine_line(),
        f"- Versions: ato {info['main']['versions'].get('ato', '?')}{git_rev()}, mmengine-lite "
        f"{v.get('mmengine-lite', v.get('mmengine', '?'))}, mmdet {v.get('mmdet', '?')} (configs only, "
        "installed with `--no-deps`)",
        f"- Reproduce: `pip install -e .` then `{cmd}` (`--setup` makes `benchmarks/.venvs/mmengine`)",
        "",
        "\n".join(rows),
        "",
        verdict,
        "",
        f"Results: `load_mm` gives exactly mmengine's `to_dict()` on {same} of {len(sample)} configs, "
        f"`ADict.from_mm_config(...).to_dict()` on {adict} of {len(sample)} (SHA-1 of `repr`).",
    ]
    if skipped:
        lines.append(f"Left out of the sample because a loader failed on them: {len(skipped)} "
                     + "; ".join(f"`{Path(f).relative_to(configs)}` ({e[:80]})" for f, e in skipped.items()))
    lines += ["", "<details><summary>The configs</summary>", "", ", ".join(f"`{r}`" for r in rel),
              "", "</details>"]
    return "\n".join(lines) + "\n", ratios


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"update {SECTION!r} in RESULTS.md")
    parser.add_argument("--setup", action="store_true", help="make benchmarks/.venvs/mmengine if missing")
    parser.add_argument("--rounds", type=int, default=10, help="timed rounds (10)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first (1)")
    parser.add_argument("--python", type=Path, default=Path(sys.executable),
                        help="interpreter with this ato (default: the one running this script)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    verbose = not args.quiet
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    mm_python = VENV / "bin" / "python"
    info: dict[str, dict[str, Any]] = {}
    try:
        info["mmengine"] = _query(mm_python) if mm_python.exists() else {}
    except RuntimeError:
        info["mmengine"] = {}
    if args.setup and not (info["mmengine"].get("configs") and "mmdet" in info["mmengine"]["versions"]):
        setup_venv(verbose)
        info["mmengine"] = _query(mm_python)
    if not info["mmengine"].get("configs"):
        print(f"no mmengine venv with mmdet at {VENV}: run with --setup", file=sys.stderr)
        return 2
    info["main"] = _query(args.python)
    configs = Path(info["mmengine"]["configs"])
    sides = [Side("mmengine", "mmengine", mm_python),
             Side("ato", "ato, plain tree + sources", args.python),
             Side("ato-adict", "ato, ADict", args.python)]
    sample = measure(sides, candidates(configs), args.rounds, max(0, args.warmup), verbose)
    kept = [a for a in argv if a not in {"--write", "-q", "--quiet", "--setup"}]
    text, ratios = section(sides, sample, configs, info, kept, args.rounds, max(0, args.warmup))
    print(text)
    print("Exact ratios to mmengine: " + ", ".join(f"{k} = {r:.4f}" for k, r in ratios.items()))
    if args.write:
        write_results(SECTION, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
