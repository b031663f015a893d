"""Building one scope's config by its plan, recording every write.

The order is fixed and recorded before anything runs:

1. schema defaults, then the scope's initial config and argparse defaults;
2. non-lazy views by priority;
3. the sources between views and the command line: environment variables
   (``Scope(env_prefix=...)``, see ``_env.py``), then ``--config`` files in the order given,
   each deep-merged (``_config_files.py``); both checked against the schema beforehand;
4. command-line assignments (already checked against the schema); then, for each union
   of models whose discriminator now selects another member than the schema defaults
   did, that member's defaults replace what only the defaults had written (recorded as
   ``(defaults of SGD)``; part of the command-line step, as ``manual`` shows it);
5. the bodies of ``with Scope.lazy():`` blocks, in view order;
6. lazy views by priority;
7. validation into the schema.

The build also keeps the config as it stood before step 5 and, for each key the lazy
steps wrote, the view whose lazy step wrote it last: ``Scope.save_config`` needs both.

A ``with`` block cannot be skipped in Python, so a view holding a lazy block runs twice.
In step 2 the block's writes are rolled back and any error it raises is forgiven (it may
read a key only the command line provides). In step 5 the view runs again: writes outside
the block are rolled back so the block sees the command-line values, and the block's own
writes are kept and recorded as the block's.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, NamedTuple

from ato.adict import ADict, flatten, recording_auto, settle
from ato.scope._ledger import Ledger, file_origin, restore, snapshot
from ato.scope._plan import Plan
from ato.scope._views import View, where

if TYPE_CHECKING:
    from ato.scope._config_files import ConfigFile

__all__ = ["Assign", "Build", "LazyBlock", "note_sources", "run_build"]


class Assign(NamedTuple):
    """A checked assignment: dotted key relative to the scope, value, and its source."""

    key: str
    value: Any
    source: str


class Build(NamedTuple):
    """What one build produced."""

    config: ADict
    ledger: Ledger
    before_lazy: dict[str, Any]
    """The flattened config right after the command line, before any lazy step."""
    lazy_writers: dict[str, str]
    """Each key a lazy step wrote: the name of the view whose lazy step wrote it last."""


class _State:
    """The build in progress, as ``Scope.lazy()`` sees it."""

    def __init__(self, config: ADict, ledger: Ledger) -> None:
        self.config = config
        self.ledger = ledger
        self.phase = "views"
        self.view: View | None = None
        self.truth: dict[str, Any] | None = None
        self.saved: list[dict[str, Any]] = []
        self.depth = 0
        # Composed configs a view loaded: (flattened tree, sources), for explain.
        self.files: list[tuple[dict[str, Any], Mapping[str, str]]] = []
        self.lazy_writers: dict[str, str] = {}

    def note_lazy(self, since: int, view: View) -> None:
        """Remember ``view`` as the lazy writer of the keys written since ledger entry ``since``."""
        for write in self.ledger.writes[since:]:
            self.lazy_writers[write.key] = view.name


def note_sources(config: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    """Called by ato.compose while a view runs: remember which file set which leaf."""
    if _active:
        _active[-1].files.append((flatten(config), sources))


_active: list[_State] = []


class LazyBlock:
    """``with Scope.lazy():`` — its body runs after the command line is applied."""

    def __enter__(self) -> None:
        state = _active[-1] if _active else None
        self._state = state
        self._where = where(sys._getframe(1).f_code.co_filename, sys._getframe(1).f_lineno)
        if state is None:
            return
        state.depth += 1
        if state.depth > 1:
            return  # a block inside a block belongs to the outer one
        if state.phase == "views" and state.view is not None:
            state.view.has_lazy_blocks = True
            state.saved.append(snapshot(state.config))
        elif state.phase == "replay" and state.truth is not None:
            restore(state.config, state.truth)  # drop what the view wrote outside blocks
            state.saved.append(flatten(state.config))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        state = self._state
        if state is None:
            return False
        state.depth -= 1
        if state.depth > 0 or state.phase not in ("views", "replay") or not state.saved:
            return False
        saved = state.saved.pop()
        if state.phase == "views":
            restore(state.config, saved)
            # Before the command line is applied a block may read a key only the command line
            # provides (an auto config hands back an empty node, so the failure can be of any
            # kind). The block runs again in step 4, where its errors are real.
            return exc_type is not None and issubclass(exc_type, Exception)
        if exc_type is None:
            view = state.view
            label = f"lazy block in view {view.name!r} ({self._where})" if view else "lazy block"
            since = len(state.ledger.writes)
            state.ledger.record_diff(saved, flatten(state.config), label)
            if view is not None:
                state.note_lazy(since, view)
            state.truth = snapshot(state.config)
        return False


def _run_view(state: _State, view: View) -> None:
    before = flatten(state.config)
    state.view = view
    state.files = []
    try:
        if view.fn is not None:
            view.fn(state.config)
        elif view.mapping is not None:
            state.config.update(view.mapping, recurrent=True)
    finally:
        state.view = None
    origin = file_origin(state.files) if state.files else None
    state.ledger.record_diff(before, flatten(state.config), view.label, origin)


def _replay(state: _State, view: View) -> None:
    state.truth = snapshot(state.config)
    state.view = view
    try:
        assert view.fn is not None
        view.fn(state.config)
    finally:
        state.view = None
        restore(state.config, state.truth)
        state.truth = None


def _settle_members(config: ADict, ledger: Ledger, found: list[tuple[str, str, dict[str, Any]]]) -> None:
    """Start each union of models from the defaults of the member its discriminator selects.

    The schema's defaults fill a union with its default member (Adam's ``betas``); once a
    view, the environment, a file or the command line selects another member
    (``optim.kind=sgd``), the keys that only the defaults wrote take that member's default
    values or go, and its other defaults join. What any source wrote itself stays, so a
    field of the wrong member is still reported by the schema.
    """
    for path, member, defaults in found:
        before = flatten(config)
        wanted = flatten(defaults)
        present = {k[len(path) + 1:] for k in before if k.startswith(f"{path}.")}
        for key in present:
            full = f"{path}.{key}"
            if ledger.source_of(full) != "(schema defaults)":
                continue
            if key in wanted:
                config.set_path(full, wanted[key])
            else:
                parent, _, last = full.rpartition(".")
                node = config.get_path(parent)
                if isinstance(node, ADict) and last in node:
                    del node[last]
        for key, value in wanted.items():
            if key not in present:
                config.set_path(f"{path}.{key}", value)
        ledger.record_diff(before, flatten(config), f"(defaults of {member})")


def run_build(
    plan: Plan,
    *,
    layers: list[tuple[str, Mapping[str, Any]]],
    assignments: list[Assign],
    env: Sequence[Assign] = (),
    files: Sequence[ConfigFile] = (),
    members: Callable[[ADict], list[tuple[str, str, dict[str, Any]]]] | None = None,
) -> Build:
    """Run the plan. ``layers`` are (source, tree) pairs applied first, in order; ``env``
    and ``files`` come between the non-lazy views and the command line ``assignments``."""
    created: list[ADict] = []
    config = recording_auto(created)
    ledger = Ledger()
    for source, tree in layers:
        config.update(tree, recurrent=True)
        ledger.record_tree(tree, source)
    state = _State(config, ledger)
    _active.append(state)
    try:
        for view in plan.views:
            _run_view(state, view)
        state.phase = "cli"
        for item in env:
            # Environment names carry no case: match the keys the config already has.
            from ato.scope._env import resolve_case

            key = resolve_case(config, item.key)
            config.set_path(key, item.value)
            ledger.record_tree({key: item.value}, item.source)
        for file in files:
            config.update(file.tree, recurrent=True)
            for key, value in flatten(file.tree).items():
                ledger.record(key, value, file.source(key))
        for item in assignments:
            config.set_path(item.key, item.value)
            # Recorded even when the value does not change: the user asked for it.
            ledger.record_tree({item.key: item.value}, item.source)
        if members is not None:
            _settle_members(config, ledger, members(config))
        # Kept for save_config; a plan without lazy steps (every search trial of most
        # programs) pays nothing for it.
        lazy = bool(plan.lazy_views) or any(view.has_lazy_blocks for view in plan.views)
        before_lazy = flatten(config) if lazy else {}
        state.phase = "replay"
        for view in plan.views:
            if view.has_lazy_blocks:
                _replay(state, view)
        state.phase = "lazy"
        for view in plan.lazy_views:
            since = len(ledger.writes)
            _run_view(state, view)
            state.note_lazy(since, view)
    finally:
        _active.remove(state)
    settle(config, created)
    return Build(config, ledger, before_lazy, state.lazy_writers)

