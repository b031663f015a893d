"""The pydantic binding: dotted-path field lookup, value checks, defaults, typed hash.

Importing this package imports pydantic; the scope imports it only once a schema is given.
"""

from typing import TYPE_CHECKING, Any

from ato.schema._binding import (
    FieldDoc,
    FieldRef,
    check_value,
    chosen_members,
    declared_leaves,
    describe_fields,
    has_secrets,
    has_unions,
    is_secret,
    lookup,
    schema_defaults,
    schema_hash,
    secret_leaves,
    secret_paths,
    validate,
)
from ato.schema._types import is_model, type_str

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

if TYPE_CHECKING:
    from ato.schema._help import FieldHelp, SchemaHelp, schema_help
else:
    # The help is only rendered for --help and --completion: load it then, not with every
    # typed program (start-up time).
    def __getattr__(name: str) -> Any:
        if name in ("FieldHelp", "SchemaHelp", "schema_help"):
            from ato.schema import _help

            return getattr(_help, name)
        raise AttributeError(f"module 'ato.schema' has no attribute {name!r}")
