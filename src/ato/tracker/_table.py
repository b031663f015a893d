"""Plain-text rendering for ``ato runs``: aligned tables, cells and times.

Contract: :func:`table` pads every column to its widest cell, two spaces apart, numbers
right-aligned, with a dashed rule under the header and no trailing spaces; every other
function turns one value into the text of one cell.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["cell", "duration", "number", "table", "when"]

_NUMBER = re.compile(r"-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|-?inf|nan")
MISSING = "-"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """The rows under the headers, aligned; numeric columns right-aligned."""
    body = [list(row) for row in rows]
    widths = [len(h) for h in headers]
    for row in body:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    numeric = [
        bool(body) and all(c == MISSING or _NUMBER.fullmatch(c) for c in (r[i] for r in body))
        for i in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.rjust(w) if right else c.ljust(w) for c, w, right in zip(cells, widths, numeric, strict=True)
        ).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in body)])


def cell(value: Any) -> str:
    """A config value: text as is, anything else as Python writes it."""
    if isinstance(value, str):
        return value
    return repr(value)


def number(value: float) -> str:
    """A metric value in at most 6 significant digits."""
    return f"{value:.6g}"


def when(moment: dt.datetime | None) -> str:
    """A stored (UTC) time to the second."""
    return MISSING if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def duration(start: dt.datetime | None, end: dt.datetime | None) -> str:
    """``1h02m``, ``3m05s``, ``42s``; ``-`` when either end is unknown."""
    if start is None or end is None:
        return MISSING
    seconds = max(0, round((end - start).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"
