"""ato.formats._values: the one conversion of rich values into what a config file holds."""

from __future__ import annotations

import datetime
import decimal
import enum
import os
import subprocess
import sys
import uuid
from pathlib import Path, PurePosixPath
from typing import Annotated, Any, Literal

import numpy as np
import pytest
from pydantic import BaseModel, Field, HttpUrl, SecretBytes, SecretStr

from ato import ADict, ConfigError
from ato.formats import SECRET_MASK, dump_file, dumps, holds_secret, load_file, to_plain

ALL_EXTENSIONS = (".json", ".yaml", ".yml", ".toml", ".xyz", ".py")


class Color(enum.StrEnum):
    """A str enum."""

    RED = "red"


class Level(enum.IntEnum):
    """An int enum."""

    HIGH = 3


class Mode(enum.Enum):
    """A plain enum with values of two kinds."""

    FAST = "fast"
    SLOW = 2


class Adam(BaseModel):
    """One member of a discriminated union."""

    kind: Literal["adam"] = "adam"
    lr: float = 1e-3


class SGD(BaseModel):
    """The other member."""

    kind: Literal["sgd"] = "sgd"
    momentum: float = 0.9


class Rich(BaseModel):
    """One field of every kind of value the conversion knows."""

    out: Path = Path("runs/exp1")
    color: Color = Color.RED
    level: Level = Level.HIGH
    mode: Mode = Mode.SLOW
    fast: Mode = Mode.FAST
    tags: set[str] = {"b", "c", "a"}
    ids: frozenset[int] = frozenset({10, 9, 100})
    shape: tuple[int, int] = (2, 3)
    when: datetime.datetime = datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC)
    day: datetime.date = datetime.date(2024, 2, 29)
    at: datetime.time = datetime.time(23, 59, 1)
    price: decimal.Decimal = decimal.Decimal("1.10")
    uid: uuid.UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")
    adam: Adam = Adam()
    optim: Annotated[Adam | SGD, Field(discriminator="kind")] = SGD(momentum=0.5)
    home: HttpUrl = HttpUrl("https://example.org/a")
    token: SecretStr = SecretStr("hunter2")
    key: SecretBytes = SecretBytes(b"s3cr3t")


RICH_PLAIN = {
    "out": "runs/exp1",
    "color": "red",
    "level": 3,
    "mode": 2,
    "fast": "fast",
    "tags": ["a", "b", "c"],
    "ids": [9, 10, 100],
    "shape": [2, 3],
    "when": "2024-01-02T03:04:05.000006+00:00",
    "day": "2024-02-29",
    "at": "23:59:01",
    "price": "1.10",
    "uid": "12345678-1234-5678-1234-567812345678",
    "adam": {"kind": "adam", "lr": 1e-3},
    "optim": {"kind": "sgd", "momentum": 0.5},
    "home": "https://example.org/a",
    "token": SECRET_MASK,
    "key": SECRET_MASK,
}


class TestConversion:
    """Each kind of value becomes the plain form the module's table names."""

    def test_every_kind_of_value_in_a_model(self) -> None:
        """A model with one field of each kind converts to the expected plain tree, with exact types."""
        plain = to_plain(Rich())
        assert plain == RICH_PLAIN
        assert [type(v) for v in plain.values()] == [type(v) for v in RICH_PLAIN.values()]

    def test_model_dump_and_model_convert_alike(self) -> None:
        """The model itself, its python-mode dump and an ADict of that dump give one tree."""
        model = Rich()
        assert to_plain(model.model_dump()) == to_plain(ADict(model.model_dump())) == to_plain(model)

    @pytest.mark.parametrize(
        ("value", "plain"),
        [
            (PurePosixPath("a/b"), "a/b"),
            (Color.RED, "red"),
            (Level.HIGH, 3),
            (Mode.SLOW, 2),
            ({3, 1, 2}, [1, 2, 3]),
            (frozenset({"y", "x"}), ["x", "y"]),
            ({1, "a", None}, [None, 1, "a"]),  # no order between them: by type name, then repr
            ({Color.RED, Mode.FAST}, ["fast", "red"]),  # sorted after conversion
            ((1, (2, 3)), [1, [2, 3]]),
            (datetime.date(2024, 1, 1), "2024-01-01"),
            (decimal.Decimal("0.1000"), "0.1000"),
            (decimal.Decimal("1E+3"), "1E+3"),
            (np.int64(7), 7),
            (np.bool_(True), True),
            (np.float32(0.5), 0.5),
        ],
    )
    def test_single_values(self, value: Any, plain: Any) -> None:
        """A single rich value becomes its plain form, of the plain type."""
        got = to_plain({"v": value})["v"]
        assert got == plain
        assert type(got) is type(plain)

    def test_values_in_memory_are_left_alone(self) -> None:
        """Converting copies: the tree still holds its Path, set and secret afterwards."""
        secret = SecretStr("x")
        tree = ADict(out=Path("runs"), tags={"a"}, nested={"token": secret})
        to_plain(tree)
        dumps(tree, "yaml")
        assert tree.out == Path("runs")
        assert tree.tags == {"a"}
        assert tree.nested.token is secret

    def test_secrets_are_masked_however_deep(self) -> None:
        """A secret in a list, a mapping or a model is the mask, empty secrets included."""
        tree = {"a": [SecretStr("p")], "b": {"c": SecretBytes(b"q")}, "m": Rich(), "e": SecretStr("")}
        plain = to_plain(tree)
        assert plain["a"] == [SECRET_MASK]
        assert plain["b"]["c"] == SECRET_MASK
        assert plain["m"]["token"] == SECRET_MASK
        assert plain["e"] == SECRET_MASK

    def test_unknown_objects_are_problems_by_key(self) -> None:
        """Without a fallback every value with no plain form is listed by dotted key."""
        marker = object()
        with pytest.raises(ConfigError) as err:
            to_plain({"a": {"b": marker}, "c": [1, object()], "s": frozenset([object()])})
        assert [p.key for p in err.value.problems] == ["a.b", "c[1]", "s"]
        assert err.value.problems[0].got is marker

    def test_fallback_replaces_unknown_objects_and_keys(self) -> None:
        """With a fallback, its result stands in for an unknown value, and keys become text."""
        plain = to_plain({"a": object(), 1: object(), "p": Path("x")}, fallback=lambda v: "?")
        assert plain == {"a": "?", "1": "?", "p": "x"}

    def test_numpy_array_is_a_problem_not_a_crash(self) -> None:
        """An array is no scalar: it is reported by key (the tracker's fallback makes it a list)."""
        with pytest.raises(ConfigError) as err:
            to_plain({"w": np.arange(3)})
        assert err.value.key == "w"


class TestHoldsSecret:
    """Where a value may only be shown masked."""

    @pytest.mark.parametrize(
        "value",
        [
            SecretStr("x"), SecretBytes(b"x"), [1, SecretStr("x")], {"a": {"b": SecretStr("x")}},
            Rich(), {SecretStr("x")},
        ],
    )
    def test_found_anywhere(self, value: Any) -> None:
        """A secret by itself, inside containers, or in a model's field is found."""
        assert holds_secret(value)

    @pytest.mark.parametrize("value", [None, "**********", [1, "a"], {"a": Path("x")}, Adam()])
    def test_absent(self, value: Any) -> None:
        """Text, even the mask itself, and models without secret fields hold none."""
        assert not holds_secret(value)


class TestFiles:
    """Every format writes the converted values; the schema reads them back."""

    @pytest.mark.parametrize("ext", ALL_EXTENSIONS)
    def test_dump_then_validate_gives_an_equal_model(self, tmp_path: Path, ext: str) -> None:
        """dump in each format, load, validate: the same model, the secret read back as its mask."""
        model = Rich(tags={"x", "y"}, token=SecretStr("clear"))
        path = tmp_path / f"rich{ext}"
        dump_file(model.model_dump(), path)
        back = Rich.model_validate(load_file(path))
        assert back.token.get_secret_value() == SECRET_MASK
        assert back.key.get_secret_value() == SECRET_MASK.encode()
        assert back.model_dump(exclude={"token", "key"}) == model.model_dump(exclude={"token", "key"})

    @pytest.mark.parametrize("ext", ALL_EXTENSIONS)
    def test_no_secret_reaches_the_file(self, tmp_path: Path, ext: str) -> None:
        """The clear text of a secret is nowhere in the written file."""
        path = tmp_path / f"s{ext}"
        dump_file({"token": SecretStr("hunter2-clear"), "deep": {"k": [SecretBytes(b"bytes-clear")]}}, path)
        text = path.read_text(encoding="utf-8")
        assert "hunter2-clear" not in text
        assert "bytes-clear" not in text
        assert SECRET_MASK in text

    def test_py_keeps_tuples(self, tmp_path: Path) -> None:
        """The .py format has tuples, so a tuple stays one; the others write lists."""
        path = tmp_path / "t.py"
        dump_file({"shape": (2, (3, 4)), "tags": {"b", "a"}}, path)
        assert load_file(path) == {"shape": (2, (3, 4)), "tags": ["a", "b"]}
        assert load_file(path)["shape"].__class__ is tuple

    def test_sets_write_the_same_text_under_any_hash_seed(self) -> None:
        """A set of strings is written in one order, whatever PYTHONHASHSEED is."""
        code = "from ato.formats import dumps\nprint(dumps({'s': {'alpha', 'beta', 'gamma', 'eta'}}, 'json'))"
        outputs = {
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True,
                env={**os.environ, "PYTHONHASHSEED": str(seed)},
            ).stdout
            for seed in (1, 2, 3)
        }
        assert len(outputs) == 1


def test_recognising_types_imports_nothing() -> None:
    """import ato.formats loads none of decimal, uuid, datetime or pydantic."""
    code = (
        "import sys, ato.formats; "
        "print([m for m in ('decimal', 'uuid', 'datetime', 'pydantic') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
