"""From ``sys.argv`` to the decorated function: routing, the command words, exit status 2."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ato.adict import ADict
from ato.errors import ConfigError, Problem, suggest
from ato.scope._text import render_error, render_explain, render_manual

if TYPE_CHECKING:
    from ato.cli import Assignment, Command
    from ato.scope._argparse import Captured
    from ato.scope._build import Assign
    from ato.scope._plan import Plan
    from ato.scope._scope import Scope

__all__ = ["Route", "decorate", "fail", "manual_for", "prepare_search", "route"]

_WORDS = ("manual", "explain", "print")


class Route:
    """The part of a command line that concerns one scope."""

    __slots__ = ("assignments", "explain_keys", "external", "selections")

    def __init__(self) -> None:
        self.selections: list[tuple[str, str]] = []
        self.assignments: list[Assignment] = []
        self.explain_keys: list[str] = []
        self.external: Captured | None = None


def route(command: Command, scopes: Sequence[Scope[Any]]) -> tuple[dict[str, Route], list[Problem]]:
    """Split a parsed command line by scope. With one scope, keys are relative to it."""
    routes = {scope.name: Route() for scope in scopes}
    by_name = {scope.name: scope for scope in scopes}
    problems: list[Problem] = []
    multi = len(scopes) > 1

    def owner(key: str, source: str) -> tuple[Scope[Any], str] | None:
        if not multi:
            return scopes[0], key
        head, _, rest = key.partition(".")
        if head in by_name and rest:
            return by_name[head], rest
        problems.append(Problem(
            key=key, expected="a key starting with a scope name (" + ", ".join(
                f"{n}." for n in by_name) + ")", source=source, suggestion=suggest(head, by_name)))
        return None

    for item in command.assignments:
        found = owner(item.key, f"CLI token {item.token!r}")
        if found is not None:
            scope, key = found
            routes[scope.name].assignments.append(item._replace(key=key))

    every_view = [name for scope in scopes for name in scope.views]
    for name in command.selections:
        source = f"CLI token {name!r}"
        head, _, rest = name.partition(".")
        if multi and head in by_name and rest:
            targets = [(by_name[head], rest)]
        else:
            targets = [(scope, name) for scope in scopes if name in scope.views]
        if not targets:
            problems.append(Problem(key=name, expected="the name of a view or a command word",
                                    source=source, suggestion=suggest(name, [*every_view, *_WORDS])))
        for scope, view in targets:
            routes[scope.name].selections.append((view, source))

    for key in command.explain_keys:
        found = owner(key, f"explain {key!r}")
        if found is not None:
            routes[found[0].name].explain_keys.append(found[1])
    return routes, problems


def _program() -> str:
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "python"


def fail(err: ConfigError) -> NoReturn:
    """Print the error paragraph on stderr and exit with status 2."""
    print(render_error(err, _program()), file=sys.stderr)
    raise SystemExit(2)



def _argv(scopes: Sequence[Scope[Any]]) -> tuple[list[str], Captured | None]:
    if any(scope.use_external_parser for scope in scopes):
        from ato.scope import _argparse

        # The command line is read now: argparse needs the bridge no longer.
        _argparse.uninstall()
        got = _argparse.captured()
        if got is not None:
            return list(got.argv), got
    return sys.argv[1:], None


def _command(scopes: Sequence[Scope[Any]]) -> tuple[Command, Captured | None]:
    """The program's command line, parsed; a malformed one exits 2."""
    from ato.cli import parse_argv

    argv, external = _argv(scopes)
    try:
        return parse_argv(argv), external
    except ConfigError as err:
        fail(err)


def _manual(scopes: Sequence[Scope[Any]]) -> str:
    sections = []
    multi = len(scopes) > 1
    for scope in scopes:
        order = scope.plan_all_steps()
        fields: list[tuple[str, str, str, str | None]] = []
        if scope.schema is not None:
            from ato.schema import describe_fields

            fields = [(d.path, d.type_str, d.default, d.description) for d in describe_fields(scope.schema)]
        sections.append(render_manual(
            scope.name, order, scope.manuals, fields,
            prefix=f"{scope.name}." if multi else "",
            schema_name=getattr(scope.schema, "__name__", None),
        ))
    return "\n".join([*sections, "-" * 50])


def manual_for(scopes: Sequence[Scope[Any]]) -> str:
    """ato's manual for ``scopes`` (the argparse bridge prints it after the parser's help)."""
    return _manual(scopes)


def run(scopes: Sequence[Scope[Any]]) -> dict[str, Any]:
    """Build every scope from the command line; handle manual/explain/print; exit 2 on errors."""
    command, external = _command(scopes)
    if command.mode == "manual":
        print(_manual(scopes))
        raise SystemExit(0)
    routes, problems = route(command, scopes)
    multi = len(scopes) > 1

    def scoped(found: Sequence[Problem], scope: Scope[Any]) -> list[Problem]:
        return [_prefixed(p, scope.name) for p in found] if multi else list(found)

    # Every command-line problem of every scope is found before any view runs.
    prepared = {}
    for scope in scopes:
        if scope.use_external_parser:
            routes[scope.name].external = external
        plan, checked, found = scope._prepare(routes[scope.name])
        prepared[scope.name] = (plan, checked)
        problems += scoped(found, scope)
    if problems:
        fail(ConfigError(problems=problems))
    values: dict[str, Any] = {}
    for scope in scopes:
        plan, checked = prepared[scope.name]
        try:
            values[scope.name] = scope._execute(plan, checked, routes[scope.name])
        except ConfigError as err:
            problems += scoped(err.problems, scope)
    if problems:
        fail(ConfigError(problems=problems))
    if command.mode == "explain":
        print(_explain(scopes, routes, values))
        raise SystemExit(0)
    if command.mode == "print":
        for scope in scopes:
            value = values[scope.name]
            shown = ADict(value.model_dump()) if scope.schema is not None else value
            if multi:
                print(f'[Scope "{scope.name}"]')
            print(shown.to_xyz().rstrip("\n"))
        raise SystemExit(0)
    return values


def _prefixed(problem: Problem, name: str) -> Problem:
    return problem._replace(key=f"{name}.{problem.key}") if problem.key else problem


def _explain(scopes: Sequence[Scope[Any]], routes: dict[str, Route], values: dict[str, Any]) -> str:
    blocks = []
    multi = len(scopes) > 1
    for scope in scopes:
        keys = routes[scope.name].explain_keys or sorted({w.key for w in scope._ledger.writes})
        final = ADict(values[scope.name].model_dump()) if scope.schema is not None else scope.config
        for key in keys:
            value = final.get_path(key, _MISSING)
            shown = f"{scope.name}.{key}" if multi else key
            blocks.append(render_explain(shown, scope.explain(key), value, value is not _MISSING))
    return "\n".join(blocks)


_MISSING = object()


def decorate(scopes: Sequence[Scope[Any]], func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``func`` so that each call builds the configs from ``sys.argv`` and injects them."""
    target = func
    while hasattr(target, "__wrapped__"):
        target = target.__wrapped__
    code = getattr(target, "__code__", None)
    params: tuple[str, ...] = ()
    takes_kwargs = False
    if code is not None:
        params = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
        takes_kwargs = bool(code.co_flags & 0x08)  # CO_VARKEYWORDS
    positional = code.co_argcount if code is not None else 0

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = run(scopes)
        if len(scopes) == 1 and scopes[0].name not in params:
            return func(values[scopes[0].name], *args, **kwargs)
        for scope in scopes:
            name = scope.name
            if name in kwargs or not (name in params or takes_kwargs):
                continue
            index = params.index(name) if name in params else -1
            if 0 <= index < positional and index <= len(args):
                args = (*args[:index], values[name], *args[index:])
            else:
                kwargs[name] = values[name]
        return func(*args, **kwargs)

    return wrapper


def prepare_search(scope: Scope[Any], summary: Callable[[], str]) -> tuple[Plan, list[Assign], Route]:
    """The command line of a search program, checked once, before any trial.

    ``manual`` prints the scope's manual followed by ``summary()`` and exits 0; ``explain``
    and ``print`` behave as for a plain ``@scope`` program; a bad token exits 2.
    """
    command, external = _command([scope])
    if command.mode == "manual":
        print(_manual([scope]))
        print(summary())
        raise SystemExit(0)
    if command.mode in ("explain", "print"):
        run([scope])  # exits
    routes, problems = route(command, [scope])
    found = routes[scope.name]
    found.external = external if scope.use_external_parser else None
    plan, checked, more = scope._prepare(found)
    if problems or more:
        fail(ConfigError(problems=problems + more))
    return plan, checked, found
