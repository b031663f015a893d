"""Canonical spelling of declared types, the basis of the typed structural hash.

The text must not depend on how a type was written (``Optional[int]``, ``int | None`` and
``Union[None, int]`` are one type), on the process, or on the Python version, so it is
built here from the annotation's structure rather than from ``repr``.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import Any

from pydantic import BaseModel

__all__ = [
    "discriminated_member",
    "discriminator_key",
    "is_model",
    "literal_fields",
    "model_in",
    "models_in",
    "strip_annotated",
    "type_str",
    "union_members",
]

_NONE = type(None)


def is_model(annotation: object) -> bool:
    """Whether ``annotation`` is a pydantic model class."""
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def strip_annotated(annotation: Any) -> Any:
    """The type inside any number of ``Annotated[...]`` layers."""
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def union_members(annotation: Any) -> tuple[Any, ...] | None:
    """The members of a ``Union``/``X | Y`` annotation, else None."""
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return None


def model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class a field holds, also through ``Optional[...]`` and ``Annotated``."""
    annotation = strip_annotated(annotation)
    if is_model(annotation):
        return typing.cast(type[BaseModel], annotation)
    members = union_members(annotation)
    if members is not None:
        found = [m for m in (strip_annotated(m) for m in members) if is_model(m)]
        if len(found) == 1 and all(m is _NONE or is_model(m) for m in members):
            return typing.cast(type[BaseModel], found[0])
    return None


def models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model classes a field holds: one, or each member of a union of models
    (``Adam | SGD``, also ``Optional``); empty when the field holds anything else."""
    annotation = strip_annotated(annotation)
    if is_model(annotation):
        return [typing.cast(type[BaseModel], annotation)]
    members = [strip_annotated(m) for m in union_members(annotation) or ()]
    models = [typing.cast(type[BaseModel], m) for m in members if is_model(m)]
    if models and all(m is _NONE or is_model(m) for m in members):
        return models
    return []


@functools.lru_cache(maxsize=256)
def literal_fields(model: type[BaseModel]) -> dict[str, tuple[Any, ...]]:
    """Fields typed ``Literal[...]``, with their values: the candidates for a discriminator."""
    found = {}
    for name, info in model.model_fields.items():
        annotation = strip_annotated(info.annotation)
        if typing.get_origin(annotation) is typing.Literal:
            found[name] = typing.get_args(annotation)
    return found


def discriminator_key(models: list[type[BaseModel]], declared: object = None) -> str | None:
    """The key that tells the members of a union of models apart.

    ``declared`` is the field's ``discriminator=`` when it names a key; without one, the
    key is a field every member types as a ``Literal`` with values no two members share
    (a ``Literal`` that several members share, such as a precision, tells nothing apart).
    """
    if len(models) < 2:
        return None
    if isinstance(declared, str):
        return declared
    tags = [literal_fields(m) for m in models]
    for key in tags[0]:
        if all(key in t for t in tags):
            values = [set(t[key]) for t in tags]
            if sum(map(len, values)) == len(set().union(*values)):
                return key
    return None


def discriminated_member(
    models: list[type[BaseModel]], values: typing.Mapping[str, Any], declared: object = None
) -> tuple[str, type[BaseModel]] | None:
    """The member of a union of models that ``values`` selects, and the key that selects it
    (see :func:`discriminator_key`); None when ``values`` selects none."""
    key = discriminator_key(models, declared)
    if key is None or key not in values:
        return None
    for model in models:
        if values[key] in literal_fields(model).get(key, ()):
            return key, model
    return None


def type_str(annotation: Any) -> str:
    """Canonical text of a declared type: ``float``, ``int | None``, ``Literal['a', 'b']``."""
    annotation = strip_annotated(annotation)
    if annotation is Any:
        return "Any"
    if annotation is _NONE or annotation is None:
        return "None"
    members = union_members(annotation)
    if members is not None:
        parts = sorted({type_str(m) for m in members} - {"None"})
        if any(m is _NONE for m in members):
            parts.append("None")
        return " | ".join(parts)
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        values = sorted(typing.get_args(annotation), key=repr)
        return "Literal[" + ", ".join(repr(v) for v in values) + "]"
    if origin is not None:
        args = typing.get_args(annotation)
        name = getattr(origin, "__name__", str(origin))
        if not args:
            return str(name)
        inner = ", ".join("..." if a is Ellipsis else type_str(a) for a in args)
        return f"{name}[{inner}]"
    if isinstance(annotation, type):
        return annotation.__qualname__
    return str(annotation)
