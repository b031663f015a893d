# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from collections.abc import Iterable
from typing import NamedTuple

__all__ = ["ConfigError", "ConfigKeyError", "Problem", "suggest"]

class Problem(NamedTuple):
    key: str | None = None
    expected: str | None = None
    got: object = ...
    source: str | None = None
    suggestion: str | None = None
    detail: str | None = None
    @property
    def has_got(self) -> bool: ...
    def render(self) -> str: ...

class ConfigError(ValueError):
    problems: tuple[Problem, ...]
    def __init__(
        self,
        detail: str | None = None,
        *,
        key: str | None = None,
        expected: str | None = None,
        got: object = ...,
        source: str | None = None,
        suggestion: str | None = None,
        problems: Iterable[Problem] = (),
    ) -> None: ...
    def render(self) -> str: ...
    def __reduce__(self) -> tuple[object, ...]: ...
    @property
    def key(self) -> str | None: ...
    @property
    def expected(self) -> str | None: ...
    @property
    def got(self) -> object: ...
    @property
    def source(self) -> str | None: ...
    @property
    def suggestion(self) -> str | None: ...

class ConfigKeyError(ConfigError, AttributeError): ...

def suggest(name: str, candidates: Iterable[object]) -> str | None: ...
