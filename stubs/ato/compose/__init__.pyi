# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from collections.abc import Iterable, Mapping
from os import PathLike
from typing import Any

from ato.adict import ADict

__all__ = ["compose_hierarchy", "load_mm_config", "resolve", "sources_of"]

def compose_hierarchy(
    root: str | PathLike[str],
    config_filename: str = "config",
    *,
    select: Mapping[str, str | Iterable[str]] | None = None,
    overrides: Mapping[str, Any] | None = None,
    required: Iterable[str] | None = None,
    on_missing: str = "error",
    schema: type | None = None,
    cls: type[ADict] = ...,
) -> ADict: ...
def load_mm_config(
    path: str | PathLike[str],
    *,
    schema: type | None = None,
    cls: type[ADict] = ...,
) -> ADict: ...
def resolve(tree: ADict) -> None: ...
def sources_of(cfg: ADict) -> dict[str, str]: ...
