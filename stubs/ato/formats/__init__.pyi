# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from ast import Module, expr
from collections.abc import Callable, Mapping
from os import PathLike
from typing import Any

from ato.errors import ConfigError

__all__ = [
    "FORMATS",
    "SECRET_MASK",
    "SUPPORTED_EXTENSIONS",
    "dump_file",
    "dumps",
    "evaluate_python",
    "holds_secret",
    "load_file",
    "loads",
    "loads_with_lines",
    "parse_error",
    "parse_python",
    "read_bytes",
    "run_python",
    "to_plain",
    "xyz_dumps",
    "xyz_loads",
]

FORMATS: Mapping[str, str]
SUPPORTED_EXTENSIONS: tuple[str, ...]
def load_file(path: str | PathLike[str]) -> dict[str, Any]: ...
def loads(data: str | bytes, fmt: str, *, source: str = "<string>") -> dict[str, Any]: ...
def loads_with_lines(
    data: str | bytes,
    fmt: str,
    *,
    source: str = "<string>",
    mapping_only: bool = True,
) -> tuple[Any, dict[str, int]]: ...
def dumps(tree: Mapping[str, Any], fmt: str, **options: Any) -> str: ...
def dump_file(tree: Mapping[str, Any], path: str | PathLike[str], **options: Any) -> None: ...
def xyz_dumps(tree: Mapping[str, Any], format_dict: Mapping[str, str] | None = None) -> str: ...
def xyz_loads(text: str) -> dict[str, Any]: ...
def parse_error(exc: Exception, source: str) -> ConfigError: ...
def read_bytes(path: str) -> bytes: ...
def parse_python(source: str, path: str) -> Module: ...
def evaluate_python(expression: expr, path: str, *, key: str) -> Any: ...
def run_python(source: str | Module, path: str, namespace: dict[str, Any]) -> None: ...
SECRET_MASK: str
def to_plain(value: Any, *, fallback: Callable[[Any], Any] | None = None) -> Any: ...
def holds_secret(value: Any) -> bool: ...
