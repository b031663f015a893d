# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from collections.abc import Callable, Iterable, Mapping, Sequence
from os import PathLike
from types import TracebackType
from typing import Any, Concatenate, Generic, NamedTuple, ParamSpec, Protocol, TypeVar, overload

from pydantic import BaseModel

from ato.adict import ADict
from ato.cli import Assignment
from ato.errors import Problem

__all__ = ["Entry", "MultiScope", "Scope", "TrialBuilder", "note_sources"]

_F = TypeVar("_F", bound=Callable[..., Any])
_M = TypeVar("_M", bound=BaseModel)
_P = ParamSpec("_P")
_R = TypeVar("_R")
_R_co = TypeVar("_R_co", covariant=True)
_S = TypeVar("_S")
_T = TypeVar("_T", bound=Mapping[str, Any])

def note_sources(config: Mapping[str, Any], sources: Mapping[str, str]) -> None: ...

class Entry(Protocol[_P, _R_co]):
    def __call__(self, *args: _P.args, **kwargs: _P.kwargs) -> _R_co: ...
    def with_argv(self, argv: Sequence[str]) -> Callable[_P, _R_co]: ...

class MultiScope:
    scopes: tuple[Scope[Any], ...]
    def __init__(self, *scopes: Scope[Any]) -> None: ...
    def __call__(self, func: Callable[..., _R]) -> Entry[..., _R]: ...

class Scope(Generic[_S]):
    name: str
    schema: type[Any] | None
    env_prefix: str | None
    env_file: str | None
    initial: ADict
    config: ADict
    views: dict[str, _View]
    manuals: ADict
    use_external_parser: bool
    external_priority: int
    enable_override: bool
    steps: list[str]
    model: Any
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
        env_file: str | PathLike[str] | None = None,
    ) -> None: ...
    @overload
    def __init__(
        self: Scope[_M],
        config: Mapping[str, Any] | None = None,
        name: str = "config",
        use_external_parser: bool = False,
        external_priority: int = -2,
        enable_override: bool = False,
        *,
        schema: type[_M],
        env_prefix: str | None = None,
        env_file: str | PathLike[str] | None = None,
    ) -> None: ...
    @overload
    def observe(self, field: _F) -> _F: ...
    @overload
    def observe(
        self,
        field: str | None = None,
        config: None = None,
        priority: int = 0,
        lazy: bool = False,
        default: bool = False,
        chain_with: str | Iterable[str] | None = None,
    ) -> Callable[[_F], _F]: ...
    @overload
    def observe(
        self,
        field: str,
        config: _T,
        priority: int = 0,
        lazy: bool = False,
        default: bool = False,
        chain_with: str | Iterable[str] | None = None,
    ) -> _T: ...
    add_to_screen = observe
    @overload
    def manual(self, field: _F) -> _F: ...
    @overload
    def manual(self, field: None = None, manual: Mapping[str, Any] | None = None) -> None: ...
    @classmethod
    def lazy(cls) -> _LazyBlock: ...
    def plan(self, selections: Iterable[str] = ()) -> _Plan: ...
    def plan_all_steps(self) -> list[str]: ...
    def secret_keys(self) -> frozenset[str]: ...
    def masked(self, problems: list[Problem]) -> list[Problem]: ...
    def build(self, argv: Iterable[str] = ()) -> _S: ...
    def trial_builder(self, summary: Callable[[], str] = ...) -> TrialBuilder[_S]: ...
    def save_config(self, path: str | PathLike[str]) -> None: ...
    def explain(self, key: str) -> list[_Write]: ...
    @overload
    def trace(self, trace_id: _F) -> _F: ...
    @overload
    def trace(self, trace_id: str | None = None) -> Callable[[_F], _F]: ...
    def runtime_trace(
        self,
        init_fn: Callable[[], object] | None = None,
        inspect_fn: Callable[[Any], object] | None = None,
        trace_id: str | None = None,
    ) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]: ...
    def __call__(self, func: Callable[Concatenate[_S, _P], _R]) -> Entry[_P, _R]: ...
    exec = __call__

class TrialBuilder(Generic[_S]):
    scope: Scope[_S]
    def __init__(self, scope: Scope[_S], plan: _Plan, checked: list[_Assign], route: _Route) -> None: ...
    def build(self, params: Mapping[str, Any]) -> _S: ...
    def check_program(self, params: Mapping[str, Any]) -> None: ...

class _Captured(NamedTuple):
    defaults: dict[str, Any]
    given: dict[str, Any]
    argv: tuple[str, ...]

class _Assign(NamedTuple):
    key: str
    value: Any
    source: str

class _LazyBlock:
    def __enter__(self) -> None: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...

class _Route:
    selections: list[tuple[str, str]]
    assignments: list[Assignment]
    explain_keys: list[str]
    external: _Captured | None
    files: list[_ConfigFile]
    env: list[_Assign]
    prefix: str
    def __init__(self, prefix: str = "") -> None: ...

class _ConfigFile(NamedTuple):
    path: str
    tree: dict[str, Any]
    lines: Mapping[str, int]
    def source(self, key: str) -> str: ...
    def under(self, name: str) -> _ConfigFile: ...

class _Write(NamedTuple):
    key: str
    value: Any
    source: str

class _Plan:
    views: list[_View]
    lazy_views: list[_View]
    def __init__(self, views: list[_View], lazy_views: list[_View]) -> None: ...
    def steps(self, *, schema: bool, external: bool = False) -> list[str]: ...

class _View:
    name: str
    fn: Callable[[Any], Any] | None
    mapping: Mapping[str, Any] | None
    priority: int
    lazy: bool
    default: bool
    chain_with: tuple[str, ...]
    location: str
    has_lazy_blocks: bool
    def __init__(
        self,
        name: str,
        fn: Callable[[Any], Any] | None,
        mapping: Mapping[str, Any] | None,
        priority: int,
        lazy: bool,
        default: bool,
        chain_with: tuple[str, ...],
        location: str,
    ) -> None: ...
    def __repr__(self) -> str: ...
    @property
    def label(self) -> str: ...
    @staticmethod
    def chain(chain_with: str | Iterable[str] | None) -> tuple[str, ...]: ...
