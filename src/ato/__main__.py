"""The ``ato`` command: ``ato runs list|show|best|compare`` over a tracker database.

The parser lives here and imports nothing heavy, so ``ato --help`` starts at once; the
commands themselves (``ato.tracker._commands``) load SQLAlchemy when they run.
Exit status: 0 on success, 2 with a one-line message on stderr for anything wrong with
the input (usage, database URL, missing database file, unknown run, project or metric).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["DEFAULT_DB_URL", "build_parser", "main"]

DEFAULT_DB_URL = "sqlite:///experiments.db"
DB_ENV = "ATO_DB_URL"


def build_parser() -> argparse.ArgumentParser:
    """The ``ato`` argument parser."""
    parser = argparse.ArgumentParser(
        prog="ato", description="Query the runs that ato's tracker recorded."
    )
    commands = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
    runs = commands.add_parser("runs", help="list, show, compare runs and find the best one")
    actions = runs.add_subparsers(dest="action", metavar="ACTION", required=True)

    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--db", metavar="URL", default=None,
        help=f"SQLAlchemy database URL (default: ${DB_ENV}, else {DEFAULT_DB_URL})",
    )

    listing = actions.add_parser("list", parents=[database], help="one line per run")
    listing.add_argument("--project", metavar="NAME", help="only this project's runs")

    show = actions.add_parser("show", parents=[database], help="a run's config, metrics, files")
    show.add_argument("run_id", metavar="RUN_ID", type=int)

    best = actions.add_parser("best", parents=[database], help="the run with the best metric value")
    best.add_argument("--project", metavar="NAME", required=True, help="the project to search")
    best.add_argument("--metric", metavar="KEY", required=True, help="a logged metric, e.g. val_accuracy")
    best.add_argument("--mode", choices=("max", "min"), default="max",
                      help="max (default) or min, e.g. for a loss")

    compare = actions.add_parser(
        "compare", parents=[database], help="config differences and last metric values, side by side"
    )
    compare.add_argument("run_ids", metavar="RUN_ID", type=int, nargs="+", help="two or more run ids")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); returns the exit status."""
    import os

    args = build_parser().parse_args(argv)
    args.db = args.db or os.environ.get(DB_ENV) or DEFAULT_DB_URL
    from ato.tracker import run_command

    return run_command(args, sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
