"""Scope: `print`, `explain` and `scope.config.dump` on a schema of rich values.

Each test runs a real program. Its schema holds one field of each kind of value a file
cannot spell as such (a Path, enums, sets, a tuple, dates, a Decimal, a UUID, a nested
model, a discriminated union, a secret), and the secret must never be shown in clear.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from conftest import Runner
from pydantic import SecretStr

from ato import ADict
from ato.formats import SECRET_MASK

SCHEMA = '''
import datetime
import decimal
import enum
import uuid
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, SecretStr

from ato.scope import Scope


class Color(str, enum.Enum):
    RED = "red"
    BLUE = "blue"


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Mode(enum.Enum):
    FAST = "fast"
    SLOW = 3


class Adam(BaseModel):
    kind: Literal["adam"] = "adam"
    lr: float = 0.001


class SGD(BaseModel):
    kind: Literal["sgd"] = "sgd"
    momentum: float = 0.9


class Data(BaseModel):
    root: Path = Path("/data/imagenet")
    splits: tuple[str, ...] = ("train", "val")


class Config(BaseModel):
    out: Path = Path("runs")
    color: Color = Color.RED
    level: Level = Level.HIGH
    mode: Mode = Mode.SLOW
    tags: set[str] = {"b", "a"}
    seeds: frozenset[int] = frozenset({3, 1, 2})
    shape: tuple[int, int] = (32, 32)
    start: datetime.datetime = datetime.datetime(2024, 5, 6, 7, 8, 9)
    day: datetime.date = datetime.date(2024, 5, 6)
    price: decimal.Decimal = decimal.Decimal("0.10")
    run_id: uuid.UUID = uuid.UUID("12345678-1234-5678-1234-567812345678")
    data: Data = Data()
    optim: Annotated[Adam | SGD, Field(discriminator="kind")] = Adam()
    token: SecretStr = SecretStr("default-secret")


scope = Scope(schema=Config)


@scope.observe()
def tuned(config):
    config.out = Path("runs") / "tuned"
    assert isinstance(config.out, Path)  # a view that writes a Path reads a Path
    config.mode = Mode.FAST
    config.tags = {"x", "y"}
    config.day = datetime.date(2025, 1, 31)
    config.price = decimal.Decimal("2.50")
    config.optim = {"kind": "sgd", "momentum": 0.5}


@scope.observe()
def leaky(config):
    config.token = "view-secret"
'''

PROGRAM = """
from values_schema import Config, scope

@scope
def main(cfg: Config) -> None:
    for ext in (".json", ".yaml", ".yml", ".toml", ".xyz", ".py"):
        scope.config.dump(f"dumped{ext}")
    print("dumped")

if __name__ == "__main__":
    main()
"""

CLEAR_SECRETS = ("default-secret", "view-secret", "cli-secret")


@pytest.fixture
def schema(tmp_path: Path) -> ModuleType:
    """The schema module, written beside the program (which imports it) and loaded here too."""
    path = tmp_path / "values_schema.py"
    path.write_text(SCHEMA, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("values_schema", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _line(name: str) -> int:
    """The line of view ``name``'s decorator in the schema module, which explain names."""
    return SCHEMA.splitlines().index(f"def {name}(config):")  # 0-based index of def = decorator line


def _no_clear_secret(*texts: str) -> None:
    for text in texts:
        for secret in CLEAR_SECRETS:
            assert secret not in text


@pytest.mark.usefixtures("schema")
def test_print_shows_every_kind_of_value(run_program: Runner) -> None:
    """`print` exits 0 and shows each value as a file holds it, the secret masked."""
    result = run_program(PROGRAM, "print")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "out: runs\n"
        "color: red\n"
        "level: 2\n"
        "mode: 3\n"
        "tags:\n  0) a\n  1) b\n"
        "seeds:\n  0) 1\n  1) 2\n  2) 3\n"
        "shape:\n  0) 32\n  1) 32\n"
        "start: 2024-05-06T07:08:09\n"
        "day: 2024-05-06\n"
        'price: "0.10"\n'
        "run_id: 12345678-1234-5678-1234-567812345678\n"
        "data:\n  root: /data/imagenet\n  splits:\n    0) train\n    1) val\n"
        "optim:\n  kind: adam\n  lr: 0.001\n"
        "token: **********\n"
    )
    _no_clear_secret(result.stdout, result.stderr)


@pytest.mark.usefixtures("schema")
def test_print_masks_secrets_from_views_and_the_command_line(run_program: Runner) -> None:
    """A secret a view writes as plain text, or a token gives, is printed masked."""
    for args in (("leaky",), ("token=cli-secret",)):
        result = run_program(PROGRAM, *args, "print")
        assert result.returncode == 0, result.stderr
        assert result.stdout.endswith("token: **********\n")
        _no_clear_secret(result.stdout, result.stderr)


@pytest.mark.usefixtures("schema")
def test_explain_shows_the_values_as_written(run_program: Runner) -> None:
    """`explain` exits 0 and shows each write converted: Path, enum, set, Decimal, union member."""
    result = run_program(PROGRAM, "tuned", "explain", "out", "mode", "tags", "day", "price", "optim")
    assert result.returncode == 0, result.stderr
    view = f"view 'tuned' (values_schema.py:{_line('tuned')})"
    assert result.stdout == (
        "out = 'runs/tuned'\n"
        "  1. 'runs'        (schema defaults)\n"
        f"  2. 'runs/tuned'  {view}  <- final\n"
        "mode = 'fast'\n"
        "  1. 3       (schema defaults)\n"
        f"  2. 'fast'  {view}  <- final\n"
        "tags = ['x', 'y']\n"
        "  1. ['a', 'b']  (schema defaults)\n"
        f"  2. ['x', 'y']  {view}  <- final\n"
        "day = '2025-01-31'\n"
        "  1. '2024-05-06'  (schema defaults)\n"
        f"  2. '2025-01-31'  {view}  <- final\n"
        "price = '2.50'\n"
        "  1. '0.10'  (schema defaults)\n"
        f"  2. '2.50'  {view}  <- final\n"
        "optim = {'kind': 'sgd', 'momentum': 0.5}\n"
        "  1. kind 'adam'     (schema defaults)\n"
        "  2. lr 0.001      (schema defaults)\n"
        f"  3. kind 'sgd'      {view}  <- final\n"
        f"  4. momentum 0.5        {view}  <- final\n"
        f"  5. lr <deleted>  {view}  <- final\n"
    )


@pytest.mark.usefixtures("schema")
def test_explain_masks_every_write_of_a_secret(run_program: Runner) -> None:
    """The default, a view's plain-text write and the CLI token's text are all masked."""
    result = run_program(PROGRAM, "leaky", "token=cli-secret", "explain", "token")
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "token = '**********'\n"
        "  1. '**********'  (schema defaults)\n"
        f"  2. '**********'  view 'leaky' (values_schema.py:{_line('leaky')})\n"
        "  3. '**********'  CLI token 'token=**********'  <- final\n"
    )
    _no_clear_secret(result.stdout, result.stderr)


@pytest.mark.parametrize("ext", [".json", ".yaml", ".yml", ".toml", ".xyz", ".py"])
def test_dump_reads_back_through_the_schema_as_an_equal_model(
    run_program: Runner, schema: ModuleType, tmp_path: Path, ext: str
) -> None:
    """scope.config.dump in each format, then ADict.from_file + validation: the same model, secret masked."""
    args = ("tuned", "token=cli-secret")
    result = run_program(PROGRAM, *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "dumped\n"
    path = tmp_path / f"dumped{ext}"
    _no_clear_secret(path.read_text(encoding="utf-8"))
    back = schema.Config.model_validate(ADict.from_file(path).to_dict())
    built = schema.scope.build(list(args))
    assert built.token.get_secret_value() == "cli-secret"
    assert back == built.model_copy(update={"token": SecretStr(SECRET_MASK)})


SECRET_FROM_A_VIEW = """
from pydantic import BaseModel, Field, SecretStr
from ato.scope import Scope

class Config(BaseModel):
    token: SecretStr = Field(SecretStr("default-secret-1"), min_length=10)

scope = Scope(schema=Config)

@scope.observe()
def prod(cfg):
    cfg.token = "plain-text-secret-123"

@scope
def main(cfg: Config) -> None:
    scope.config.dump("out.yaml")
    print(open("out.yaml", encoding="utf-8").read().strip(), scope.config.json())

main()
"""


def test_a_secret_written_as_text_by_a_view_is_dumped_masked(run_program: Runner) -> None:
    """scope.config holds the validated secret, so dump and json write the mask, never the text."""
    result = run_program(SECRET_FROM_A_VIEW, "prod")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "token: '**********' {\"token\": \"**********\"}\n"
    assert "plain-text-secret-123" not in result.stdout + result.stderr


def test_a_rejected_secret_is_not_echoed(run_program: Runner) -> None:
    """A secret the schema rejects is reported masked: key, type and reason, never the text."""
    result = run_program(SECRET_FROM_A_VIEW, "token=tiny")
    assert result.returncode == 2
    assert "token: expected SecretStr, got '**********'" in result.stderr
    assert "CLI token 'token=**********'" in result.stderr
    assert "tiny" not in result.stderr
