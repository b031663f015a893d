"""What ``manual`` (``-h``, ``--help``) prints: the order a run applies, then the manual.

Contract:

1. The order is the run's own. The command line is routed and planned exactly as a run
   routes and plans it (``route`` then ``make_plan``), and the labels come from the same
   ``Scope._steps`` that fills ``scope.steps`` after a build, so ``train.py manual long_run``
   prints the list that ``train.py long_run`` records, per scope. Assignments cannot
   change the order and are ignored (a bad value does not hide the manual); an unknown
   view name is the same error, exit 2, as in a run.
2. Views this selection does not run are listed apart, in registration order, on one
   line (``other views, selected by name: ...``) with what decides where they would go
   (priority, lazy, ``chain_with``).
3. Then each scope's ``@scope.manual`` texts and, with a schema, its docstring and every
   field (``ato.schema.schema_help``: choices, constraints, default, description).
4. A program with a schema starts with a usage line. One without a schema prints the
   ato 2.x manual block for block, as that version did: its text is pinned by the
   original documentation (tests/test_scope_spec.py), and such a program has no typed
   keys for a usage line to speak of.

The argparse bridge prints the manual from inside ``parse_args``, before ato has the
leftover tokens; there the view names are the tokens of ``sys.argv`` that name a view.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ato.errors import ConfigError, Problem
from ato.scope._plan import make_plan
from ato.scope._text import RULE, render_manual, render_schema

if TYPE_CHECKING:
    from ato.cli import Command
    from ato.scope._argparse import Captured
    from ato.scope._cli import Route
    from ato.scope._scope import Scope
    from ato.scope._views import View

__all__ = ["bridge_manual", "manual", "usage"]


def usage(program: str, scopes: Sequence[Scope[Any]]) -> str:
    """The usage lines: the run's grammar, then the completion option."""
    key = "SCOPE.KEY=VALUE" if len(scopes) > 1 else "KEY=VALUE"
    pad = " " * len("usage: ")
    return (
        f"usage: {program} [--config FILE ...] [VIEW ...] [{key} ...] [manual | explain [KEY ...] | print]\n"
        f"{pad}{program} --completion {{bash,zsh}}"
    )


def manual(
    scopes: Sequence[Scope[Any]], command: Command, external: Captured | None, program: str
) -> str:
    """The manual for ``command``'s view selection (the assignments are not looked at).

    Raises:
        ConfigError: an unknown view name, or a ``chain_with`` that names none or loops.
    """
    from ato.scope._cli import route

    routes, problems = route(command._replace(assignments=(), explain_keys=()), scopes)
    for scope in scopes:
        if scope.use_external_parser:
            routes[scope.name].external = external
    return _render(scopes, routes, problems, program)


def bridge_manual(scopes: Sequence[Scope[Any]], program: str) -> str:
    """The manual printed by the argparse bridge (its parser has taken its options)."""
    from ato.cli import Command
    from ato.scope._argparse import Captured
    from ato.scope._cli import route

    names = {name for scope in scopes for name in scope.views}
    names |= {f"{scope.name}.{name}" for scope in scopes for name in scope.views}
    picked = tuple(token for token in sys.argv[1:] if token in names)
    routes, problems = route(Command(picked, ()), scopes)
    for scope in scopes:
        routes[scope.name].external = Captured({}, {}, ())
    return _render(scopes, routes, problems, program)


def _render(
    scopes: Sequence[Scope[Any]], routes: dict[str, Route], problems: list[Problem], program: str
) -> str:
    multi = len(scopes) > 1
    sections = []
    for scope in scopes:
        plan, found = make_plan(scope.views, routes[scope.name].selections)
        problems += [p._replace(key=f"{scope.name}.{p.key}") if multi and p.key else p for p in found]
        running = {view.name for view in (*plan.views, *plan.lazy_views)}
        others = [_describe(view) for view in scope.views.values() if view.name not in running]
        prefix = f"{scope.name}." if multi else ""
        schema_text = None
        if scope.schema is not None:
            from ato.schema import schema_help

            helped = schema_help(scope.schema)
            schema_text = render_schema(scope.schema.__name__, helped.doc, helped.rows, prefix=prefix)
        sections.append(render_manual(
            scope.name, scope._steps(plan, routes[scope.name]), scope.manuals,
            others=others, prefix=prefix, schema=schema_text,
        ))
    if problems:
        raise ConfigError(problems=problems)
    head = [usage(program, scopes), ""] if any(s.schema is not None for s in scopes) else []
    return "\n".join([*head, *sections, RULE])


def _describe(view: View) -> str:
    """A view not in this run, with what would place it: ``warm (lazy, priority 2)``."""
    notes = ["lazy"] if view.lazy else []
    if view.priority:
        notes.append(f"priority {view.priority}")
    if view.chain_with:
        notes.append("after " + ", ".join(view.chain_with))
    return f"{view.name} ({', '.join(notes)})" if notes else view.name
