"""The bridge to a program's own argparse parser (``Scope(use_external_parser=True)``).

The program calls ``parser.parse_args()`` as usual. While a scope asks for the bridge,
``ArgumentParser.parse_args`` parses the options it knows and leaves the rest (view names
and ``key=value`` tokens) to ato; the parser's defaults and the values given on the command
line join the config. ``manual``/``-h`` print the parser's help and then ato's manual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any, NamedTuple

__all__ = ["Captured", "captured", "install"]


class Captured(NamedTuple):
    """What the program's parser took, and what it left for ato."""

    defaults: dict[str, Any]
    given: dict[str, Any]
    argv: tuple[str, ...]


_original = argparse.ArgumentParser.parse_args
_captured: list[Captured] = []


def captured() -> Captured | None:
    """The last capture, if the program's parser has run."""
    return _captured[-1] if _captured else None


def _parse_args(
    self: argparse.ArgumentParser,
    args: Sequence[str] | None = None,
    namespace: argparse.Namespace | None = None,
) -> argparse.Namespace:
    argv = list(sys.argv[1:] if args is None else args)
    if any(token in ("-h", "--help", "manual") for token in argv):
        self.print_help()
        from ato.scope._cli import manual_for_external

        print(manual_for_external())
        raise SystemExit(0)
    known, rest = self.parse_known_args(argv, namespace)
    stray = [token for token in rest if token.startswith("-")]
    if stray:
        self.error("unrecognized arguments: " + " ".join(stray))
    defaults = {
        action.dest: action.default
        for action in self._actions
        if action.dest not in ("help", argparse.SUPPRESS) and action.default is not argparse.SUPPRESS
    }
    values = vars(known)
    given = {key: value for key, value in values.items() if key not in defaults or value != defaults[key]}
    _captured.append(Captured(defaults, given, tuple(rest)))
    return known


def install() -> None:
    """Route ``ArgumentParser.parse_args`` through the bridge (once per process)."""
    if argparse.ArgumentParser.parse_args is not _parse_args:
        argparse.ArgumentParser.parse_args = _parse_args  # type: ignore[assignment,method-assign]
