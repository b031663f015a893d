# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from collections.abc import Sequence
from typing import Any, Literal, NamedTuple, TypeAlias

__all__ = ["Assignment", "Command", "format_value", "parse_argv", "parse_value"]

_Mode: TypeAlias = Literal["run", "manual", "explain", "print", "completion"]

def parse_value(text: str, *, token: str | None = None) -> Any: ...
def format_value(value: object) -> str: ...

class Assignment(NamedTuple):
    key: str
    value: Any
    token: str
    text: str
    forced_str: bool

class Command(NamedTuple):
    selections: tuple[str, ...]
    assignments: tuple[Assignment, ...]
    mode: _Mode = "run"
    explain_keys: tuple[str, ...] = ()
    config_files: tuple[str, ...] = ()
    shell: str = ""

def parse_argv(argv: Sequence[str]) -> Command: ...
