"""ConfigError: fields, rendering of one and many problems, pickling, suggestions."""

from __future__ import annotations

import pickle

import pytest

from ato import ConfigError
from ato.errors import ConfigKeyError, Problem, suggest

CASES = [
    (
        {"key": "optim.lr", "expected": "float", "got": "fast", "source": "CLI token 'optim.lr=fast'"},
        "optim.lr: expected float, got 'fast' (from CLI token 'optim.lr=fast')",
    ),
    (
        {"key": "epochs", "expected": "int", "got": 2.5, "source": "views.py:12"},
        "epochs: expected int, got 2.5 (float) (from views.py:12)",
    ),
    (
        {"key": "lrr", "detail": "no such key", "suggestion": "'lr'"},
        "lrr: no such key\n    did you mean 'lr'?",
    ),
    (
        {"detail": "malformed YAML: bad indent", "source": "c.yaml, line 3, column 2"},
        "malformed YAML: bad indent (from c.yaml, line 3, column 2)",
    ),
    ({"key": "x", "expected": "a value", "got": None}, "x: expected a value, got None (NoneType)"),
]


@pytest.mark.parametrize(("fields", "message"), CASES)
def test_rendering_table(fields: dict[str, object], message: str) -> None:
    """Each field combination renders as `key: expected X, got Y (from S)` plus a hint."""
    detail = fields.pop("detail", None)
    err = ConfigError(detail if isinstance(detail, str) else None, **fields)  # type: ignore[arg-type]
    assert str(err) == message
    assert err.key == fields.get("key")


def test_is_a_value_error() -> None:
    """ConfigError is caught by `except ValueError`."""
    with pytest.raises(ValueError, match="expected int"):
        raise ConfigError(key="a", expected="int", got="x")


def test_many_problems_render_numbered() -> None:
    """Several problems are reported together, numbered, first one exposed as fields."""
    err = ConfigError(
        problems=[Problem(key="a", expected="int", got="x"), Problem(key="b", detail="no such key")]
    )
    assert str(err) == "2 configuration problems:\n  1. a: expected int, got 'x'\n  2. b: no such key"
    assert err.key == "a" and err.got == "x" and len(err.problems) == 2


def test_pickles_with_all_problems() -> None:
    """Pickling (as multiprocessing does) keeps the class and every problem."""
    err = ConfigKeyError(key="lrr", detail="no such key", suggestion="'lr'")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is ConfigKeyError and back.problems == err.problems and str(back) == str(err)


def test_long_values_are_shortened() -> None:
    """A huge offending value does not flood the terminal."""
    assert len(str(ConfigError(key="k", expected="str", got="x" * 1000))) < 260


def test_suggest() -> None:
    """suggest offers close names only."""
    assert suggest("lerning_rate", ["learning_rate", "epochs"]) == "'learning_rate'"
    assert suggest("zzz", ["learning_rate"]) is None
    assert suggest("bach", ["batch", "back", 3]) == "'batch' or 'back'"
