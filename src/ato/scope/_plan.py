"""The apply plan: which views run, in which order, decided before any of them runs.

Views run in a stable order by priority. The tie-break is the order in which they were
selected: default views in registration order, then the command line's names in the order
typed, each preceded by its ``chain_with`` prerequisites. Prerequisites always come before
their dependents, even when that overrides priority.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ato.errors import Problem, suggest
from ato.scope._views import View

__all__ = ["Plan", "make_plan"]


class Plan:
    """The views of one run: the non-lazy ones, then (after the CLI) the lazy ones."""

    def __init__(self, views: list[View], lazy_views: list[View]) -> None:
        self.views = views
        self.lazy_views = lazy_views

    def steps(self, *, schema: bool, external: bool = False) -> list[str]:
        """The applying order as labels, e.g. ``['(schema defaults)', 'a', '(CLI Inputs)']``."""
        head = ["(schema defaults)"] if schema else []
        if external:
            head.append("(argparse defaults)")
        return [*head, *(v.name for v in self.views), "(CLI Inputs)", *(v.name for v in self.lazy_views)]


def make_plan(
    views: Mapping[str, View], selections: Iterable[tuple[str, str]]
) -> tuple[Plan, list[Problem]]:
    """Order the default views plus ``selections`` (``(name, source)`` pairs).

    Returns the plan and the problems found (unknown names, with a did-you-mean).
    """
    problems: list[Problem] = []
    chosen: list[View] = []
    seen: set[str] = set()

    def select(name: str, source: str, trail: tuple[str, ...]) -> None:
        view = views.get(name)
        if view is None:
            problems.append(
                Problem(
                    key=name,
                    expected="the name of a view",
                    source=source,
                    detail=None,
                    suggestion=suggest(name, views),
                )
            )
            return
        if name in seen:
            return
        if name in trail:
            problems.append(Problem(key=name, detail="chain_with forms a cycle: " + " -> ".join(
                (*trail, name)), source=view.location))
            return
        for prerequisite in view.chain_with:
            select(prerequisite, f"chain_with of {view.label}", (*trail, name))
        seen.add(name)
        chosen.append(view)

    for view in views.values():
        if view.default:
            select(view.name, view.location, ())
    for name, source in selections:
        select(name, source, ())

    order = {view.name: i for i, view in enumerate(chosen)}
    return Plan(_sorted(chosen, views, order, lazy=False), _sorted(chosen, views, order, lazy=True)), problems


def _sorted(
    chosen: list[View], views: Mapping[str, View], order: dict[str, int], *, lazy: bool
) -> list[View]:
    """Stable priority order that never puts a prerequisite after its dependent."""
    pending = [v for v in chosen if v.lazy is lazy]
    names = {v.name for v in pending}
    done: set[str] = set()
    result: list[View] = []
    while pending:
        ready = [
            v for v in pending
            if all(p in done or p not in names for p in v.chain_with)
        ]
        # A cycle was already reported by make_plan; fall back to everything still pending.
        pick = min(ready or pending, key=lambda v: (v.priority, order[v.name]))
        pending.remove(pick)
        done.add(pick.name)
        result.append(pick)
    return result
