"""Whole-process start-up of a hello-world training entry point with one override (issue 4).

Every program in ``startup_programs/`` declares the same config (five fields, one of them a nested
``optim.lr``), takes one command-line override of ``optim.lr`` to 0.01 and prints it once. Each
is first run once to check that it prints 0.01 (one that fails is reported as not runnable),
then twice as warm-up (which also writes its bytecode caches, as on a user's machine), then
timed as a whole process, ``subprocess.run`` from a temporary directory with its output
discarded, in interleaved rounds. Children get no ``PYTHON*`` variable but the ``PYTHONPATH``
that points the project venv at this checkout (``harness.Env.environ``).

Also checked: what ``python -X importtime -c "import ato.scope"`` imports (DESIGN section 2
allows none of SQLAlchemy, NumPy, PyYAML, toml, torch, pydantic).

Not pyperf: ``pyperf command`` times one program's runs back to back, while here seven
programs in three venvs take turns run by run, and each run's output is checked.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.harness import BENCH, ChildError, Context, Side, ato_version, interleave, meta, table, why

TARGET_VS_PYDANTIC, TARGET_VS_HYDRA = 1.2, 0.5  # issue 4
AIM_VS_PYDANTIC, AIM_VS_HYDRA = 1.05, 1 / 3  # DESIGN section 8
HEAVY = ("sqlalchemy", "numpy", "yaml", "toml", "torch", "pydantic")
HYDRA_QUIET = ("hydra.run.dir=.", "hydra.output_subdir=null", "hydra/job_logging=disabled",
               "hydra/hydra_logging=disabled")
PROGRAMS = [  # key, label, file, env, arguments
    ("bare", "bare Python (floor)", "bare.py", "main", ()),
    ("pydantic", "pydantic + argparse", "pydantic_argparse.py", "main", ("--optim.lr", "0.01")),
    ("floor", "pydantic alone (floor of a typed program)", "pydantic_floor.py", "main", ("optim.lr=0.01",)),
    ("hydra", "Hydra, structured config", "hydra_structured.py", "hydra", ("optim.lr=0.01", *HYDRA_QUIET)),
    ("ato2", "ato 2.2.1, untyped", "untyped.py", "ato2", ("optim.lr=0.01",)),
    ("ato_typed", "ato, typed (schema)", "ato_typed.py", "main", ("optim.lr=0.01",)),
    ("ato_untyped", "ato, untyped", "untyped.py", "main", ("optim.lr=0.01",)),
]


def _command(ctx: Context, side: Side) -> list[str]:
    file, args = side.arg
    return [str(ctx.env(side.env).python), str(BENCH / "startup_programs" / file), *args]


def _import_check(ctx: Context) -> str:
    env = ctx.env("main")
    proc = subprocess.run([str(env.python), "-X", "importtime", "-c", "import ato.scope"],
                          cwd=tempfile.gettempdir(), env=env.environ(worker=False), capture_output=True,
                          text=True, check=False)
    tops, ato_ms = set(), 0.0
    for m in re.finditer(r"^import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)$", proc.stderr, re.MULTILINE):
        tops.add(m[3].split(".")[0])
        if m[2] == " " and m[3].split(".")[0] == "ato":  # top-level ato modules, cumulative
            ato_ms += int(m[1]) / 1000
    heavy = ", ".join(h for h in HEAVY if h in tops) or "none"
    if proc.returncode:
        return (f'- `python -X importtime -c "import ato.scope"` (project venv): fails '
                f"(`{why(proc.stderr, proc.returncode)}`); it had imported: {heavy}.")
    return (f'- `python -X importtime -c "import ato.scope"` (project venv): the ato modules take '
            f"{ato_ms:,.1f} ms cumulative (as `-X importtime` reports them, which inflates); of "
            f"{', '.join(HEAVY)} it imports: **{heavy}** (expected: none).")


def run(ctx: Context) -> str:
    runs, warmup = (5, 1) if ctx.quick else (30, 2)
    sides = [Side(k, label, env, (file, args)) for k, label, file, env, args in PROGRAMS]
    with tempfile.TemporaryDirectory(prefix="ato-startup-") as cwd:
        def once(side: Side) -> float:
            start = time.perf_counter_ns()
            proc = subprocess.run(_command(ctx, side), cwd=cwd, env=ctx.env(side.env).environ(worker=False),
                                  capture_output=True, text=True, check=False)
            ms = (time.perf_counter_ns() - start) / 1e6
            if proc.returncode:
                raise ChildError(why(proc.stderr, proc.returncode))
            if proc.stdout.split() != ["0.01"]:
                raise ChildError(f"printed {proc.stdout.strip()!r}, not 0.01")
            return ms

        for side in sides:  # the first run checks the output; the others warm up
            side.problem = ctx.env(side.env).problem
            try:
                for _ in range(0 if side.problem else 1 + warmup):
                    once(side)
            except ChildError as exc:
                side.problem = f"not runnable: {exc}"
        interleave(sides, runs, once, ctx)
        leftovers = sorted(str(p.relative_to(cwd)) for p in Path(cwd).rglob("*"))

    by = {s.key: s for s in sides if s.ok}
    med = {k: statistics.median(s.runs) for k, s in by.items()}
    rows = []
    for s in sides:
        shown = " ".join(s.arg[1]) if s.key != "hydra" else "optim.lr=0.01 (+ no-output flags)"
        cmd = f"startup_programs/{s.arg[0]} {shown}".strip()
        cells = [s.label, f"`{cmd}`", ctx.env(s.env).label]
        if s.ok:
            cells += ["yes", f"{min(s.runs):,.1f}", f"{med[s.key]:,.1f}",
                      *(f"{med[s.key] / med[b]:.2f}x" if b in med else "n/a" for b in ("pydantic", "hydra"))]
        rows.append(cells if s.ok else [*cells, s.problem])

    def ratio(a: str, b: str) -> float:
        return med[a] / med[b] if a in med and b in med else float("nan")

    vp, vh = ratio("ato_typed", "pydantic"), ratio("ato_typed", "hydra")
    met = vp <= TARGET_VS_PYDANTIC and vh < TARGET_VS_HYDRA
    aim = vp <= AIM_VS_PYDANTIC and vh <= AIM_VS_HYDRA
    untyped = ratio("ato_untyped", "ato2")
    hydra = ctx.env("hydra")
    lines = [
        "## Start-up (issue 4)",
        "",
        "A hello-world training entry point (five config fields, one of them a nested `optim` with",
        "`lr`; one command-line override of `optim.lr` to 0.01; prints it once), timed as a whole",
        f"process: wall-clock ms per run, min and median over {runs} runs interleaved round-robin",
        f"across the programs after {warmup} warm-up runs each, from a temporary working directory.",
        f"Ratios are of medians, in the same run. Hydra also gets `{' '.join(HYDRA_QUIET)}`",
        "so that it writes no output directory and no log file.",
        "",
        *meta("startup", ctx, ["main", "hydra", "ato2"],
              f"{ato_version(ctx)}, pydantic {ctx.env('main').v('pydantic')}, hydra-core "
              f"{hydra.v('hydra-core')} (omegaconf {hydra.v('omegaconf')}), ato {ctx.env('ato2').v('ato')} "
              "(the original library)"),
        "",
        table(["Program", "Command line", "Venv", "Prints 0.01", "min ms", "median ms",
               "x pydantic + argparse", "x Hydra"], rows, "llllrrrr"),
        "",
        f'**Verdict:** target "ato typed at most {TARGET_VS_PYDANTIC:g}x pydantic + argparse, and under half '
        f"of Hydra\" {'MET' if met else 'NOT MET'}: typed ato's median is {vp:.2f}x pydantic + argparse and "
        f"{vh:.2f}x Hydra (the project's aim of {AIM_VS_PYDANTIC:g}x and a third of Hydra "
        f"{'met' if aim else 'not yet met'}). Pydantic alone (the same models, no CLI code) takes "
        f"{ratio('floor', 'hydra'):.2f}x Hydra's median here, so no pydantic-typed program can be under "
        f"half of Hydra on this machine; typed ato adds {ratio('ato_typed', 'floor'):.2f}x over that floor.",
        "",
        f'**Aim:** longer aim "untyped ato starts faster than ato 2.2.1" '
        f"{'MET' if untyped < 1 else 'NOT YET MET'}: untyped ato's median is {untyped:.2f}x ato 2.2.1's.",
        "",
        "Imports of the new package (DESIGN section 2: `import ato.scope` must not import SQLAlchemy,",
        "NumPy, torch, YAML or toml, nor pydantic until a schema is given):",
        "",
        _import_check(ctx),
    ]
    if leftovers:
        lines += ["", f"Note: the programs left files in the working directory: {', '.join(leftovers)}."]
    return "\n".join(lines) + "\n"
