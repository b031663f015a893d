"""Binding a pydantic v2 model to ato's dotted keys.

Everything here speaks in dotted paths (``optim.lr``) because that is how keys reach ato:
from the command line, from views writing into an ADict, from files. The functions look
a path up in the schema, validate one value against the field it names, list the schema's
defaults as a plain tree, and turn a whole-tree validation into one ConfigError whose
problems name key, expected type, value and source.
"""

from __future__ import annotations

import copy
import enum
import functools
import typing
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ato.adict import hash_leaves
from ato.errors import ConfigError, Problem, suggest
from ato.schema._types import (
    discriminated_member,
    is_model,
    model_in,
    models_in,
    strip_annotated,
    type_str,
    union_members,
)

__all__ = [
    "FieldDoc",
    "FieldRef",
    "check_value",
    "declared_leaves",
    "describe_fields",
    "lookup",
    "schema_defaults",
    "schema_hash",
    "validate",
]

SourceOf = Callable[[str], "str | None"]


class FieldRef(NamedTuple):
    """What the schema declares at a dotted path."""

    path: str
    annotation: Any

    @property
    def type_str(self) -> str:
        return type_str(self.annotation)


class FieldDoc(NamedTuple):
    """One schema leaf as the manual shows it."""

    path: str
    type_str: str
    default: str
    description: str | None


def _full_annotation(info: FieldInfo) -> Any:
    # Constraints such as Field(gt=0) live in metadata; Annotated carries them to TypeAdapter.
    if info.metadata:
        return typing.Annotated[(info.annotation, *info.metadata)]
    return info.annotation


def _allows_extra(model: type[BaseModel]) -> bool:
    return model.model_config.get("extra") == "allow"


def _mapping_value_type(annotation: Any) -> Any | None:
    """``V`` for ``dict[K, V]``/``Mapping[K, V]``, ``Any`` for an untyped mapping, else None."""
    annotation = strip_annotated(annotation)
    if annotation is Any or annotation is dict:
        return Any
    origin = typing.get_origin(annotation)
    if origin in (dict, Mapping, typing.Mapping, typing.MutableMapping) or (
        isinstance(origin, type) and issubclass(origin, Mapping)
    ):
        args = typing.get_args(annotation)
        return args[1] if len(args) == 2 else Any
    return None


def lookup(model: type[BaseModel], dotted: str) -> FieldRef | Problem:
    """The declaration at ``dotted``, or a Problem naming the first part that has none.

    Below a union of models (``optim: Adam | SGD``) a key is looked up in every member: its
    type is what the members that have it accept (the discriminator's literals together).
    """
    parts = dotted.split(".")
    current: list[type[BaseModel]] = [model]
    annotation: Any = model
    for i, part in enumerate(parts):
        here = ".".join(parts[: i + 1])
        if current:
            having = [m for m in current if part in m.model_fields]
            if not having:
                if any(_allows_extra(m) for m in current):
                    return FieldRef(dotted, Any)
                names = {name for m in current for name in m.model_fields}
                return Problem(
                    key=here,
                    detail=f"not a field of {' | '.join(m.__name__ for m in current)}",
                    suggestion=suggest(part, names),
                )
            found = [_full_annotation(m.model_fields[part]) for m in having]
            annotation = found[0] if len(found) == 1 else _either(found)
        else:
            value_type = _mapping_value_type(annotation)
            if value_type is None:
                return Problem(
                    key=here,
                    detail=f"{'.'.join(parts[:i])} is of type {type_str(annotation)}, which has no keys",
                )
            annotation = value_type
        current = models_in(annotation)
        if annotation is Any:
            return FieldRef(dotted, Any)
    return FieldRef(dotted, annotation)


def _either(annotations: list[Any]) -> Any:
    """One annotation accepting what any of ``annotations`` accepts (same ones once)."""
    unique: list[Any] = []
    for annotation in annotations:
        if annotation not in unique:
            unique.append(annotation)
    if len(unique) == 1:
        return unique[0]
    if all(typing.get_origin(strip_annotated(a)) is typing.Literal for a in unique):
        # The discriminator of a union: one Literal of every member's tag reads best.
        values = tuple(v for a in unique for v in typing.get_args(strip_annotated(a)))
        return typing.Literal[values]
    return typing.Union[tuple(unique)]  # noqa: UP007 - built from a runtime list


@functools.lru_cache(maxsize=256)
def _has_unions(model: type[BaseModel]) -> bool:
    """Whether ``model`` holds a union of models anywhere (most schemas do not)."""
    for info in model.model_fields.values():
        models = models_in(info.annotation)
        if len(models) > 1 or any(_has_unions(m) for m in models):
            return True
    return False


def chosen_members(model: type[BaseModel], tree: Mapping[str, Any], prefix: str = "") -> list[
    tuple[str, type[BaseModel]]
]:
    """For each union of models in ``tree`` (``optim: Adam | SGD``), its path and the member
    the tree's discriminator value selects (nested models and members searched too)."""
    found: list[tuple[str, type[BaseModel]]] = []
    for name, info in model.model_fields.items():
        value = tree.get(name)
        if not isinstance(value, Mapping):
            continue
        models = models_in(info.annotation)
        chosen = discriminated_member(models, value, info.discriminator) if len(models) > 1 else None
        if chosen is not None:
            found.append((f"{prefix}{name}", chosen[1]))
        sub = chosen[1] if chosen is not None else (models[0] if len(models) == 1 else None)
        if sub is not None:
            found += chosen_members(sub, value, f"{prefix}{name}.")
    return found


@functools.lru_cache(maxsize=512)
def _adapter(annotation: Any) -> TypeAdapter[Any]:
    return TypeAdapter(annotation)


def _plain(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump()
    return value


def check_value(ref: FieldRef, value: Any, alternatives: tuple[Any, ...] = ()) -> tuple[Any, str | None]:
    """Validate ``value`` against the field; returns ``(coerced, None)`` or ``(value, reason)``.

    ``alternatives`` are other readings of the same input tried in order when the first
    fails (the CLI passes the token's raw text, so ``name=123`` fits a ``str`` field).
    """
    if ref.annotation is Any:
        return value, None
    members = _members(ref.annotation)
    if isinstance(value, bool) and bool not in members and members & {int, float}:
        # pydantic's lax mode reads True as 1; on a command line that is a slip, not a number.
        return value, f"a bool is not a number; write {int(value)} if that is meant"
    adapter = _adapter(ref.annotation)
    reason: str | None = None
    # An enum field takes a member's name as well as its value (`color=RED`).
    names = [m[value] for m in members if _is_enum(m) and isinstance(value, str) and value in m.__members__]
    for candidate in (value, *alternatives, *names):
        try:
            return _plain(adapter.validate_python(candidate)), None
        except ValidationError as exc:
            if reason is None:
                reason = "; ".join(e["msg"] for e in exc.errors())
    return value, reason


def _members(annotation: Any) -> set[Any]:
    """The types a field accepts at its top level: a union's members, else the type itself."""
    annotation = strip_annotated(annotation)
    members = union_members(annotation)
    return {annotation} if members is None else {strip_annotated(m) for m in members}


def _mask() -> str:
    from ato.formats import SECRET_MASK  # formats stays unloaded until a secret is shown

    return SECRET_MASK


def _secret_kinds() -> tuple[type, ...]:
    import pydantic.types

    # `Secret[...]` came with pydantic 2.7; the floor is 2.6, which has the other two.
    names = ("Secret", "SecretBytes", "SecretStr")
    return tuple(k for k in (getattr(pydantic.types, n, None) for n in names) if isinstance(k, type))


def is_secret(annotation: Any) -> bool:
    """Whether a field of this type holds a secret (``SecretStr``, ``SecretBytes``, ``Secret[...]``)."""
    kinds = _secret_kinds()
    return any(
        (isinstance(member, type) and issubclass(member, kinds))
        or (isinstance(typing.get_origin(member), type) and issubclass(typing.get_origin(member), kinds))
        for member in _members(annotation)
    )


@functools.lru_cache(maxsize=256)
def _has_secrets(model: type[BaseModel]) -> bool:
    """Whether any field of ``model``, nested models and union members included, is a secret."""
    for info in model.model_fields.values():
        if is_secret(info.annotation) or any(_has_secrets(m) for m in models_in(info.annotation)):
            return True
    return False


@functools.lru_cache(maxsize=256)
def _secret_paths(model: type[BaseModel], prefix: str = "") -> frozenset[str]:
    """The dotted paths of every secret field, nested models and union members included."""
    found: set[str] = set()
    for name, info in model.model_fields.items():
        if is_secret(info.annotation):
            found.add(f"{prefix}{name}")
        for sub in models_in(info.annotation):
            found |= _secret_paths(sub, f"{prefix}{name}.")
    return frozenset(found)


def secret_leaves(instance: BaseModel, prefix: str = "") -> dict[str, Any]:
    """Every secret the validated ``instance`` holds, by dotted path (nested models too)."""
    kinds = _secret_kinds()
    found: dict[str, Any] = {}
    for name in type(instance).model_fields:
        value = getattr(instance, name, None)
        if isinstance(value, kinds):
            found[f"{prefix}{name}"] = value
        elif isinstance(value, BaseModel):
            found.update(secret_leaves(value, f"{prefix}{name}."))
    return found


def _is_enum(member: Any) -> bool:
    return isinstance(member, type) and issubclass(member, enum.Enum)


def schema_defaults(model: type[BaseModel]) -> dict[str, Any]:
    """The schema's defaults as a plain tree; nested models without a default are expanded."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            value = info.get_default(call_default_factory=True, validated_data={})
        elif info.default is not PydanticUndefined:
            value = copy.deepcopy(info.default)
        else:
            sub = model_in(info.annotation)
            if sub is None:
                continue
            value = schema_defaults(sub)
        out[name] = _plain(value)
    return out


def _loc_path(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _unknown_keys(model: type[BaseModel], tree: Mapping[str, Any], prefix: str) -> list[Problem]:
    if _allows_extra(model):
        return []
    problems: list[Problem] = []
    fields = model.model_fields
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if key not in fields:
            problems.append(
                Problem(
                    key=path,
                    detail=f"not a field of {model.__name__}",
                    suggestion=suggest(str(key), fields),
                )
            )
            continue
        if not isinstance(value, Mapping):
            continue
        models = models_in(fields[key].annotation)
        chosen = discriminated_member(models, value, fields[key].discriminator)
        sub = chosen[1] if chosen else (models[0] if len(models) == 1 else None)
        if sub is not None:
            problems += _unknown_keys(sub, value, f"{path}.")
    return problems


def validate(model: type[BaseModel], tree: Mapping[str, Any], source_of: SourceOf) -> BaseModel:
    """Validate the whole tree; every problem (unknown keys too) in one ConfigError.

    Args:
        model: The schema.
        tree: The built config.
        source_of: Names where the value at a dotted key came from (for the message).
    """
    problems = [
        Problem(p.key, p.expected, p.got, source_of(p.key or ""), p.suggestion, p.detail)
        for p in _unknown_keys(model, tree, "")
    ]
    try:
        instance = model.model_validate(dict(tree))
    except ValidationError as exc:
        for error in exc.errors():
            if error["type"] == "extra_forbidden":
                continue  # reported above, with a suggestion
            key = _loc_path(error["loc"])
            ref = lookup(model, ".".join(p for p in error["loc"] if isinstance(p, str)))
            declared = ref.type_str if isinstance(ref, FieldRef) and error["loc"] else None
            if error["type"] == "missing":
                problems.append(
                    Problem(
                        key=key or None,
                        expected=f"a value for this required field ({declared})" if declared else None,
                        detail=None if declared else error["msg"],
                        source="nothing set it: no default, view, file or CLI token",
                    )
                )
                continue
            expected = f"{declared} ({error['msg']})" if declared else None
            secret = isinstance(ref, FieldRef) and is_secret(ref.annotation)
            problems.append(
                Problem(
                    key=key or None,
                    expected=expected,
                    got=_mask() if secret else error["input"],
                    source=source_of(key),
                    detail=None if expected else error["msg"],
                )
            )
        raise ConfigError(problems=problems) from None
    if problems:
        raise ConfigError(problems=problems)
    return instance


def declared_leaves(model: type[BaseModel], prefix: str = "") -> dict[str, str]:
    """Each declared leaf's dotted path and canonical type, nested models expanded."""
    leaves: dict[str, str] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if is_model(info.annotation):
            leaves.update(declared_leaves(typing.cast(type[BaseModel], info.annotation), f"{path}."))
        else:
            leaves[path] = type_str(info.annotation)
    return leaves


def schema_hash(model: type[BaseModel]) -> str:
    """The typed structural hash: changes with a new or retyped field, never with a value."""
    return hash_leaves(declared_leaves(model))


def describe_fields(model: type[BaseModel], prefix: str = "") -> list[FieldDoc]:
    """Every leaf field with type, default and ``Field(description=...)``, for the manual."""
    docs: list[FieldDoc] = []
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        if is_model(info.annotation):
            docs += describe_fields(typing.cast(type[BaseModel], info.annotation), f"{path}.")
            continue
        if info.default_factory is not None:
            default = "(computed by a factory)"
        elif info.default is PydanticUndefined:
            default = "(required)"
        else:
            default = repr(info.default)
        docs.append(FieldDoc(path, type_str(info.annotation), default, info.description))
    return docs


# Public faces of the cached walks above (a schema class does not change once defined).
def has_unions(model: type[BaseModel]) -> bool:
    """Whether ``model`` holds a union of models anywhere (most schemas do not)."""
    return _has_unions(model)


def has_secrets(model: type[BaseModel]) -> bool:
    """Whether any field of ``model``, nested models and union members included, is a secret."""
    return _has_secrets(model)


def secret_paths(model: type[BaseModel]) -> frozenset[str]:
    """The dotted paths of every secret field, nested models and union members included."""
    return _secret_paths(model, "")
