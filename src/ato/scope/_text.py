"""What ``manual``, ``explain`` and ``print`` show, and how errors reach the terminal."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ato.adict import ADict
from ato.errors import ConfigError
from ato.scope._ledger import DELETED, Write

if TYPE_CHECKING:
    from ato.schema import FieldHelp

__all__ = ["RULE", "render_error", "render_explain", "render_manual", "render_schema"]

RULE = "-" * 50


def render_manual(
    name: str,
    order: Sequence[str],
    manuals: Mapping[str, Any],
    *,
    others: Sequence[str] = (),
    prefix: str = "",
    schema: str | None = None,
) -> str:
    """One scope's section: applying order, the views not applied, user manuals, schema."""
    lines = [RULE, f'[Scope "{name}"]', "(The Applying Order of Views)", " → ".join(order)]
    if others:
        lines.append("other views, selected by name: " + ", ".join(others))
    if manuals:
        lines += ["", "(User Manuals)"]
        shown = ADict({f"{prefix}{k}": v for k, v in manuals.items()}) if prefix else ADict(manuals)
        lines += shown.to_xyz().rstrip("\n").split("\n")
    if schema:
        lines += ["", schema]
    return "\n".join(lines)


def render_schema(name: str, doc: str | None, rows: Iterable[FieldHelp], *, prefix: str = "") -> str:
    """The schema block: its docstring, then a line per field (and per documented nested model).

    A leaf reads ``optim.lr: float (> 0) = 0.001  # learning rate``; a nested model reads
    ``optim: Optim  # its docstring's first paragraph``.
    """
    lines = [f"(Schema {name})"]
    if doc:
        lines += [*doc.split("\n"), ""]
    for row in rows:
        line = f"{prefix}{row.path}: {row.type_text}"
        if row.constraints:
            line += f" ({', '.join(row.constraints)})"
        if not row.group:
            line += f" = {row.default}"
        lines.append(f"{line}  # {row.description}" if row.description else line)
    return "\n".join(lines)


def render_explain(key: str, writes: list[Write], final: Any, has_final: bool, *, shown: str = "") -> str:
    """Every write to ``key`` (or below it) in order, the last one marked as the winner.

    ``shown`` is how the key is named in the heading (with a MultiScope's scope prefix).
    Values are shown as a file holds them (a Path as its text, a secret masked), so
    ``explain`` agrees with ``print`` and ``dump``.
    """
    shown = shown or key
    if has_final:
        head = f"{shown} = {_shown(final)}"
    else:
        head = f"{shown}: not in the final config" if writes else f"{shown}: never set"
    lines = [head]
    if not writes:
        lines.append("  (no source wrote it)")
    width = max((len(_value(w)) for w in writes), default=0)
    last = {w.key: i for i, w in enumerate(writes, 1)}
    for i, write in enumerate(writes, 1):
        target = "" if write.key == key else f"{write.key[len(key) + 1:]} "
        mark = "  <- final" if last[write.key] == i else ""
        lines.append(f"  {i}. {target}{_value(write).ljust(width)}  {write.source}{mark}")
    return "\n".join(lines)


def _value(write: Write) -> str:
    return "<deleted>" if write.value is DELETED else _shown(write.value)


def _shown(value: Any) -> str:
    from ato.formats import to_plain  # the explain path only: ``import ato.scope`` stays light

    return repr(to_plain(value, fallback=_AsIs))


class _AsIs:
    """A value with no file form, shown by its own ``repr`` in the converted tree."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return repr(self.value)


def render_error(err: ConfigError, program: str) -> str:
    """The paragraph printed on stderr before exiting with status 2."""
    return f"{program}: error: {err}\n(run `{program} manual` to see the views and keys)"
