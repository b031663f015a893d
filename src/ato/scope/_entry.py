"""The type of what ``@scope`` returns: the user's function, built from a command line.

Calling it builds the config from ``sys.argv`` (exit status 2 on a bad token), as a
program's entry point should. ``with_argv(tokens)`` builds from an explicit list instead
and never reads ``sys.argv``: pytest, a notebook kernel or another program has an argv of
its own that means nothing to the scope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import ParamSpec, Protocol, TypeVar

__all__ = ["Entry"]

P = ParamSpec("P")
R_co = TypeVar("R_co", covariant=True)


class Entry(Protocol[P, R_co]):
    """A function decorated by a Scope or MultiScope."""

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R_co:
        """Build the config from ``sys.argv`` and call the function with it."""
        ...

    def with_argv(self, argv: Sequence[str]) -> Callable[P, R_co]:
        """The function, building its config from ``argv`` (``['big', 'optim.lr=0.1']``).

        Command words work as on the command line; a problem raises ConfigError instead
        of exiting with status 2.
        """
        ...
