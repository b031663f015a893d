"""TOML codec: read by the standard library's ``tomllib``, written by the ``tomli-w`` package.

Why ``tomli-w`` and not a writer of our own (issue 11, point 6; measured on CPython 3.11,
2 cores, tomli-w 1.2.0). ato's own writer was compared with this adapter:

* Size. Our writer was 61 of the module's 117 lines. Here it is one call, and the module
  has 50 lines of code (88 before), the depth and digit checks included.
* Behaviour. Every test of this codec passed with both writers, except one that pinned our
  exact layout (tomli-w puts each array item on a line of its own); it now checks the
  layout's order only. The Hypothesis round trips passed at 3,000 examples each, and with
  tomli-w 1.0.0 at 500.
* Safety. Both writers hit RecursionError on deep trees. From a shallow stack tomli-w
  failed at 250 nested arrays and ours at 340; both failed at 1000 nested tables. That is
  why :func:`check` refuses anything deeper than :data:`MAX_DEPTH` before writing.
  Big inputs were fine with both: 100,000 keys, a 1 MB string of control characters and a
  list of 200,000 ints took tomli-w 0.09, 0.18 and 0.05 s, and ours 0.05, 0.10 and 0.03 s.
* Speed was no reason to keep ours. On a realistic 1.2 kB config the median write took
  113 us with tomli-w and 77 us with ours. End to end, with ``to_plain`` and
  :func:`check`, it was 216 us against 183 us.

The old writer existed because the ``toml`` package mis-writes some valid trees:
backslashes, empty tables inside arrays, arrays of arrays of tables. tomli-w writes all
of them correctly; ``tests/test_formats_toml.py`` keeps them as cases.

Nesting is bounded on both paths. Text that nests beyond Python's recursion limit, or
holds an integer of more digits than Python converts, makes :func:`loads` raise a
ConfigError, never a RecursionError or a bare ValueError.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from typing import Any

import tomli_w

from ato.errors import ConfigError, Problem

NAME = "toml"
ALLOWS_NONE = False
KEEPS_TUPLES = False

_LINE_COL = re.compile(r"\(at line (\d+), column (\d+)\)")
_INT64 = (-(2**63), 2**63 - 1)

MAX_DEPTH = 100
"""Tables and arrays nested deeper than this are not written.

The limit is far beyond any real config. It also leaves room under the 250 levels at which
tomli-w runs out of stack, for callers that are already deep in their own stack.
"""


def loads(text: str, source: str) -> Any:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        where = source
        found = _LINE_COL.search(message)
        if found:
            where = f"{source}, line {found.group(1)}, column {found.group(2)}"
            message = message[: found.start()].rstrip()
        raise ConfigError(detail=f"malformed TOML: {message}", source=where) from None
    except ValueError as exc:
        # tomllib converts integers with int(), which refuses more than 4300 digits (a guard
        # against quadratic conversion); that ValueError is no TOMLDecodeError.
        raise ConfigError(detail=f"malformed TOML: {exc}", source=source) from None
    except RecursionError:
        # tomllib recurses once per nested array or inline table ("a = [[[[..."). The stack
        # unwinds cleanly, so the text can be reported like any other unreadable file.
        raise ConfigError(
            detail="TOML arrays or inline tables nest too deeply to read", source=source
        ) from None


def check(tree: dict[str, Any]) -> list[Problem]:
    """What TOML (or the writer) cannot hold, by key path: ints beyond 64 bits, deep nesting.

    None is reported by the shared ``to_plain`` walk, since ``ALLOWS_NONE`` is False.
    """
    problems: list[Problem] = []

    def walk(value: Any, path: str, depth: int) -> None:
        if isinstance(value, Mapping | list) and depth > MAX_DEPTH:
            # No `got`: the value's repr would itself recurse through every level.
            expected = f"at most {MAX_DEPTH} nested tables and arrays (TOML)"
            problems.append(Problem(key=path, expected=expected))
        elif isinstance(value, Mapping):
            for key, item in value.items():
                walk(item, f"{path}.{key}" if path else key, depth + 1)
        elif isinstance(value, list):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]", depth + 1)
        elif isinstance(value, int) and not _INT64[0] <= value <= _INT64[1]:
            problems.append(Problem(key=path, expected="an integer within 64 bits (TOML)", got=value))

    walk(tree, "", 0)
    return problems


def dumps(tree: dict[str, Any], **options: Any) -> str:
    """TOML text of a plain tree that :func:`check` passed (None-free, str keys)."""
    if options:
        raise ConfigError(detail=f"TOML writing takes no options, got {sorted(options)}")
    return tomli_w.dumps(tree)
