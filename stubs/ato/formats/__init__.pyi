import os
from collections.abc import Mapping
from typing import Any

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "dump_file",
    "dumps",
    "load_file",
    "loads",
    "xyz_dumps",
    "xyz_loads",
]

SUPPORTED_EXTENSIONS: tuple[str, ...]

def load_file(path: str | os.PathLike[str]) -> dict[str, Any]: ...
def loads(data: str | bytes, fmt: str, *, source: str = "<string>") -> dict[str, Any]: ...
def dumps(tree: Mapping[str, Any], fmt: str, **options: Any) -> str: ...
def dump_file(tree: Mapping[str, Any], path: str | os.PathLike[str], **options: Any) -> None: ...
def xyz_dumps(tree: Mapping[str, Any], format_dict: Mapping[str, str] | None = None) -> str: ...
def xyz_loads(text: str) -> dict[str, Any]: ...
