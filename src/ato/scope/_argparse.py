"""The bridge to a program's own argparse parser (``Scope(use_external_parser=True)``).

The program calls ``parser.parse_args()`` as usual. From the moment a scope asks for the
bridge until that program's command line has been read, ``ArgumentParser.parse_args``
called on the process's own command line (``args`` left out) parses the options the parser
knows and leaves the rest (view names and ``key=value`` tokens) to ato; the parser's
defaults and the values given join the config. ``manual``/``-h`` print the parser's help
and then ato's manual.

The patch is process-wide while it lasts, so it is kept as short and as narrow as it can
be: a call that passes its own list (``parser.parse_args([])``, as libraries do) goes to
argparse untouched and is never captured, and :func:`uninstall` puts argparse back as
soon as a scope has read the command line. :func:`reset` also forgets the scopes and
captures (for tests and notebooks).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    from ato.scope._scope import Scope

__all__ = ["Captured", "captured", "install", "installed", "reset", "scopes", "uninstall"]


class Captured(NamedTuple):
    """What the program's parser took, and what it left for ato."""

    defaults: dict[str, Any]
    given: dict[str, Any]
    argv: tuple[str, ...]


_ATO_OPTIONS = ("--config", "--completion")
_original = argparse.ArgumentParser.parse_args
_captured: list[Captured] = []
_scopes: list[Scope[Any]] = []


def captured() -> Captured | None:
    """The last capture of the process's command line, if the program's parser has run."""
    return _captured[-1] if _captured else None


def scopes() -> list[Scope[Any]]:
    """The scopes that asked for the bridge, in creation order (their manual is printed)."""
    return list(_scopes)


def _parse_args(
    self: argparse.ArgumentParser,
    args: Sequence[str] | None = None,
    namespace: argparse.Namespace | None = None,
) -> argparse.Namespace:
    if args is not None:  # a parser given its own tokens is none of ato's business
        return _original(self, args, namespace)
    argv = sys.argv[1:]
    if any(token in ("-h", "--help", "manual") for token in argv):
        self.print_help()
        from ato.scope._cli import manual_for

        print(manual_for(_scopes))
        raise SystemExit(0)
    known, rest = self.parse_known_args(argv, namespace)
    # `--config FILE` and `--completion SHELL` are ato's own options: they go on to ato.
    stray = [token for token in rest if token.startswith("-") and token.split("=", 1)[0] not in _ATO_OPTIONS]
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


def installed() -> bool:
    """Whether ``ArgumentParser.parse_args`` is routed through the bridge right now."""
    return argparse.ArgumentParser.parse_args is _parse_args


def install(scope: Scope[Any]) -> None:
    """Register ``scope`` and route ``ArgumentParser.parse_args`` through the bridge."""
    _scopes.append(scope)
    if not installed():
        argparse.ArgumentParser.parse_args = _parse_args  # type: ignore[assignment,method-assign]


def uninstall() -> None:
    """Give argparse its own ``parse_args`` back (captures are kept for later builds)."""
    if installed():
        argparse.ArgumentParser.parse_args = _original  # type: ignore[method-assign]


def reset() -> None:
    """Uninstall, and forget every registered scope and capture."""
    uninstall()
    _captured.clear()
    _scopes.clear()
