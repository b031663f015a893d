"""Scope invariants: the apply plan, command line against views, explain's winner, lazy blocks.

Invariants: (a) for any registration order the applied order is the priority order, ties
keeping the selection order (default views in registration order, then the names typed),
non-lazy views before ``(CLI Inputs)`` and lazy views after; (b) a command-line value beats
every non-lazy view and loses to lazy views; (c) the last write ``explain`` lists for a key
holds the value the function receives, and comes from the source a reference model of the
build names; (d) ``with Scope.lazy():`` bodies see command-line values without changing the
applied order.

A fresh Scope is built per example, since a scope keeps the state of its last build.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel

import property_tests.strategies  # noqa: F401  (registers and loads the "ato" settings profile)
from ato import ADict
from ato.scope import Scope

# Generated command lines may give a key twice; the warning that says so is tested in
# tests/test_scope_cli.py, here only the values count.
pytestmark = pytest.mark.filterwarnings("ignore:.* is given .* times:UserWarning")

KEYS = ("a", "b", "c")


class Empty(BaseModel):
    """A schema with no fields, for the plan property's ``(schema defaults)`` label."""


class ABC(BaseModel):
    """Three int fields, for explain's winner under a schema."""

    a: int = 0
    b: int = 0
    c: int = 0


# ------------------------------------------------------------------ strategies and the model
@dataclass(frozen=True)
class Spec:
    """One view to register: its name, options and (for the explain property) its writes."""

    name: str
    priority: int
    lazy: bool
    default: bool
    pre: tuple[tuple[str, int], ...] = ()
    block: tuple[tuple[str, int], ...] | None = None  # writes inside ``with Scope.lazy():``
    post: tuple[tuple[str, int], ...] = ()


@dataclass
class Setup:
    """Views in registration order and the view names typed on the command line."""

    registered: list[Spec]
    cli_names: list[str]
    log: list[str] = field(default_factory=list)


priorities = st.integers(-2, 2)  # a small range, so that ties are common
ints = st.one_of(st.integers(-3, 3), st.integers())  # small ones collide, so some writes change nothing
writes = st.lists(st.tuples(st.sampled_from(KEYS), ints), max_size=3).map(tuple)


@st.composite
def setups(draw: st.DrawFn, *, with_writes: bool = False, max_views: int = 8) -> Setup:
    """1-8 views with random options, registered in a random order, and a CLI selection."""
    n = draw(st.integers(1, max_views))
    specs = []
    for i in range(n):
        spec = Spec(f"v{i}", draw(priorities), lazy=draw(st.booleans()), default=draw(st.booleans()))
        if with_writes:
            block = draw(st.none() | writes)
            spec = Spec(spec.name, spec.priority, spec.lazy, spec.default, draw(writes), block, draw(writes))
        specs.append(spec)
    registered = draw(st.permutations(specs))
    optional = [s.name for s in registered if not s.default]
    cli_names = draw(st.lists(st.sampled_from(optional), unique=True)) if optional else []
    return Setup(list(registered), cli_names)


def expected_order(setup: Setup) -> tuple[list[Spec], list[Spec]]:
    """Non-lazy and lazy selected views, each stable-sorted by priority over the selection order."""
    by_name = {s.name: s for s in setup.registered}
    selected = [s for s in setup.registered if s.default] + [by_name[n] for n in setup.cli_names]
    nonlazy = sorted((s for s in selected if not s.lazy), key=lambda s: s.priority)
    return nonlazy, sorted((s for s in selected if s.lazy), key=lambda s: s.priority)


def make_view(spec: Spec, log: list[str]) -> Callable[[ADict], None]:
    """A view that logs its name, then writes ``pre``, the lazy ``block`` and ``post``."""

    def view(cfg: ADict) -> None:
        log.append(spec.name)
        for key, value in spec.pre:
            cfg[key] = value
        if spec.block is not None:
            with Scope.lazy():
                for key, value in spec.block:
                    cfg[key] = value
        for key, value in spec.post:
            cfg[key] = value

    return view


def register(scope: Scope[Any], setup: Setup) -> None:
    for spec in setup.registered:
        scope.observe(field=spec.name, priority=spec.priority, lazy=spec.lazy, default=spec.default)(
            make_view(spec, setup.log)
        )


def changed(before: dict[str, Any], after: dict[str, Any], key: str) -> bool:
    """Whether a step changed ``key`` (a changed type counts, as in the ledger)."""
    if key not in after:
        return False
    return key not in before or type(before[key]) is not type(after[key]) or before[key] != after[key]


def reference_build(
    setup: Setup, cli: list[tuple[str, int]], *, schema: bool
) -> tuple[dict[str, Any], dict[str, str]]:
    """The documented build on a plain dict: final values, and per key the source of its last change."""
    state: dict[str, Any] = dict.fromkeys(KEYS, 0) if schema else {}
    source: dict[str, str] = dict.fromkeys(KEYS, "(schema defaults)") if schema else {}
    nonlazy, lazy = expected_order(setup)

    def step(label: str, items: list[tuple[str, int]], *, always: bool = False) -> None:
        before = dict(state)
        state.update(items)  # later items win, as sequential writes do
        for key in state:
            if (always and key in dict(items)) or changed(before, state, key):
                source[key] = label

    for spec in nonlazy:  # the block's writes are rolled back in this pass
        step(f"view {spec.name!r} (", [*spec.pre, *spec.post])
    for key, value in cli:  # recorded even when the value does not change
        step(f"CLI token '{key}={value}'", [(key, value)], always=True)
    for spec in nonlazy:
        if spec.block is not None:
            step(f"lazy block in view {spec.name!r} (", list(spec.block))
    for spec in lazy:  # in a lazy view the block runs in place
        step(f"lazy view {spec.name!r} (", [*spec.pre, *(spec.block or ()), *spec.post])
    return state, source


# ------------------------------------------------------------------ properties
@given(setups(), st.booleans())
def test_applied_order_is_priority_order_with_selection_ties(setup: Setup, with_schema: bool) -> None:
    """Non-lazy selected views by priority (ties: defaults, then CLI order), the CLI, then lazy ones."""
    scope: Scope[Any] = Scope(schema=Empty) if with_schema else Scope()
    register(scope, setup)
    scope.build(setup.cli_names)

    nonlazy, lazy = expected_order(setup)
    names = [s.name for s in nonlazy] + [s.name for s in lazy]
    head = ["(schema defaults)"] if with_schema else []
    assert scope.steps == [*head, *(s.name for s in nonlazy), "(CLI Inputs)", *(s.name for s in lazy)]
    assert setup.log == names  # the views really ran in that order, each once

    # The manual's order of every registered view: ties keep registration order.
    every = sorted(setup.registered, key=lambda s: s.priority)
    assert scope.plan_all_steps() == [
        *head,
        *(s.name for s in every if not s.lazy),
        "(CLI Inputs)",
        *(s.name for s in every if s.lazy),
    ]


@given(st.data())
def test_cli_beats_non_lazy_views_and_loses_to_lazy_ones(data: st.DataObject) -> None:
    """A CLI value wins over every non-lazy view writing the key; the last lazy writer wins over it."""
    setup = data.draw(setups())
    # Every view writes a value of its own (distinct from each other and from the CLI's) or nothing.
    writes_k = {s.name: data.draw(st.booleans()) for s in setup.registered}
    value_of = {s.name: 1000 + int(s.name[1:]) for s in setup.registered}
    cli_value = data.draw(st.integers(max_value=999))
    scope: Scope[ADict] = Scope()
    for spec in setup.registered:

        def view(cfg: ADict, spec: Spec = spec) -> None:
            if writes_k[spec.name]:
                cfg.k = value_of[spec.name]

        scope.observe(field=spec.name, priority=spec.priority, lazy=spec.lazy, default=spec.default)(view)
    config = scope.build([*setup.cli_names, f"k={cli_value}"])

    _, lazy = expected_order(setup)
    lazy_writers = [s.name for s in lazy if writes_k[s.name]]
    expected = value_of[lazy_writers[-1]] if lazy_writers else cli_value
    assert config.k == expected
    assert scope.explain("k")[-1].value == expected


@given(setups(with_writes=True), st.lists(st.tuples(st.sampled_from(KEYS), ints), max_size=4), st.booleans())
def test_explain_winner_is_the_value_received(
    setup: Setup, cli: list[tuple[str, int]], with_schema: bool
) -> None:
    """The last Write explain lists for a key holds the built value and the model's, from the right source."""
    scope: Scope[Any] = Scope(schema=ABC) if with_schema else Scope()
    register(scope, setup)
    received = scope.build([*setup.cli_names, *(f"{k}={v}" for k, v in cli)])

    expected, sources = reference_build(setup, cli, schema=with_schema)
    for key in KEYS:
        history = scope.explain(key)
        if key not in expected:
            assert history == []
            assert key not in scope.config
            continue
        assert scope.config.get_path(key) == expected[key]
        assert history, key
        winner = history[-1]
        assert winner.key == key
        assert type(winner.value) is int and winner.value == scope.config.get_path(key)
        assert winner.source.startswith(sources[key]), (winner, sources[key])
        if with_schema:
            assert isinstance(received, ABC)
            assert getattr(received, key) == winner.value
        else:
            assert received is scope.config


@given(setups(max_views=5), priorities, st.booleans(), st.integers())
def test_lazy_block_sees_cli_value_and_keeps_the_order(
    setup: Setup, base_priority: int, base_default: bool, n: int
) -> None:
    """A block computing ``y = x * 10`` sees the CLI's ``x=N``; the applied order is that without blocks."""
    scope: Scope[ADict] = Scope()
    register(scope, setup)  # the other views write nothing
    base = Spec("base", base_priority, lazy=False, default=base_default)
    cli_names = [*setup.cli_names, *([] if base_default else ["base"])]
    setup = Setup([*setup.registered, base], cli_names, setup.log)

    @scope.observe(field="base", priority=base_priority, default=base_default)
    def base_view(cfg: ADict) -> None:
        setup.log.append("base")
        cfg.x = 1
        with Scope.lazy():
            cfg.y = cfg.x * 10

    config = scope.build([*setup.cli_names, f"x={n}"])
    assert config.x == n
    assert config.y == n * 10
    assert scope.explain("y")[-1].source.startswith("lazy block in view 'base'")

    nonlazy, lazy = expected_order(setup)
    assert scope.steps == [*(s.name for s in nonlazy), "(CLI Inputs)", *(s.name for s in lazy)]
    # A view holding a block runs again after the CLI (that is how its block sees the CLI),
    # but the views' own order is unchanged.
    assert setup.log == [*(s.name for s in nonlazy), "base", *(s.name for s in lazy)]


# Regression: in the first pass an auto config hands a block an empty node for `cfg.z`, so
# the block fails with a TypeError that must be forgiven like any error of that pass.
@given(st.integers())
def test_lazy_block_may_read_a_key_only_the_cli_provides(n: int) -> None:
    """A block computing ``y = z * 10`` from a ``z`` that only ``z=N`` provides gets N * 10."""
    scope: Scope[ADict] = Scope()

    @scope.observe(default=True)
    def scaled(cfg: ADict) -> None:
        with Scope.lazy():
            cfg.y = cfg.z * 10

    config = scope.build([f"z={n}"])
    assert config.z == n
    assert config.y == n * 10
