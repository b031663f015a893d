"""From ``sys.argv`` to the decorated function: routing, the command words, exit status 2."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from ato.adict import ADict
from ato.errors import ConfigError, Problem, suggest
from ato.scope._ledger import DELETED, Write
from ato.scope._text import render_error, render_explain

if TYPE_CHECKING:
    from ato.cli import Assignment, Command
    from ato.scope._argparse import Captured
    from ato.scope._build import Assign
    from ato.scope._config_files import ConfigFile
    from ato.scope._plan import Plan
    from ato.scope._scope import Scope

__all__ = ["Route", "decorate", "fail", "manual_for", "prepare_search", "repeated_keys", "route"]

_WORDS = ("manual", "explain", "print")


class Route:
    """The part of a command line that concerns one scope."""

    __slots__ = ("assignments", "env", "explain_keys", "external", "files", "prefix", "selections")

    def __init__(self, prefix: str = "") -> None:
        self.selections: list[tuple[str, str]] = []
        self.assignments: list[Assignment] = []
        self.explain_keys: list[str] = []
        self.external: Captured | None = None
        self.files: list[ConfigFile] = []  # this scope's part of each --config file
        self.env: list[Assign] = []  # the environment, as checked by Scope._prepare
        self.prefix = prefix  # the scope's name on a command line shared with other scopes


def route(command: Command, scopes: Sequence[Scope[Any]]) -> tuple[dict[str, Route], list[Problem]]:
    """Split a parsed command line by scope. With one scope, keys are relative to it.

    The ``--config`` files are read here, once for all scopes, each scope getting its part.
    """
    multi = len(scopes) > 1
    routes = {scope.name: Route(scope.name if multi else "") for scope in scopes}
    by_name = {scope.name: scope for scope in scopes}
    problems: list[Problem] = []
    if command.config_files:
        from ato.scope._config_files import read_config_files, split_by_scope

        files, problems = read_config_files(command.config_files)
        if multi:
            parts, bad = split_by_scope(files, list(by_name))
            problems += bad
            for name, own in parts.items():
                routes[name].files = own
        else:
            routes[scopes[0].name].files = files

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
            hint = _bool_field_hint(name, scopes) or suggest(name, [*every_view, *_WORDS])
            problems.append(Problem(key=name, expected="the name of a view or a command word",
                                    source=source, suggestion=hint))
        for scope, view in targets:
            routes[scope.name].selections.append((view, source))

    for key in command.explain_keys:
        # `explain optim.lr big` must answer for the run `big` selects: a word after
        # `explain` that names a view is that view, wherever it stands.
        views = [(scope, key) for scope in scopes if key in scope.views]
        head, _, rest = key.partition(".")
        if multi and head in by_name and rest in by_name[head].views:
            views = [(by_name[head], rest)]
        if views:
            for scope, view in views:
                routes[scope.name].selections.append((view, f"CLI token {key!r}"))
            continue
        found = owner(key, f"explain {key!r}")
        if found is not None:
            routes[found[0].name].explain_keys.append(found[1])
    return routes, problems


def _bool_field_hint(name: str, scopes: Sequence[Scope[Any]]) -> str | None:
    """``amp=True`` for a bare ``amp`` that names a bool field (as a ``--amp`` flag would)."""
    for scope in scopes:
        key = name
        if len(scopes) > 1:
            head, _, key = name.partition(".")
            if head != scope.name:
                continue
        if scope.schema is not None:
            from ato.schema import FieldRef, lookup

            ref = lookup(scope.schema, key)
            if isinstance(ref, FieldRef) and "bool" in ref.type_str.split(" | "):
                return f"'{name}=True'"
    return None


def repeated_keys(route: Route, secrets: frozenset[str] = frozenset()) -> list[str]:
    """A sentence for each key the command line assigns more than once (the last one wins);
    the tokens of a secret key are shown masked."""
    tokens: dict[str, list[str]] = {}
    for item in route.assignments:
        shown = f"{item.key}=**********" if item.key in secrets else item.token
        tokens.setdefault(item.key, []).append(shown)
    return [
        f"{key} is given {len(given)} times ({', '.join(repr(t) for t in given)}); the last one wins"
        for key, given in tokens.items() if len(given) > 1
    ]


def _warn(messages: Sequence[str], explicit: bool) -> None:
    if explicit:
        import warnings

        for message in messages:
            warnings.warn(message, UserWarning, stacklevel=4)
    else:
        for message in messages:
            print(f"{_program()}: warning: {message}", file=sys.stderr)


def _emit(text: str) -> None:
    """Print what a command word asked for; a reader that stopped early (`| head`) ends the
    program quietly with status 0, as it does for any Unix tool."""
    try:
        print(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # Point stdout at devnull so the interpreter's last flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0) from None


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


def manual_for(scopes: Sequence[Scope[Any]]) -> str:
    """ato's manual for ``scopes`` (the argparse bridge prints it after the parser's help)."""
    from ato.scope._help import bridge_manual

    try:
        return bridge_manual(scopes, _program())
    except ConfigError as err:
        fail(err)


def _answer(
    command: Command, scopes: Sequence[Scope[Any]], external: Captured | None,
    summary: Callable[[], str] | None = None, stop: Callable[[ConfigError], NoReturn] | None = None,
) -> NoReturn:
    """Print the manual (then ``summary()``) or the completion script, and exit 0."""
    if command.mode == "completion":
        from ato.scope._completion import script

        _emit(script(command.shell, _program(), scopes))
        raise SystemExit(0)
    from ato.scope._help import manual

    try:
        _emit(manual(scopes, command, external, _program()))
    except ConfigError as err:
        (stop or fail)(err)
    if summary is not None:
        _emit(summary())
    raise SystemExit(0)


def run(scopes: Sequence[Scope[Any]], argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Build every scope from the command line; handle manual/explain/print; exit 2 on errors.

    With ``argv`` the tokens are exactly those (``sys.argv`` and the argparse bridge are
    never read) and a problem raises :class:`ConfigError` instead of exiting, which is
    what tests and notebooks need.
    """

    def stop(err: ConfigError) -> NoReturn:
        if argv is not None:
            raise err
        fail(err)

    if argv is None:
        command, external = _command(scopes)
    else:
        from ato.cli import parse_argv

        command, external = parse_argv(list(argv)), None
    _note_files(scopes, command)
    if command.mode in ("manual", "completion"):
        _answer(command, scopes, external, stop=stop)
    routes, problems = route(command, scopes)
    multi = len(scopes) > 1
    _warn([m for scope in scopes for m in repeated_keys(routes[scope.name], scope.secret_keys())],
          argv is not None)

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
        stop(ConfigError(problems=problems))
    values: dict[str, Any] = {}
    for scope in scopes:
        plan, checked = prepared[scope.name]
        try:
            values[scope.name] = scope._execute(plan, checked, routes[scope.name])
        except ConfigError as err:
            problems += scoped(err.problems, scope)
    if problems:
        stop(ConfigError(problems=problems))
    if command.mode == "explain":
        text, problems = _explain(scopes, routes, values)
        if problems:
            stop(ConfigError(problems=problems))
        _emit(text)
        raise SystemExit(0)
    if command.mode == "print":
        for scope in scopes:
            value = values[scope.name]
            shown = ADict(value.model_dump()) if scope.schema is not None else value
            if multi:
                _emit(f'[Scope "{scope.name}"]')
            try:
                text = shown.to_xyz().rstrip("\n")
            except ConfigError as err:  # a value no file format can hold
                stop(err)
            _emit(text)
        raise SystemExit(0)
    return values


def _note_files(scopes: Sequence[Scope[Any]], command: Command) -> None:
    """Let ``manual`` show the ``--config`` files of this command line in the applying order."""
    for scope in scopes:
        scope._given_files = command.config_files


def _prefixed(problem: Problem, name: str) -> Problem:
    return problem._replace(key=f"{name}.{problem.key}") if problem.key else problem


def _explain(
    scopes: Sequence[Scope[Any]], routes: dict[str, Route], values: dict[str, Any]
) -> tuple[str, list[Problem]]:
    blocks = []
    problems: list[Problem] = []
    multi = len(scopes) > 1
    # Keys named for any scope limit the answer to those keys; none means every key.
    named = any(routes[scope.name].explain_keys for scope in scopes)
    for scope in scopes:
        keys = routes[scope.name].explain_keys
        if not named:
            keys = sorted({w.key for w in scope._ledger.writes})
        final = ADict(values[scope.name].model_dump()) if scope.schema is not None else scope.config
        for key in keys:
            value = final.get_path(key, _MISSING)
            writes = scope.explain(key)
            shown = f"{scope.name}.{key}" if multi else key
            if value is _MISSING and not writes:
                problem = _unknown_key(scope, key, final)
                problems.append(problem._replace(key=shown, source=f"explain {shown!r}"))
                continue
            masked = _masked(writes, final)
            blocks.append(render_explain(key, masked, value, value is not _MISSING, shown=shown))
    return "\n".join(blocks), problems


def _unknown_key(scope: Scope[Any], key: str, final: ADict) -> Problem:
    """Why ``explain`` cannot answer for ``key``: not a field, or no key of that name."""
    source = f"explain {key!r}"
    if scope.schema is not None:
        from ato.schema import FieldRef, lookup

        ref = lookup(scope.schema, key)
        if not isinstance(ref, FieldRef):
            return ref._replace(source=source)
    head, _, last = key.rpartition(".")
    parent = final.get_path(head, None) if head else final
    present = list(parent.keys()) if isinstance(parent, ADict) else []
    return Problem(key=key, detail="no such key in the config", source=source,
                   suggestion=suggest(last, present))


_MISSING = object()
_CLI_SOURCE = "CLI token "


def _masked(writes: list[Write], final: ADict) -> list[Write]:
    """The writes, masked wherever the validated config holds a secret.

    A view may write a secret as plain text; only validation makes it a ``SecretStr``, so
    the final config, not the written value, says what must never be shown. A command-line
    token carries the value too, so its text after ``=`` is masked as well.
    """
    from ato.formats import SECRET_MASK, holds_secret

    shown = []
    for write in writes:
        if write.value is DELETED or not holds_secret(final.get_path(write.key, None)):
            shown.append(write)
            continue
        source = write.source
        head, sep, _ = source[len(_CLI_SOURCE) + 1:].partition("=")
        if source.startswith(_CLI_SOURCE) and sep:
            source = _CLI_SOURCE + repr(f"{head}={SECRET_MASK}")
        shown.append(write._replace(value=SECRET_MASK, source=source))
    return shown


def decorate(scopes: Sequence[Scope[Any]], func: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap ``func`` so that each call builds the configs from ``sys.argv`` and injects them.

    The wrapper's ``with_argv(tokens)`` gives a callable that builds from ``tokens``
    instead, never reading ``sys.argv``, and raises ConfigError rather than exiting 2.
    """
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

    def call(values: dict[str, Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
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

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return call(run(scopes), args, kwargs)

    def with_argv(argv: Sequence[str]) -> Callable[..., Any]:
        if isinstance(argv, str | bytes):
            raise ConfigError(key="argv", expected="a list of tokens such as ['optim.lr=0.1']", got=argv)
        tokens = list(argv)

        @functools.wraps(func)
        def explicit(*args: Any, **kwargs: Any) -> Any:
            return call(run(scopes, tokens), args, kwargs)

        return explicit

    wrapper.with_argv = with_argv  # type: ignore[attr-defined]
    return wrapper


def prepare_search(scope: Scope[Any], summary: Callable[[], str]) -> tuple[Plan, list[Assign], Route]:
    """The command line of a search program, checked once, before any trial.

    ``manual`` prints the scope's manual followed by ``summary()`` and exits 0; ``explain``
    and ``print`` behave as for a plain ``@scope`` program; a bad token exits 2.
    """
    command, external = _command([scope])
    _note_files([scope], command)
    if command.mode in ("manual", "completion"):
        _answer(command, [scope], external, summary)
    if command.mode in ("explain", "print"):
        run([scope])  # exits
    routes, problems = route(command, [scope])
    found = routes[scope.name]
    found.external = external if scope.use_external_parser else None
    plan, checked, more = scope._prepare(found)
    if problems or more:
        fail(ConfigError(problems=problems + more))
    return plan, checked, found
