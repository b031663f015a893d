"""ato.tracker._config: the config a run stores is what a file would hold, secrets masked."""

from __future__ import annotations

import datetime
import decimal
import enum
import json
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import pytest
from _tracker_util import query, sqlite_url
from pydantic import BaseModel, Field, SecretStr

from ato.adict import ADict
from ato.formats import SECRET_MASK
from ato.tracker import SQLFinder, SQLLogger
from ato.tracker._config import config_record, jsonable

CLEAR = "hunter2-in-clear"


class Mode(enum.Enum):
    """A plain enum."""

    FAST = "fast"
    SLOW = 3


class Adam(BaseModel):
    """One union member."""

    kind: Literal["adam"] = "adam"
    lr: float = 1e-3


class SGD(BaseModel):
    """The other."""

    kind: Literal["sgd"] = "sgd"
    momentum: float = 0.9


class Sql(BaseModel):
    """Where the runs go."""

    db_path: str


class Experiment(BaseModel):
    """The spec's experiment section."""

    project_name: str = "values"
    sql: Sql


class Config(BaseModel):
    """A schema with every kind of value a file cannot spell as such."""

    experiment: Experiment
    out: Path = Path("runs/a")
    mode: Mode = Mode.SLOW
    tags: set[str] = {"b", "a"}
    shape: tuple[int, int] = (2, 3)
    start: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5)
    day: datetime.date = datetime.date(2024, 1, 2)
    price: decimal.Decimal = decimal.Decimal("0.10")
    run_id: uuid.UUID = uuid.UUID(int=7)
    optim: Annotated[Adam | SGD, Field(discriminator="kind")] = SGD()
    token: SecretStr = SecretStr(CLEAR)


class _Opaque:
    """An object no conversion knows."""

    def __str__(self) -> str:
        return "opaque"


def _stored(db: Path) -> dict[str, Any]:
    rows = query(db, "SELECT config FROM experiments")
    assert len(rows) == 1
    return json.loads(rows[0][0])  # type: ignore[no-any-return]


def _expected(url: str) -> dict[str, Any]:
    return {
        "experiment": {"project_name": "values", "sql": {"db_path": url}},
        "out": "runs/a",
        "mode": 3,
        "tags": ["a", "b"],
        "shape": [2, 3],
        "start": "2024-01-02T03:04:05",
        "day": "2024-01-02",
        "price": "0.10",
        "run_id": str(uuid.UUID(int=7)),
        "optim": {"kind": "sgd", "momentum": 0.9},
        "token": SECRET_MASK,
    }


def _database_bytes(db: Path) -> bytes:
    """The database file and its write-ahead log, whatever SQLite has not yet merged."""
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def _store(config: Any) -> None:
    logger = SQLLogger(config)
    logger.run()
    logger.finish()


@pytest.mark.parametrize("form", ["model", "adict"])
def test_run_stores_readable_values_and_a_masked_secret(tmp_path: Path, form: str) -> None:
    """A model, or the ADict a typed scope builds (values as they were written), stores one tree."""
    db = tmp_path / "runs.db"
    model = Config(experiment=Experiment(sql=Sql(db_path=sqlite_url(db))))
    _store(model if form == "model" else ADict(model.model_dump()))
    assert _stored(db) == _expected(sqlite_url(db))
    assert CLEAR.encode() not in _database_bytes(db)


def test_stored_config_validates_back_to_an_equal_model(tmp_path: Path) -> None:
    """The config read back by SQLFinder validates into the schema as the same model, but the secret."""
    db = tmp_path / "runs.db"
    model = Config(experiment=Experiment(sql=Sql(db_path=sqlite_url(db))), mode=Mode.FAST, tags={"z"})
    _store(model)
    (run,) = SQLFinder(model).get_runs_in_project("values")
    back = Config.model_validate(run.config.to_dict())
    assert back == model.model_copy(update={"token": SecretStr(SECRET_MASK)})


def test_config_record_matches_what_a_file_holds() -> None:
    """config_record's tree is ato.formats.to_plain's: one conversion for files and runs."""
    from ato.formats import to_plain

    model = Config(experiment=Experiment(sql=Sql(db_path="sqlite://")))
    tree, _ = config_record(model)
    assert tree == to_plain(model)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (datetime.timedelta(hours=1), "PT1H"),  # no file form; pydantic's JSON form
        (np.arange(3), [0, 1, 2]),
        ({1: float("nan"), "b": -float("inf")}, {"1": "nan", "b": "-inf"}),
        ([SecretStr("x"), {"deep": SecretStr("y")}], [SECRET_MASK, {"deep": SECRET_MASK}]),
        (_Opaque(), "opaque"),  # nothing knows it: its str, since a run is never refused
    ],
)
def test_jsonable_never_refuses_a_value(value: Any, stored: Any) -> None:
    """What no file holds still becomes JSON: pydantic's form, a list, or text."""
    assert jsonable(value) == stored
