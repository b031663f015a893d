"""`manual VIEW...` prints the order that a run with the same tokens records in ``scope.steps``.

Invariants, over random view sets (priorities, defaults, ``chain_with``, lazy views, views
holding ``with Scope.lazy():`` blocks) and random selections, with and without a schema,
for one Scope and per scope of a MultiScope:

(a) the order line of each scope's section is exactly that scope's ``steps`` after a run
    of the same view names;
(b) the "other views" line names every registered view that run did not apply, each
    once, in registration order, and nothing else.

Both sides go through the real entry point: the decorated function, called with
``sys.argv`` set to the tokens, its stdout captured.
"""

from __future__ import annotations

import io
import re
import sys
from collections.abc import Callable
from contextlib import redirect_stdout
from typing import Any
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

from ato import ADict, MultiScope, Scope
from property_tests.strategies import ViewSpec, view_sets

_OTHER = "other views, selected by name: "


class Empty(BaseModel):
    """A schema with no fields, for the ``(schema defaults)`` label."""


def register(scope: Scope[Any], specs: list[ViewSpec]) -> None:
    for spec in specs:

        def view(cfg: ADict, spec: ViewSpec = spec) -> None:
            if spec.lazy_block:
                with Scope.lazy():
                    pass

        scope.observe(field=spec.name, priority=spec.priority, lazy=spec.lazy, default=spec.default,
                      chain_with=spec.chain_with)(view)


def call(func: Callable[[], object], argv: list[str]) -> str:
    """Call the decorated ``func`` with ``argv`` as the command line; its stdout."""
    out = io.StringIO()
    code: object = 0
    with mock.patch.object(sys, "argv", ["prog", *argv]), redirect_stdout(out):
        try:
            func()
        except SystemExit as stop:
            code = stop.code
    assert code == 0, out.getvalue()
    return out.getvalue()


def sections(manual: str) -> dict[str, tuple[list[str], list[str]]]:
    """Per scope: the order line's labels and the names on the 'other views' line."""
    found: dict[str, tuple[list[str], list[str]]] = {}
    lines = manual.split("\n")
    for i, line in enumerate(lines):
        named = re.fullmatch(r'\[Scope "(.+)"\]', line)
        if named is None:
            continue
        assert lines[i + 1] == "(The Applying Order of Views)"
        others = lines[i + 3]
        names = re.findall(r"(\w+)(?: \([^)]*\))?(?:, |$)", others[len(_OTHER):]) if others.startswith(
            _OTHER) else []
        found[named.group(1)] = (lines[i + 2].split(" → "), names)
    return found


def expected(scope: Scope[Any], specs: list[ViewSpec]) -> tuple[list[str], list[str]]:
    """What the manual must show after a run: the run's steps, and the views it left out."""
    steps = list(scope.steps)
    return steps, [spec.name for spec in specs if spec.name not in steps]


@given(view_sets(), st.data(), st.booleans())
def test_manual_order_is_the_run_order(specs: list[ViewSpec], data: st.DataObject, with_schema: bool) -> None:
    """The order line is the run's ``steps``; the others line lists the views it did not apply."""
    scope: Scope[Any] = Scope(schema=Empty) if with_schema else Scope()
    register(scope, specs)
    pool = [s.name for s in specs]
    names = data.draw(st.lists(st.sampled_from(pool), unique=True) if pool else st.just([]))

    @scope
    def main(config: Any) -> None:
        pass

    call(main, names)
    want = expected(scope, specs)
    assert sections(call(main, ["manual", *names])) == {"config": want}
    assert sections(call(main, [*names, "--help"])) == {"config": want}  # the word may come last


@given(view_sets(), view_sets(), st.data())
def test_multiscope_manual_order_is_each_scopes_run_order(
    first: list[ViewSpec], second: list[ViewSpec], data: st.DataObject
) -> None:
    """Per scope of a MultiScope; a plain name selects in every scope that has it, `a.v1` in one."""
    a: Scope[ADict] = Scope(name="a")
    b: Scope[ADict] = Scope(name="b")
    register(a, first)
    register(b, second)
    tokens = sorted({s.name for s in first + second} | {f"a.{s.name}" for s in first}
                    | {f"b.{s.name}" for s in second})
    names = data.draw(st.lists(st.sampled_from(tokens), unique=True) if tokens else st.just([]))

    @MultiScope(a, b)
    def main(a: ADict, b: ADict) -> None:
        pass

    call(main, names)
    assert sections(call(main, ["manual", *names])) == {"a": expected(a, first), "b": expected(b, second)}
