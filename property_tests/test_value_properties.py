"""Every value a schema can hold is saved in every format and read back as an equal model.

A model of the schema below is built from generated values (paths, enums of three kinds,
sets, tuples, dates and times, Decimals, UUIDs, a nested model, a discriminated union, a
secret), dumped as ``scope.config`` holds it (``ADict(model.model_dump())``) to a file of
each extension, read back with ``ADict.from_file`` and validated by the schema. The model
that comes back equals the one written, except the secret, which is written masked and so
reads back as the mask. Temporary directories are made per example: pytest's
function-scoped fixtures are not reset between Hypothesis examples.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import tempfile
import uuid
from pathlib import Path
from typing import Annotated, Literal

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, SecretStr

from ato import ADict
from ato.formats import SECRET_MASK
from property_tests.strategies import (
    datetimes,
    decimals,
    finite_floats,
    paths,
    secrets,
    texts,
    toml_ints,
)

FILE_EXTENSIONS = (".json", ".yaml", ".yml", ".toml", ".xyz", ".py")


class Color(enum.StrEnum):
    """A str enum whose values look like other things."""

    RED = "red"
    NUMBER = "1"
    EMPTY = ""


class Level(enum.IntEnum):
    """An int enum."""

    LOW = -1
    HIGH = 2**40


class Mode(enum.Enum):
    """A plain enum with values of several kinds."""

    FAST = "fast"
    SLOW = 3
    HALF = 0.5
    ON = True


class Adam(BaseModel):
    """One union member."""

    kind: Literal["adam"] = "adam"
    lr: float = 1e-3
    betas: tuple[float, float] = (0.9, 0.999)


class SGD(BaseModel):
    """The other union member."""

    kind: Literal["sgd"] = "sgd"
    momentum: float = 0.9
    nesterov: bool = False


class Data(BaseModel):
    """A nested model."""

    root: Path = Path("data")
    splits: tuple[str, ...] = ()
    when: datetime.date = datetime.date(2024, 1, 1)


class Values(BaseModel):
    """One field of each kind of value no format spells as such."""

    out: Path
    color: Color
    level: Level
    mode: Mode
    tags: set[str]
    seeds: frozenset[int]
    shape: tuple[int, str, float]
    start: datetime.datetime
    day: datetime.date
    at: datetime.time
    price: decimal.Decimal
    run_id: uuid.UUID
    data: Data
    optim: Annotated[Adam | SGD, Field(discriminator="kind")]
    token: SecretStr


models = st.builds(
    Values,
    out=paths,
    color=st.sampled_from(Color),
    level=st.sampled_from(Level),
    mode=st.sampled_from(Mode),
    tags=st.sets(texts, max_size=4),
    seeds=st.frozensets(toml_ints, max_size=4),
    shape=st.tuples(toml_ints, texts, finite_floats),
    start=datetimes,
    day=st.dates(),
    at=st.times(),
    price=decimals,
    run_id=st.uuids(),
    data=st.builds(Data, root=paths, splits=st.lists(texts, max_size=3).map(tuple), when=st.dates()),
    optim=st.one_of(
        st.builds(Adam, lr=finite_floats, betas=st.tuples(finite_floats, finite_floats)),
        st.builds(SGD, momentum=finite_floats, nesterov=st.booleans()),
    ),
    token=secrets,
)


@given(model=models)
def test_dump_then_load_through_the_schema_gives_an_equal_model(model: Values) -> None:
    """Each format writes every value; validating the file gives the model back, secret masked."""
    expected = model.model_copy(update={"token": SecretStr(SECRET_MASK)})
    config = ADict(model.model_dump())
    with tempfile.TemporaryDirectory() as tmp:
        for ext in FILE_EXTENSIONS:
            path = Path(tmp) / f"config{ext}"
            config.dump(path)
            back = Values.model_validate(ADict.from_file(path).to_dict())
            assert back == expected, (ext, path.read_text(encoding="utf-8"))
