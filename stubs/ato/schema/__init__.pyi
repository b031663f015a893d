# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeAlias

from pydantic import BaseModel

from ato.errors import Problem

__all__ = [
    "FieldDoc",
    "FieldHelp",
    "FieldRef",
    "SchemaHelp",
    "check_value",
    "chosen_members",
    "declared_leaves",
    "describe_fields",
    "has_secrets",
    "has_unions",
    "is_model",
    "is_secret",
    "lookup",
    "schema_defaults",
    "schema_hash",
    "schema_help",
    "secret_leaves",
    "secret_paths",
    "type_str",
    "validate",
]

_SourceOf: TypeAlias = Callable[[str], str | None]

class FieldRef(NamedTuple):
    path: str
    annotation: Any
    @property
    def type_str(self) -> str: ...

class FieldDoc(NamedTuple):
    path: str
    type_str: str
    default: str
    description: str | None

def lookup(model: type[BaseModel], dotted: str) -> FieldRef | Problem: ...
def chosen_members(
    model: type[BaseModel],
    tree: Mapping[str, Any],
    prefix: str = "",
) -> list[tuple[str, type[BaseModel]]]: ...
def check_value(
    ref: FieldRef,
    value: Any,
    alternatives: tuple[Any, ...] = (),
) -> tuple[Any, str | None]: ...
def is_secret(annotation: Any) -> bool: ...
def secret_leaves(instance: BaseModel, prefix: str = "") -> dict[str, Any]: ...
def schema_defaults(model: type[BaseModel]) -> dict[str, Any]: ...
def validate(model: type[BaseModel], tree: Mapping[str, Any], source_of: _SourceOf) -> BaseModel: ...
def declared_leaves(model: type[BaseModel], prefix: str = "") -> dict[str, str]: ...
def schema_hash(model: type[BaseModel]) -> str: ...
def describe_fields(model: type[BaseModel], prefix: str = "") -> list[FieldDoc]: ...
def has_unions(model: type[BaseModel]) -> bool: ...
def has_secrets(model: type[BaseModel]) -> bool: ...
def secret_paths(model: type[BaseModel]) -> frozenset[str]: ...

class FieldHelp(NamedTuple):
    path: str
    type_text: str
    default: str
    description: str | None
    constraints: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    group: bool = False

class SchemaHelp(NamedTuple):
    doc: str | None
    rows: list[FieldHelp]

def schema_help(model: type[BaseModel]) -> SchemaHelp: ...
def is_model(annotation: object) -> bool: ...
def type_str(annotation: Any) -> str: ...
