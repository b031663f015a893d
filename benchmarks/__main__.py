"""``python -m benchmarks [NAME ...]``: run the benchmarks and rewrite their sections of RESULTS.md.

With no NAME every benchmark runs, in the order of RESULTS.md. Each section is written as soon
as its benchmark finishes, so an interrupted run keeps what it finished.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from benchmarks.harness import RESULTS, ChildError, Context, write_section

# name -> "module:function"; the function takes a Context and returns its Markdown section.
BENCHMARKS = {
    "attribute-read": "benchmarks.attribute_read:run",
    "startup": "benchmarks.startup:run",
    "mm-load": "benchmarks.mm_load:run",
    "compose": "benchmarks.compose:run",
    "tracker-logging": "benchmarks.tracker:run_logging",
    "tracker-queries": "benchmarks.tracker:run_queries",
    "search-quality": "benchmarks.search_quality.study:run",
    "search-overhead": "benchmarks.search_overhead:run",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--quick", action="store_true",
                        help="fewer rounds and smaller sizes, to try the code; implies --dry-run")
    parser.add_argument("--dry-run", action="store_true", help="print the sections, leave RESULTS.md alone")
    parser.add_argument("--no-setup", action="store_true", help="never make a missing peer venv")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    ctx = Context(quick=args.quick, setup=not args.no_setup, verbose=not args.quiet)
    failed = []
    for name in args.names or BENCHMARKS:
        module, func = BENCHMARKS[name].split(":")
        ctx.log(f"{name}: started")
        start = time.perf_counter()
        try:
            text = getattr(importlib.import_module(module), func)(ctx)
        except ChildError as exc:
            print(f"{name}: not run: {exc}", file=sys.stderr)
            failed.append(name)
            continue
        ctx.log(f"{name}: done in {time.perf_counter() - start:,.0f} s")
        if args.quick or args.dry_run:
            print(text)
        else:
            write_section(text)
            ctx.log(f"{name}: wrote {text.splitlines()[0]!r} to {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
