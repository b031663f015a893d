from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

__all__ = ["Assignment", "Command", "format_value", "parse_argv", "parse_value"]

class Assignment(NamedTuple):
    key: str
    value: Any
    token: str
    text: str
    forced_str: bool

class Command(NamedTuple):
    selections: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    mode: Literal["run", "manual", "explain", "print"] = "run"
    explain_keys: tuple[str, ...] = ()

def parse_argv(argv: Sequence[str]) -> Command: ...
def parse_value(text: str, *, token: str | None = None) -> Any: ...
def format_value(value: object) -> str: ...
