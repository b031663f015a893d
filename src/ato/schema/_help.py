"""What ``--help`` shows of a schema: docstrings, descriptions, choices, constraints, defaults.

Contract of :func:`schema_help`: one row per leaf field (dotted path, nested models
expanded, in declaration order), preceded by a row for each nested model that has
something to say (a description or a docstring). A row gives:

- the type as the command line sees it: ``Literal``/``Enum`` choices as ``{adam,sgd}``
  (spelled as they are typed: a str bare, anything else by ``repr``), other types in the
  canonical spelling of :func:`~ato.schema.type_str`;
- the constraints pydantic enforces on the field itself (``gt``, ``ge``, ``lt``, ``le``,
  ``multiple_of``, ``pattern``, ``min_length``/``max_length``), as ``> 0``, ``length 1..32``;
- the default the config really starts from: a nested model's default instance wins over
  the nested class's own defaults (``optim: Optim = Optim(lr=0.1)`` shows 0.1), a
  ``default_factory`` is called (as every run calls it), a required field says so;
- the description: ``Field(description=...)``, else the field's attribute docstring.

Attribute docstrings (a string literal on the line below the field, as tyro and Sphinx
read them) are read here, from the class's source with :mod:`ast`, for every schema:
pydantic puts the same text into ``description`` only when a model sets
``use_attribute_docstrings=True``, and a user should not need to know that switch for
``--help`` to show what they wrote. Only the help path reads source (``inspect`` and
``ast`` cost milliseconds), and it only parses it, never compiles or runs it
(tests/test_safety.py lists this parse beside the ``.py`` config loader's). A class whose
source is not available (built with ``create_model``, or run from a frozen app) simply
has none.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from ato.schema._binding import is_secret
from ato.schema._types import (
    discriminator_key,
    literal_fields,
    models_in,
    strip_annotated,
    type_str,
    union_members,
)

__all__ = ["FieldHelp", "SchemaHelp", "schema_help"]

_NONE = type(None)
_MISSING = object()


class FieldHelp(NamedTuple):
    """One row of a schema's help: a leaf field, or a nested model (``group``)."""

    path: str
    """Dotted path, e.g. ``optim.lr``."""
    type_text: str
    """``float``, ``{adam,sgd}``, ``{adam,sgd} | None``; a group's model class name."""
    default: str
    """``repr`` of the default, ``(required)``; empty for a group."""
    description: str | None
    """``Field(description=...)`` or the attribute docstring, on one line."""
    constraints: tuple[str, ...] = ()
    """What pydantic enforces beyond the type, e.g. ``('> 0', '<= 1')``."""
    choices: tuple[str, ...] = ()
    """The values the command line may give, as typed (``Literal``/``Enum`` members,
    ``True``/``False`` for a bool); empty when any value of the type goes."""
    group: bool = False
    """True for a row that names a nested model rather than a leaf."""


class SchemaHelp(NamedTuple):
    """A schema's docstring and its rows."""

    doc: str | None
    rows: list[FieldHelp]


def schema_help(model: type[BaseModel]) -> SchemaHelp:
    """Everything ``--help`` shows of ``model`` (see the module's contract)."""
    return SchemaHelp(_docstring(model), _rows(model, "", None))


# ------------------------------------------------------------------ rows
def _rows(model: type[BaseModel], prefix: str, given: Mapping[str, Any] | None) -> list[FieldHelp]:
    """Rows of ``model``; ``given`` holds the defaults a parent's default instance sets."""
    rows: list[FieldHelp] = []
    docs = _attribute_docstrings(model)
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        description = _one_line(info.description) or docs.get(name)
        default = given.get(name, _MISSING) if given is not None else _MISSING
        if default is _MISSING:
            default = _default_of(info)
        members = models_in(info.annotation)
        if len(members) > 1:
            rows += _union_rows(path, members, description, default, info.discriminator)
            continue
        sub = _nested_model(info.annotation)
        if sub is not None:
            summary = description or _summary(sub.__doc__)
            if summary:
                rows.append(FieldHelp(path, sub.__name__, "", summary, group=True))
            if isinstance(default, BaseModel):
                default = default.model_dump()
            rows += _rows(sub, f"{path}.", default if isinstance(default, Mapping) else None)
            continue
        if default is _MISSING:
            shown = "(required)"
        elif is_secret(info.annotation):  # even a plain-text default is never shown in clear
            from ato.formats import SECRET_MASK

            shown = repr(SECRET_MASK)
        else:
            shown = _repr(default)
        rows.append(FieldHelp(
            path, _type_text(info.annotation), shown, description,
            _constraints(info), _choices(info.annotation),
        ))
    return rows


def _union_rows(
    path: str, members: list[type[BaseModel]], description: str | None, default: Any, declared: object
) -> list[FieldHelp]:
    """A union of models: each member's fields under the discriminator value selecting it."""
    if isinstance(default, BaseModel):
        default = default.model_dump()
    tags = [literal_fields(m) for m in members]
    tag = discriminator_key(members, declared)
    names = " | ".join(m.__name__ for m in members)
    how = f"one of {names}, chosen by {path}.{tag}" if tag else f"one of {names}"
    rows = [FieldHelp(path, names, "", f"{description}; {how}" if description else how, group=True)]
    for member, found in zip(members, tags, strict=True):
        label = f"{path} [{tag}={_spell(found[tag][0])}]" if tag else f"{path} [{member.__name__}]"
        rows.append(FieldHelp(label, member.__name__, "", _summary(member.__doc__), group=True))
        chosen = isinstance(default, Mapping) and tag is not None and default.get(tag) in found.get(tag, ())
        rows += _rows(member, f"{path}.", default if chosen else None)
    return rows


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model the help expands: the annotation is the class itself (not ``Optim | None``,
    whose default None has no fields to show)."""
    annotation = strip_annotated(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _default_of(info: FieldInfo) -> Any:
    if info.default_factory is not None:
        try:
            return info.get_default(call_default_factory=True, validated_data={})
        except Exception:  # a factory that reads other fields: say so instead of failing the help
            return _Text("(computed by a factory)")
    if info.default is PydanticUndefined:
        return _MISSING
    return info.default


class _Text(str):
    """A default shown as it is, not by ``repr``."""

    __slots__ = ()


def _repr(value: Any) -> str:
    if isinstance(value, _Text):
        return str(value)
    if isinstance(value, enum.Enum):
        return repr(value.value)
    return repr(value)


# ------------------------------------------------------------------ types and choices
def _spell(value: Any) -> str:
    """How the command line types ``value``: a str bare, anything else by ``repr``."""
    if isinstance(value, enum.Enum):
        value = value.value
    return value if isinstance(value, str) else repr(value)


def _choice_values(annotation: Any) -> list[Any] | None:
    """The members of a ``Literal`` or ``Enum`` type, else None."""
    annotation = strip_annotated(annotation)
    if typing.get_origin(annotation) is typing.Literal:
        return list(typing.get_args(annotation))
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return [member.value for member in annotation]
    return None


def _type_text(annotation: Any) -> str:
    """The type as the help shows it: choices in braces, the rest as :func:`type_str`."""
    annotation = strip_annotated(annotation)
    members = union_members(annotation)
    if members is not None:
        parts = [_type_text(m) for m in members if m is not _NONE]
        if _NONE in members:
            parts.append("None")
        return " | ".join(parts)
    values = _choice_values(annotation)
    if values is not None:
        return "{" + ",".join(_spell(v) for v in values) + "}"
    return type_str(annotation)


def _choices(annotation: Any) -> tuple[str, ...]:
    """What the command line may give, as typed; empty when the type takes any value."""
    annotation = strip_annotated(annotation)
    found: list[str] = []
    for declared in union_members(annotation) or (annotation,):
        member = strip_annotated(declared)
        if member is _NONE:
            found.append("None")
        elif member is bool:
            found += ["True", "False"]
        else:
            values = _choice_values(member)
            if values is None:
                return ()  # an open type in the union: any value goes
            found += [_spell(v) for v in values]
    return tuple(dict.fromkeys(found))


# ------------------------------------------------------------------ constraints
_BOUNDS = (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))


def _constraints(info: FieldInfo) -> tuple[str, ...]:
    """The field's own constraints, read from pydantic's metadata (``annotated_types``)."""
    found: dict[str, Any] = {}
    for item in info.metadata:
        for name in ("gt", "ge", "lt", "le", "multiple_of", "min_length", "max_length", "pattern"):
            value = getattr(item, name, None)
            if value is not None:
                found[name] = value
    out = [f"{sign} {found[name]}" for name, sign in _BOUNDS if name in found]
    if "multiple_of" in found:
        out.append(f"multiple of {found['multiple_of']}")
    low, high = found.get("min_length"), found.get("max_length")
    if low is not None and high is not None:
        out.append(f"length {low}..{high}")
    elif low is not None:
        out.append(f"length >= {low}")
    elif high is not None:
        out.append(f"length <= {high}")
    if "pattern" in found:
        pattern = found["pattern"]
        out.append(f"pattern {getattr(pattern, 'pattern', pattern)!r}")
    return tuple(out)


# ------------------------------------------------------------------ docstrings
def _one_line(text: str | None) -> str | None:
    """``text`` with every run of whitespace (newlines too) made one space; None if blank."""
    joined = " ".join(text.split()) if text else ""
    return joined or None


def _docstring(model: type[BaseModel]) -> str | None:
    """The class's own docstring, dedented (pydantic's BaseModel docstring is not inherited)."""
    doc = model.__dict__.get("__doc__")
    if not isinstance(doc, str) or not doc.strip():
        return None
    import inspect

    return inspect.cleandoc(doc)


def _summary(doc: str | None) -> str | None:
    """The first paragraph of a docstring, on one line."""
    if not doc or not doc.strip():
        return None
    import inspect

    return _one_line(inspect.cleandoc(doc).split("\n\n")[0])


def _attribute_docstrings(model: type[BaseModel]) -> dict[str, str]:
    """``{field: docstring}`` for the string literals below fields, subclasses first."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if isinstance(cls, type) and issubclass(cls, BaseModel) and cls is not BaseModel:
            found.update(_class_docstrings(cls))
    return found


def _class_docstrings(cls: type) -> dict[str, str]:
    import ast
    import inspect
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(cls))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return {}
    body = next((node.body for node in tree.body if isinstance(node, ast.ClassDef)), [])
    return dict(_pairs(body))


def _pairs(body: Iterable[Any]) -> Iterable[tuple[str, str]]:
    import ast

    previous: str | None = None
    for node in body:
        if (previous is not None and isinstance(node, ast.Expr)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            text = _one_line(node.value.value)
            if text:
                yield previous, text
        previous = None
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            previous = node.target.id
