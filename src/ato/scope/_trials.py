"""Building search trials' configs: the seam between a scope and ``ato.hyperopt``.

A trial's config is built exactly like a command-line run of the scope, with the trial's
parameters applied as if typed after the program's own tokens (lazy views still come
last), then validated by the schema. The program's command line is read and checked once,
when the builder is made, so a bad token exits 2 before any trial runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from ato.errors import ConfigError
from ato.scope._build import Assign

if TYPE_CHECKING:
    from ato.scope._cli import Route
    from ato.scope._plan import Plan
    from ato.scope._scope import Scope

__all__ = ["TrialBuilder"]

S = TypeVar("S")


class TrialBuilder(Generic[S]):
    """Builds the config of one trial after another for a scope (see ``Scope.trial_builder``)."""

    def __init__(self, scope: Scope[S], plan: Plan, checked: list[Assign], route: Route) -> None:
        self.scope = scope
        self._plan = plan
        self._checked = checked
        self._route = route

    def build(self, params: Mapping[str, Any]) -> S:
        """Build and validate the config for these dotted-key values; returns what the
        objective receives (the model, or the ADict). ``scope.config`` holds the ADict.

        Raises:
            ConfigError: the schema rejects the result, or a view rejects the values.
        """
        extra = [Assign(name, value, f"search space {name!r}") for name, value in params.items()]
        value: S = self.scope._execute(self._plan, [*self._checked, *extra], self._route)
        return value

    def check_program(self, params: Mapping[str, Any]) -> None:
        """Build once with ``params`` and exit 2 on a problem that is the program's own.

        Problems about the searched keys (or the model as a whole) belong to trials, and a
        view that fails for these particular values fails that trial only; anything else
        (a view writing an unknown key, a wrong type from the command line) cannot get
        better in any trial, so it ends the program before the search starts.
        """
        from ato.scope._cli import fail

        try:
            self.build(params)
        except ConfigError as err:
            own = [p for p in err.problems if p.key and not _under(p.key, params)]
            if own:
                fail(ConfigError(problems=own))
        except Exception:  # noqa: S110 - a view failing for these values fails that trial only
            pass


def _under(key: str, names: Iterable[str]) -> bool:
    return any(key == name or key.startswith(name + ".") or name.startswith(key + ".") for name in names)
