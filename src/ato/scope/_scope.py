"""Scope: views, a schema, and the decorator that hands a built config to a function."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Concatenate, Generic, ParamSpec, TypeVar, cast, overload

from ato.adict import ADict
from ato.errors import ConfigError, Problem
from ato.scope._build import Assign, Build, LazyBlock, run_build
from ato.scope._ledger import Ledger, Write
from ato.scope._plan import Plan, make_plan
from ato.scope._views import View, where

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ato.cli import Assignment
    from ato.scope._cli import Route
    from ato.scope._entry import Entry
    from ato.scope._trials import TrialBuilder

__all__ = ["Scope"]

S = TypeVar("S")
M = TypeVar("M", bound="BaseModel")
P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T", bound=Mapping[str, Any])


class Scope(Generic[S]):
    """A named config namespace: views that write it, an optional schema that checks it.

    Args:
        config: An initial config, applied before any view.
        name: The parameter name the config is injected by (else the first parameter).
        use_external_parser: Let an ``argparse`` parser of the program take its options
            first; its defaults and given values join the config.
        external_priority: Kept for compatibility with ato 2.x; argparse defaults always
            come right after the schema defaults.
        enable_override: Kept for compatibility with ato 2.x (there is no global registry).
        schema: A pydantic v2 model; the function then receives a validated instance.
        env_prefix: Read environment variables named with this prefix, in any case:
            ``TRAIN_LR`` sets ``lr``, ``TRAIN_OPTIM__LR`` sets ``optim.lr``. They apply after
            the non-lazy views and before ``--config`` files and the command line.
        env_file: A dotenv file (``".env"``) read with the environment; the environment
            wins. Needs python-dotenv (``pip install 'ato[dotenv]'``); a missing file is
            skipped.
    """

    @overload
    def __init__(
        self: Scope[ADict],
        config: Mapping[str, Any] | None = None,
        name: str = "config",
        use_external_parser: bool = False,
        external_priority: int = -2,
        enable_override: bool = False,
        *,
        schema: None = None,
        env_prefix: str | None = None,
        env_file: str | os.PathLike[str] | None = None,
    ) -> None: ...

    @overload
    def __init__(
        self: Scope[M],
        config: Mapping[str, Any] | None = None,
        name: str = "config",
        use_external_parser: bool = False,
        external_priority: int = -2,
        enable_override: bool = False,
        *,
        schema: type[M],
        env_prefix: str | None = None,
        env_file: str | os.PathLike[str] | None = None,
    ) -> None: ...

    def __init__(
        self,
        config: Mapping[str, Any] | None = None,
        name: str = "config",
        use_external_parser: bool = False,
        external_priority: int = -2,
        enable_override: bool = False,
        *,
        schema: type[Any] | None = None,
        env_prefix: str | None = None,
        env_file: str | os.PathLike[str] | None = None,
    ) -> None:
        if schema is not None:
            from ato.schema import is_model

            if not is_model(schema):
                raise ConfigError(key="schema", expected="a pydantic BaseModel subclass", got=schema)
        if env_prefix is not None and not env_prefix:
            raise ConfigError(key="env_prefix", expected="a non-empty prefix such as 'TRAIN_'",
                              got=env_prefix,
                              detail="an empty prefix would claim every variable of the environment")
        if env_file is not None and env_prefix is None:
            raise ConfigError(key="env_file", detail="needs env_prefix: the prefix says which of "
                              "the file's variables are this scope's", got=os.fspath(env_file))
        self.name = name
        self.schema = schema
        self.env_prefix = env_prefix
        self.env_file = os.fspath(env_file) if env_file is not None else None
        self.initial = ADict(config or {})
        self.config: ADict = self.initial.clone()
        self.views: dict[str, View] = {}
        self.manuals = ADict()
        self.use_external_parser = use_external_parser
        self.external_priority = external_priority
        self.enable_override = enable_override
        self.steps: list[str] = []
        self.model: Any = None
        self._ledger = Ledger()
        self._built: Build | None = None
        self._saved_under = ""  # the scope's name when built in a MultiScope
        self._given_files: tuple[str, ...] = ()  # the last command line's --config files
        if use_external_parser:
            from ato.scope import _argparse

            _argparse.install(self)

    # ------------------------------------------------------------------ registering
    # Three overloads because what comes back depends on the call: the function itself
    # (bare `@scope.observe`), a decorator (with options), or the mapping (a mapping view).
    @overload
    def observe(self, field: F) -> F: ...

    @overload
    def observe(
        self,
        field: str | None = None,
        config: None = None,
        priority: int = 0,
        lazy: bool = False,
        default: bool = False,
        chain_with: str | Iterable[str] | None = None,
    ) -> Callable[[F], F]: ...

    @overload
    def observe(
        self,
        field: str,
        config: T,
        priority: int = 0,
        lazy: bool = False,
        default: bool = False,
        chain_with: str | Iterable[str] | None = None,
    ) -> T: ...

    def observe(
        self,
        field: str | Callable[..., Any] | None = None,
        config: Mapping[str, Any] | None = None,
        priority: int = 0,
        lazy: bool = False,
        default: bool = False,
        chain_with: str | Iterable[str] | None = None,
    ) -> Any:
        """Register a view: ``@scope.observe(...)`` on a function, or a mapping by name.

        Args:
            field: The view's name (default: the function's name).
            config: A mapping to merge instead of a function (needs ``field``).
            priority: Lower runs first; ties keep selection order.
            lazy: Run after the command line is applied.
            default: Run without being named on the command line.
            chain_with: Views that must run before this one whenever it runs.
        """
        if callable(field) and config is None:
            return self._add(field, field.__name__, priority, lazy, default, chain_with)
        if config is not None:
            if not isinstance(field, str):
                raise ConfigError(key="observe", expected="a name for the mapping view", got=field)
            caller = sys._getframe(1)
            location = where(caller.f_code.co_filename, caller.f_lineno)
            self._register(View(field, None, ADict(config), priority, lazy, default,
                                View.chain(chain_with), location))
            return config

        def decorator(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
            name = field if isinstance(field, str) else fn.__name__
            return self._add(fn, name, priority, lazy, default, chain_with)

        return decorator

    add_to_screen = observe

    def _add(
        self, fn: Callable[[Any], Any], name: str, priority: int, lazy: bool, default: bool,
        chain_with: str | Iterable[str] | None,
    ) -> Callable[[Any], Any]:
        code = getattr(fn, "__code__", None)
        location = where(code.co_filename, code.co_firstlineno) if code else repr(fn)
        self._register(View(name, fn, None, priority, lazy, default, View.chain(chain_with), location))
        return fn

    def _register(self, view: View) -> None:
        if view.name in ("manual", "explain", "print"):
            raise ConfigError(key=view.name, detail="is a command word; give the view another name",
                              source=view.location)
        self.views[view.name] = view

    # Two overloads: `@scope.manual` gives the function back; a mapping of texts gives None.
    @overload
    def manual(self, field: F) -> F: ...

    @overload
    def manual(self, field: None = None, manual: Mapping[str, Any] | None = None) -> None: ...

    def manual(
        self, field: Callable[..., Any] | None = None, manual: Mapping[str, Any] | None = None
    ) -> Any:
        """Document keys: ``@scope.manual`` on a function that writes a text per key."""
        if manual is not None:
            self.manuals.update(manual, recurrent=True)
            return field
        if field is None:
            raise ConfigError(key="manual", expected="a function or a mapping of texts")
        docs = ADict.auto()
        field(docs)
        self.manuals.update(docs.to_dict(), recurrent=True)
        return field

    @classmethod
    def lazy(cls) -> LazyBlock:
        """``with Scope.lazy():`` inside a view: the body runs after the command line."""
        return LazyBlock()

    # ------------------------------------------------------------------ building
    def plan(self, selections: Iterable[str] = ()) -> Plan:
        """The apply plan for these view names (raises ConfigError for unknown ones)."""
        plan, problems = make_plan(self.views, [(name, "argument") for name in selections])
        if problems:
            raise ConfigError(problems=problems)
        return plan

    def plan_all_steps(self) -> list[str]:
        """Every registered view by priority, ties in registration order (ato 2.x's manual).

        No run need apply this order: a run breaks ties by selection (default views first)
        and puts ``chain_with`` prerequisites first. ``manual VIEW...`` prints the order of
        a run of those views, which ``scope.steps`` records after a build.
        """
        order = {name: i for i, name in enumerate(self.views)}
        ranked = sorted(self.views.values(), key=lambda v: (v.priority, order[v.name]))
        head = ["(schema defaults)"] if self.schema is not None else []
        if self.use_external_parser:
            head.append("(argparse defaults)")
        return [
            *head,
            *(v.name for v in ranked if not v.lazy),
            *self._source_steps(self._given_files),
            "(CLI Inputs)",
            *(v.name for v in ranked if v.lazy),
        ]

    def _source_steps(self, files: Iterable[str]) -> list[str]:
        """The steps between the non-lazy views and the command line: environment, files."""
        steps = []
        if self.env_prefix is not None:
            from ato.scope._env import env_label

            steps.append(env_label(self.env_prefix, self.env_file))
        return steps + [f"(--config {path})" for path in files]

    def _check(
        self, assignments: Iterable[Assignment], sources: Iterable[str] | None = None
    ) -> tuple[list[Assign], list[Problem]]:
        """Check values against the schema; ``sources`` name them (default: their CLI token)."""
        checked: list[Assign] = []
        problems: list[Problem] = []
        items = list(assignments)
        named = list(sources) if sources is not None else [f"CLI token {i.token!r}" for i in items]
        for item, source in zip(items, named, strict=True):
            value = item.value
            if self.schema is not None:
                from ato.schema import FieldRef, check_value, lookup

                ref = lookup(self.schema, item.key)
                if not isinstance(ref, FieldRef):
                    problems.append(ref._replace(got=value, source=source))
                    continue
                # The raw text is a second reading (`run_name=123` fits a str field), but
                # never for null/None: that means "no value", not the word.
                raw = () if item.forced_str or value is None else (item.text,)
                value, reason = check_value(ref, value, raw)
                if reason is not None:
                    detail = None if reason.startswith("Input should be a valid") else reason
                    problems.append(Problem(key=item.key, expected=ref.type_str, got=item.value,
                                            source=source, detail=detail))
                    continue
            checked.append(Assign(item.key, value, source))
        return checked, problems

    def _prepare(self, route: Route) -> tuple[Plan, list[Assign], list[Problem]]:
        """Plan the run and check the environment, the ``--config`` files and the command line
        against the schema; nothing runs yet. The checked environment is kept on ``route``."""
        plan, problems = make_plan(self.views, route.selections)
        route.env, env_problems = self._environment()
        file_problems: list[Problem] = []
        if self.schema is not None and route.files:
            from ato.scope._config_files import check_file

            for file in route.files:
                file_problems += check_file(self.schema, file)
        checked, bad = self._check(route.assignments)
        return plan, checked, self.masked(problems + env_problems + file_problems + bad)

    def secret_keys(self) -> frozenset[str]:
        """The dotted keys of the schema's secret fields (never shown in clear)."""
        if self.schema is None:
            return frozenset()
        from ato.schema import secret_paths

        schema: type[BaseModel] = self.schema
        return secret_paths(schema)

    def masked(self, problems: list[Problem]) -> list[Problem]:
        """``problems`` with every secret value masked: in ``got``, in the CLI token named as
        the source, and inside a mapping ``got`` that holds a secret field."""
        secrets = self.secret_keys()
        if not secrets:
            return problems
        from ato.formats import SECRET_MASK

        out = []
        for problem in problems:
            key = problem.key or ""
            shown = problem
            source = problem.source or ""
            # The source may name a token that set a secret below this key (`db.password=...`).
            opener = "CLI token '"
            token_key = source[len(opener):].partition("=")[0] if source.startswith(opener) else ""
            if token_key.rstrip(":") in secrets:
                shown = shown._replace(source=f"CLI token '{token_key}={SECRET_MASK}'")
            if key in secrets:
                shown = shown._replace(got=SECRET_MASK)
            elif isinstance(problem.got, Mapping):
                shown = shown._replace(got=_mask_below(problem.got, key, secrets, SECRET_MASK))
            out.append(shown)
        return out

    def _environment(self) -> tuple[list[Assign], list[Problem]]:
        """The scope's environment variables, read now and checked like command-line values."""
        if self.env_prefix is None:
            return [], []
        from ato.scope._env import env_assignments, read_environment

        found, problems = read_environment(self.env_prefix, self.env_file, os.environ)
        checked: list[Assign] = []
        for entry in env_assignments(found, self.env_prefix, self.schema):
            if isinstance(entry, Problem):
                problems.append(entry)
                continue
            good, bad = self._check([entry[0]], [entry[1]])
            checked += good
            problems += bad
        return checked, problems

    def _execute(self, plan: Plan, checked: list[Assign], route: Route) -> Any:
        layers: list[tuple[str, Mapping[str, Any]]] = []
        if self.schema is not None:
            from ato.schema import schema_defaults

            defaults = schema_defaults(self.schema)
            layers.append(("(schema defaults)", defaults))
        if self.initial:
            layers.append(("(initial config)", self.initial))
        external = route.external
        if external is not None:
            defaults, given = self._argparse_fields(external.defaults), self._argparse_fields(external.given)
            layers.append(("(argparse defaults)", defaults))
            checked = [Assign(k, v, f"argparse option {k!r}") for k, v in given.items()] + checked
        self._built = None  # until this build is validated: save_config must not see a stale one
        build = run_build(plan, layers=layers, assignments=checked, env=route.env, files=route.files,
                          members=self._member_switcher(layers[0][1] if self.schema is not None else None))
        self.config = build.config
        self._ledger = build.ledger
        self._saved_under = route.prefix
        self.steps = self._steps(plan, route)
        if self.schema is None:
            self._built = build
            return self.config
        from ato.schema import validate

        self.config.attach(schema=self.schema)
        try:
            self.model = validate(self.schema, self.config, self._source_of)
        except ConfigError as err:
            raise ConfigError(problems=self.masked(list(err.problems))) from None
        from ato.schema import has_secrets, secret_leaves

        # A view may write a secret as plain text; the config keeps the validated secret,
        # so that dumping or tracking scope.config writes it masked like the model.
        schema: type[BaseModel] = self.schema
        if has_secrets(schema):
            for key, secret in secret_leaves(self.model).items():
                self.config.set_path(key, secret)
        self._built = build
        return self.model

    def _argparse_fields(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The argparse values that join the config: all of them without a schema; with
        one, only those naming a field. The others (torchrun's ``--local_rank``) stay
        where the program reads them, in what ``parser.parse_args()`` returned."""
        if self.schema is None:
            return dict(values)
        from ato.schema import FieldRef, lookup

        return {k: v for k, v in values.items() if isinstance(lookup(self.schema, k), FieldRef)}

    def _steps(self, plan: Plan, route: Route) -> list[str]:
        """The labels a run records in ``steps``; ``manual`` prints this same list. The
        environment and the ``--config`` files come right before the command line."""
        steps = plan.steps(schema=self.schema is not None, external=route.external is not None)
        cli = steps.index("(CLI Inputs)")
        return [*steps[:cli], *self._source_steps(f.path for f in route.files), *steps[cli:]]

    def _member_switcher(
        self, defaults: Mapping[str, Any] | None
    ) -> Callable[[ADict], list[tuple[str, str, dict[str, Any]]]] | None:
        """What settles unions of models in a build (None when the schema has none): for each
        union whose discriminator now selects another member than the schema's defaults
        do, its path, that member and the member's own defaults."""
        if self.schema is None or defaults is None:
            return None
        from ato.schema import chosen_members, has_unions, schema_defaults

        schema: type[BaseModel] = self.schema
        if not has_unions(schema):
            return None
        default_members = dict(chosen_members(schema, defaults))

        def switched(config: ADict) -> list[tuple[str, str, dict[str, Any]]]:
            return [(path, member.__name__, schema_defaults(member))
                    for path, member in chosen_members(schema, config)
                    if default_members.get(path) is not member]

        return switched

    def _source_of(self, key: str) -> str | None:
        return self._ledger.source_of(key)

    def build(self, argv: Iterable[str] = ()) -> S:
        """Build the config from command-line tokens without running anything else.

        ``argv`` is read exactly as a program's command line (``--config FILE`` included),
        never ``sys.argv``; the environment is read as for a run (``env_prefix``).

        Raises:
            ConfigError: a bad token or file, an unknown view or key, a value the schema
                rejects; every problem found before the views run, at once.
        """
        from ato.cli import parse_argv
        from ato.scope._cli import repeated_keys, route

        routes, problems = route(parse_argv(list(argv)), [self])
        found = routes[self.name]
        plan, checked, bad = self._prepare(found)
        if problems or bad:
            raise ConfigError(problems=problems + bad)
        for message in repeated_keys(found, self.secret_keys()):
            import warnings

            warnings.warn(message, UserWarning, stacklevel=2)
        value: S = self._execute(plan, checked, found)
        return value

    def trial_builder(self, summary: Callable[[], str] = str) -> TrialBuilder[S]:
        """Read the program's command line once and return a builder of trial configs.

        This is how a search runs trials: each ``builder.build(params)`` builds the config
        as a command-line run would, with ``params`` (dotted keys) applied after the
        program's own tokens, validated by the schema. The command words behave as for a
        plain ``@scope`` program (``manual`` also prints ``summary()``); a bad token exits 2.
        """
        from ato.scope._cli import prepare_search
        from ato.scope._trials import TrialBuilder

        plan, checked, found = prepare_search(self, summary)
        return TrialBuilder(self, plan, checked, found)

    def save_config(self, path: str | os.PathLike[str]) -> None:
        """Write the last build's config to ``path`` so that ``--config path`` rebuilds it.

        Call it inside the decorated function (or after :meth:`build`), e.g. next to the
        run's outputs: ``scope.save_config(out_dir / "config.yaml")``. The format follows the
        extension (``.yaml``, ``.yml``, ``.json``, ``.toml``, ``.xyz``); the file is written
        atomically. It holds the final, validated config, except that keys computed by the
        lazy steps that run by default hold their value from before those steps, since a
        re-run computes them again (see ``ato/scope/_save.py``), and that secrets and
        computed fields are left out (a re-run gets its secrets where the first run did). In
        a ``MultiScope`` the config is written under the scope's name, as the shared command
        line reads it.

        Raises:
            ConfigError: nothing was built (or the last build failed), the path ends in
                ``.py``, or the format cannot hold some value (every such key is listed).
        """
        from ato.scope._save import saved_tree, write_config

        build = self._built
        if build is None:
            raise ConfigError(key="save_config", detail="no config to save: nothing was built, or the "
                              "last build failed; call it inside the decorated function or after "
                              "scope.build(...)")
        secrets: list[str] = []
        if self.schema is not None:
            from ato.schema import secret_leaves

            # round_trip leaves computed fields out: the schema would refuse them as input.
            final = self.model.model_dump(mode="json", round_trip=True)
            secrets = list(secret_leaves(self.model))
        else:
            final = self.config.to_dict()
        default, _ = make_plan(self.views, [])
        rerun = {view.name for view in (*default.views, *default.lazy_views)}
        tree = saved_tree(final, build.before_lazy, build.lazy_writers, rerun)
        # A secret is never written, not even masked: a re-run from the file would otherwise
        # take the mask over the secret the environment or a view gives it.
        for key in secrets:
            parent, _, last = key.rpartition(".")
            node = tree
            for part in parent.split(".") if parent else ():
                node = node.get(part, {}) if isinstance(node, dict) else {}
            if isinstance(node, dict):
                node.pop(last, None)
        write_config({self._saved_under: tree} if self._saved_under else tree, path)

    def explain(self, key: str) -> list[Write]:
        """Every recorded write to ``key`` (or below it) in the last build, in order."""
        return self._ledger.for_key(key)

    # ------------------------------------------------------------------ code fingerprints
    # Two overloads: bare `@scope.trace` gives the function back, `@scope.trace(...)` a decorator.
    @overload
    def trace(self, trace_id: F) -> F: ...

    @overload
    def trace(self, trace_id: str | None = None) -> Callable[[F], F]: ...

    def trace(self, trace_id: str | Callable[..., Any] | None = None) -> Any:
        """Record the static fingerprint of the decorated function (or class) right away.

        The fingerprint (``ato.trace.static_fingerprint``) changes with the code, not with
        comments or formatting; it is recorded under ``trace_id`` (default
        ``module.qualname``) for the tracker to store with each run. The function is
        returned unchanged.
        """
        if callable(trace_id):
            return _record_static(trace_id, None)

        def decorator(func: F) -> F:
            return _record_static(func, trace_id)

        return decorator

    def runtime_trace(
        self,
        init_fn: Callable[[], object] | None = None,
        inspect_fn: Callable[[Any], object] | None = None,
        trace_id: str | None = None,
    ) -> Callable[[Callable[P, R]], Callable[P, R]]:
        """Fingerprint what the decorated function returns, at every call.

        Each call runs ``init_fn()`` first (e.g. to seed random generators), then the
        function; it records ``ato.trace.runtime_fingerprint`` of the result, or of
        ``inspect_fn(result)``, under ``trace_id`` (default ``module.qualname``), and
        returns the result (ato 2.x's wrapper returned None).
        """

        def decorator(func: Callable[P, R]) -> Callable[P, R]:
            import functools

            from ato import trace

            name = trace_id or _trace_name(func)

            @functools.wraps(func)
            def traced(*args: P.args, **kwargs: P.kwargs) -> R:
                if init_fn is not None:
                    init_fn()
                result = func(*args, **kwargs)
                inspected = result if inspect_fn is None else inspect_fn(result)
                trace.record(name, "runtime", trace.runtime_fingerprint(inspected))
                return result

            return traced

        return decorator

    # ------------------------------------------------------------------ decorating
    def __call__(self, func: Callable[Concatenate[S, P], R]) -> Entry[P, R]:
        """Decorate ``func``: each call builds the config and passes it (see :class:`Entry`)."""
        from ato.scope._cli import decorate

        return cast("Entry[P, R]", decorate([self], func))

    exec = __call__


def _trace_name(func: Callable[..., Any]) -> str:
    """The default trace id: ``module.qualname``, as ato 2.x named traces."""
    module = getattr(func, "__module__", None) or "?"
    return f"{module}.{getattr(func, '__qualname__', getattr(func, '__name__', repr(func)))}"


def _record_static(func: F, trace_id: str | None) -> F:
    from ato import trace

    trace.record(trace_id or _trace_name(func), "static", trace.static_fingerprint(func))
    return func


def _mask_below(tree: Mapping[str, Any], key: str, secrets: frozenset[str], mask: str) -> dict[str, Any]:
    """A copy of ``tree`` (the value at ``key``) with the secrets below it masked."""
    out = dict(tree)
    prefix = f"{key}." if key else ""
    for path in secrets:
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix):].split(".")
        node: Any = out
        for part in parts[:-1]:
            child = node.get(part) if isinstance(node, dict) else None
            if not isinstance(child, Mapping):
                node = None
                break
            node[part] = node = dict(child)
        if isinstance(node, dict) and parts[-1] in node:
            node[parts[-1]] = mask
    return out
