"""ato.schema.schema_help: what --help shows of a schema (choices, constraints, defaults, docs)."""

from __future__ import annotations

import enum
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, ConfigDict, Field, create_model

from ato.schema import FieldHelp, schema_help


class Precision(enum.Enum):
    FULL = "fp32"
    HALF = "bf16"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Optim(BaseModel):
    """Settings of the optimiser.

    Only this first paragraph is a group's summary.
    """

    lr: float = Field(1e-3, gt=0, description="learning rate")
    name: Literal["adam", "sgd"] = "adam"
    """the update
    rule"""


class Config(BaseModel):
    """A config.

    With a second paragraph.
    """

    epochs: int = Field(10, ge=1, le=1000)
    batch: int = Field(32, multiple_of=8, lt=1024)
    name: str = Field("run", pattern=r"^[a-z]+$", min_length=1, max_length=8)
    tags: list[str] = Field(default_factory=lambda: ["a"], min_length=1)
    short: list[int] = Field(default_factory=list, max_length=3)
    precision: Precision = Precision.HALF
    level: Level = Level.LOW
    mode: Literal["auto"] | int = "auto"
    maybe: Literal["x", "y"] | None = None
    flag: bool = False
    seed: int | None = None
    """documented by its attribute docstring"""
    both: int = Field(0, description="the description wins")
    """not this docstring"""
    annotated: Annotated[float, Field(gt=0.5)] = 1.0
    required: int
    optim: Optim = Optim(lr=0.5)
    maybe_optim: Optim | None = None


def rows() -> dict[str, FieldHelp]:
    return {row.path: row for row in schema_help(Config).rows}


class TestSchemaHelp:
    """One row per leaf, a row per documented nested model, the class docstring."""

    def test_docstring_is_dedented_and_kept_whole(self) -> None:
        """The schema's docstring comes back dedented, every paragraph."""
        assert schema_help(Config).doc == "A config.\n\nWith a second paragraph."

    def test_no_docstring(self) -> None:
        """A model without a docstring has none (BaseModel's own is not inherited)."""
        bare = create_model("Bare", x=(int, 1))
        assert schema_help(bare).doc is None
        assert schema_help(bare).rows == [FieldHelp("x", "int", "1", None)]

    def test_rows_follow_declaration_order_with_groups(self) -> None:
        """Leaves in declaration order; a nested model's row comes before its leaves."""
        assert list(rows()) == [
            "epochs", "batch", "name", "tags", "short", "precision", "level", "mode", "maybe",
            "flag", "seed", "both", "annotated", "required", "optim", "optim.lr", "optim.name",
            "maybe_optim",
        ]
        group = rows()["optim"]
        assert group == FieldHelp("optim", "Optim", "", "Settings of the optimiser.", group=True)


@pytest.mark.parametrize(("path", "type_text", "choices"), [
    ("precision", "{fp32,bf16}", ("fp32", "bf16")),
    ("level", "{1,2}", ("1", "2")),
    ("mode", "{auto} | int", ()),
    ("maybe", "{x,y} | None", ("x", "y", "None")),
    ("flag", "bool", ("True", "False")),
    ("seed", "int | None", ()),
    ("optim.name", "{adam,sgd}", ("adam", "sgd")),
    ("maybe_optim", "Optim | None", ()),
])
def test_choices(path: str, type_text: str, choices: tuple[str, ...]) -> None:
    """Literal and Enum members show as {a,b}, spelled as the command line takes them."""
    row = rows()[path]
    assert (row.type_text, row.choices) == (type_text, choices)


@pytest.mark.parametrize(("path", "constraints"), [
    ("epochs", (">= 1", "<= 1000")),
    ("batch", ("< 1024", "multiple of 8")),
    ("name", ("length 1..8", "pattern '^[a-z]+$'")),
    ("tags", ("length >= 1",)),
    ("short", ("length <= 3",)),
    ("annotated", ("> 0.5",)),
    ("optim.lr", ("> 0",)),
    ("flag", ()),
])
def test_constraints(path: str, constraints: tuple[str, ...]) -> None:
    """gt/ge/lt/le, multiple_of, min/max_length and pattern, from Field and Annotated."""
    assert rows()[path].constraints == constraints


@pytest.mark.parametrize(("path", "default"), [
    ("epochs", "10"),
    ("name", "'run'"),
    ("tags", "['a']"),  # the factory is called, as every run calls it
    ("precision", "'bf16'"),  # an Enum shows the value the command line takes
    ("required", "(required)"),
    ("optim.lr", "0.5"),  # the parent's default instance, not Optim's own 0.001
    ("optim.name", "'adam'"),
    ("maybe_optim", "None"),
])
def test_defaults(path: str, default: str) -> None:
    """The default a build starts from, as repr."""
    assert rows()[path].default == default


def test_factory_reading_other_fields_is_named() -> None:
    """A factory that needs the other fields is not called; the help says so."""
    model = create_model("M", a=(int, 1), b=(int, Field(default_factory=lambda data: data["a"] + 1)))
    assert schema_help(model).rows[1].default == "(computed by a factory)"


@pytest.mark.parametrize(("path", "description"), [
    ("seed", "documented by its attribute docstring"),
    ("both", "the description wins"),
    ("optim.name", "the update rule"),  # whitespace, newlines too, made one space
    ("optim.lr", "learning rate"),
    ("epochs", None),
])
def test_descriptions(path: str, description: str | None) -> None:
    """Field(description=...) first, else the attribute docstring, on one line."""
    assert rows()[path].description == description


def test_pydantic_attribute_docstrings_switch_agrees() -> None:
    """With use_attribute_docstrings=True pydantic finds the same text ato reads itself."""

    class Switched(BaseModel):
        model_config = ConfigDict(use_attribute_docstrings=True)
        x: int = 1
        """the x"""

    assert Switched.model_fields["x"].description == "the x"
    assert schema_help(Switched).rows[0].description == "the x"


def test_inherited_attribute_docstrings() -> None:
    """A subclass shows its base's attribute docstrings, and its own override them."""

    class Base(BaseModel):
        x: int = 1
        """x of the base"""
        y: int = 2
        """y of the base"""

    class Child(Base):
        y: int = 3
        """y of the child"""

    described = {row.path: row.description for row in schema_help(Child).rows}
    assert described == {"x": "x of the base", "y": "y of the child"}
