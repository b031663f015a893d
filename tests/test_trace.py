"""Code fingerprints: static (what the code is), runtime (what it produced), the registry."""

from __future__ import annotations

import functools
import importlib.util
import itertools
import math
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

import ato.trace
from ato.scope import Scope
from ato.trace import record, recorded, runtime_fingerprint, static_fingerprint

_names = itertools.count()


def load(tmp_path: Path, source: str) -> ModuleType:
    """Write ``source`` to a fresh .py file and import it (the test never compiles text itself)."""
    name = f"fp_module_{next(_names)}"
    path = tmp_path / f"{name}.py"
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Each test starts and ends with an empty process-wide record."""
    ato.trace.clear()
    yield
    ato.trace.clear()


TRAIN = """
import math

def train(config, steps=10, *, scale=1.0):
    \"\"\"Train a model.\"\"\"
    total = 0.0
    for step in range(steps):
        if step % 2 == 0 and config.get("lr") is not None:
            total += config["lr"] * step
        else:
            total -= math.sqrt(step)
    try:
        result = [x * scale for x in (total, steps)]
    except (ValueError, TypeError) as err:
        raise RuntimeError("bad") from err
    def inner(k):
        return k + total
    data = {"a": 1, "b": [1, 2, 3]}
    while total > 100:
        total /= 2
    return inner(result[0]), data, lambda q: q * 2

class Net:
    depth = 4
    def forward(self, x):
        return x * self.depth
"""

# The same code as TRAIN: other comments, blank lines, wrapping, indentation and docstrings.
TRAIN_REFORMATTED = """
import math



def train(config, steps=10, *, scale=1.0):
    # No docstring any more, a comment instead.
    total = 0.0  # trailing comment
    for step in range(
        steps
    ):
        if (step % 2 == 0
                and config.get("lr") is not None):
            total += (config["lr"]
                      * step)
        else:
            total -= math.sqrt(
                step,
            )

    try:
          result = [x * scale
                    for x in (total, steps)]
    except (ValueError,
            TypeError) as err:
        raise RuntimeError(
            "bad"
        ) from err
    def inner(k):
        "An inner docstring."
        return k + total
    data = {
        "a": 1,
        "b": [1, 2,
              3],
    }
    while total > 100: total /= 2
    return (inner(result[0]),
            data,
            lambda q: q * 2)


class Net:
    \"\"\"A net.\"\"\"

    depth = 4

    def forward(self, x):
        # comment
        return x * \\
            self.depth
"""


def test_formatting_comments_and_docstrings_do_not_change_it(tmp_path: Path) -> None:
    """Two files that differ only in layout, comments and docstrings fingerprint alike."""
    a, b = load(tmp_path, TRAIN), load(tmp_path, TRAIN_REFORMATTED)
    assert static_fingerprint(a.train) == static_fingerprint(b.train)
    assert static_fingerprint(a.Net) == static_fingerprint(b.Net)
    assert static_fingerprint(a.Net.forward) == static_fingerprint(b.Net().forward)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("total += config[\"lr\"] * step", "total += config[\"lr\"] * step * 2"),  # an expression
        ("total -= math.sqrt(step)", "total -= math.log1p(step)"),  # a called name
        ("total = 0.0", "total = 0"),  # a constant's type
        ("steps=10", "steps=11"),  # a default value
        ("scale=1.0):", "factor=1.0):"),  # a parameter name
        ("except (ValueError, TypeError)", "except (ValueError, KeyError)"),  # a handled error
        ("return k + total", "return k - total"),  # an inner function
        ("lambda q: q * 2", "lambda q: q * 3"),  # a lambda
        ("while total > 100", "while total >= 100"),  # a comparison
        ('"b": [1, 2, 3]', '"b": [1, 2, 4]'),  # a literal
    ],
)
def test_any_code_change_changes_it(tmp_path: Path, old: str, new: str) -> None:
    """Changing what the function does, a default or a parameter name changes its fingerprint."""
    assert old in TRAIN
    a, b = load(tmp_path, TRAIN), load(tmp_path, TRAIN.replace(old, new))
    assert static_fingerprint(a.train) != static_fingerprint(b.train)


def test_moving_a_statement_into_a_try_block_changes_it(tmp_path: Path) -> None:
    """Code covered by an exception handler differs from the same code outside it."""
    inside = load(tmp_path, """
        def f(a):
            try:
                a()
                a(2)
            except Exception:
                return 1
            return 0
    """)
    outside = load(tmp_path, """
        def f(a):
            try:
                a()
            except Exception:
                return 1
            a(2)
            return 0
    """)
    assert static_fingerprint(inside.f) != static_fingerprint(outside.f)


def test_class_fingerprint_covers_methods_and_attributes(tmp_path: Path) -> None:
    """A class changes with any method body or plain class attribute."""
    base = load(tmp_path, TRAIN).Net
    method = load(tmp_path, TRAIN.replace("x * self.depth", "x + self.depth")).Net
    attribute = load(tmp_path, TRAIN.replace("depth = 4", "depth = 5")).Net
    prints = {static_fingerprint(c) for c in (base, method, attribute)}
    assert len(prints) == 3


def test_decorated_functions_are_unwrapped() -> None:
    """A functools.wraps wrapper fingerprints as the function it wraps."""

    def f(x: int) -> int:
        return x + 1

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return f(*args, **kwargs)

    assert static_fingerprint(wrapper) == static_fingerprint(f)
    assert static_fingerprint(staticmethod(f)) == static_fingerprint(f)


def test_code_without_python_source_is_refused() -> None:
    """A builtin has no code object to fingerprint: TypeError naming it."""
    with pytest.raises(TypeError, match="len"):
        static_fingerprint(len)


def _in_subprocess(code: str, seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    return result.stdout.strip()


def test_fingerprints_are_stable_across_processes_and_hash_seeds() -> None:
    """Static and runtime fingerprints do not depend on the process or PYTHONHASHSEED."""
    code = (
        "from ato.trace import static_fingerprint as s, runtime_fingerprint as r\n"
        "def f(x, y={'b': 1, 'a': {2, 3}}):\n    return {'k': x, 's': {'x', 'y', 'z'}}\n"
        "print(s(f), r(f(1)), r({'z', 'a', 'q', 'b'}))\n"
    )
    assert _in_subprocess(code, "1") == _in_subprocess(code, "2") == _in_subprocess(code, "3")


def test_runtime_plain_data_is_canonical() -> None:
    """Dict and set order never matter; 1, 1.0, True, '1', lists and tuples all differ."""
    assert runtime_fingerprint({"a": 1, "b": [1, 2.5]}) == runtime_fingerprint({"b": [1, 2.5], "a": 1})
    assert runtime_fingerprint({3, 1, 2}) == runtime_fingerprint({2, 3, 1})
    distinct = [1, 1.0, True, "1", b"1", [1], (1,), {1}, None, 0.0, -0.0, math.inf]
    assert len({runtime_fingerprint(v) for v in distinct}) == len(distinct)
    assert runtime_fingerprint(math.nan) == runtime_fingerprint(float("nan"))


def test_runtime_numpy_arrays_by_dtype_shape_and_bytes() -> None:
    """Arrays fingerprint by content; dtype, shape and memory layout are part of it."""
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert runtime_fingerprint(a) == runtime_fingerprint(a.copy())
    assert runtime_fingerprint(a) == runtime_fingerprint(np.asfortranarray(a))  # same values
    assert runtime_fingerprint(a) != runtime_fingerprint(a.astype(np.float64))
    assert runtime_fingerprint(a) != runtime_fingerprint(a.reshape(3, 2))
    assert runtime_fingerprint({"w": a}) != runtime_fingerprint({"w": a + 1})


def test_runtime_refuses_what_it_cannot_serialise() -> None:
    """A self-containing list is a ValueError; an object that does not pickle a TypeError."""
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        runtime_fingerprint(loop)
    with pytest.raises(TypeError, match="inspect_fn"):
        runtime_fingerprint(lambda: 1)


def test_registry_keeps_first_order_without_duplicates() -> None:
    """record() deduplicates exact triples; recorded() lists them oldest first."""
    record("a", "static", "1")
    record("b", "runtime", "2")
    record("a", "static", "1")
    record("a", "runtime", "1")
    assert recorded() == [("a", "static", "1"), ("b", "runtime", "2"), ("a", "runtime", "1")]
    with pytest.raises(ValueError, match="trace_type"):
        record("a", "dynamic", "1")


def test_scope_trace_records_at_decoration_and_returns_the_function() -> None:
    """@scope.trace() records the static fingerprint under module.qualname, function unchanged."""
    scope = Scope()

    def forward(x: int) -> int:
        return x * 2

    assert scope.trace()(forward) is forward
    assert scope.trace(forward) is forward  # bare @scope.trace
    assert scope.trace("custom")(forward) is forward
    fp = static_fingerprint(forward)
    assert recorded() == [(f"{__name__}.{forward.__qualname__}", "static", fp), ("custom", "static", fp)]


def test_scope_runtime_trace_returns_and_fingerprints_the_result() -> None:
    """@scope.runtime_trace runs init_fn first, returns the result, records its fingerprint."""
    scope = Scope()
    calls: list[str] = []

    @scope.runtime_trace(init_fn=lambda: calls.append("init"), trace_id="step")
    def step(x: int) -> dict[str, int]:
        calls.append("step")
        return {"x": x}

    @scope.runtime_trace(inspect_fn=lambda out: out["x"])
    def other(x: int) -> dict[str, int]:
        return {"x": x, "noise": id(object())}

    assert step(3) == {"x": 3}
    assert step(3) == {"x": 3}
    assert calls == ["init", "step", "init", "step"]
    other(5)
    other(5)
    assert recorded() == [
        ("step", "runtime", runtime_fingerprint({"x": 3})),
        (f"{__name__}.{other.__qualname__}", "runtime", runtime_fingerprint(5)),
    ]
    assert step.__name__ == "step"


def test_import_scope_does_not_import_trace() -> None:
    """ato.trace (and dis) load only when a trace decorator is used."""
    code = "import sys, ato.scope; print('ato.trace' in sys.modules, 'dis' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False False"
