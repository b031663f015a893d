from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar, overload

from pydantic import BaseModel

from ato.adict import ADict

# Public methods return these, but they live in private modules: imported without
# re-export, users read their attributes and never import them.
from ato.scope._ledger import Write
from ato.scope._plan import Plan
from ato.scope._views import View

__all__ = ["MultiScope", "Scope"]

_S = TypeVar("_S")
_M = TypeVar("_M", bound=BaseModel)
_F = TypeVar("_F", bound=Callable[..., Any])
_T = TypeVar("_T", bound=Mapping[str, Any])
_P = ParamSpec("_P")
_R = TypeVar("_R")

class Scope(Generic[_S]):
    name: str
    schema: type[Any] | None
    initial: ADict
    config: ADict
    views: dict[str, View]
    manuals: ADict
    use_external_parser: bool
    external_priority: int
    enable_override: bool
    steps: list[str]
    model: Any
    # Two overloads because the type parameter depends on the schema argument: without
    # one the function receives the ADict, with one an instance of the schema.
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
    ) -> None: ...
    # The result depends on the call: the function (bare decorator), a decorator, or the
    # mapping of a mapping view.
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
    # The block object is private and its module brings in the ADict implementation, so
    # it is described by what `with` needs; it may swallow the KeyError or AttributeError
    # of a read that only the command line can satisfy, hence bool.
    @classmethod
    def lazy(cls) -> AbstractContextManager[None, bool]: ...
    def plan(self, selections: Iterable[str] = ()) -> Plan: ...
    def plan_all_steps(self) -> list[str]: ...
    def build(self, argv: Iterable[str] = ()) -> _S: ...
    def explain(self, key: str) -> list[Write]: ...
    # Bare `@scope.trace` returns the function; `@scope.trace(trace_id)` a decorator.
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
    def __call__(self, func: Callable[Concatenate[_S, _P], _R]) -> Callable[_P, _R]: ...
    exec = __call__

class MultiScope:
    scopes: tuple[Scope[Any], ...]
    def __init__(self, *scopes: Scope[Any]) -> None: ...
    def __call__(self, func: Callable[..., _R]) -> Callable[..., _R]: ...
