"""The process-wide record of fingerprints taken, for the tracker to store with a run.

Contract: ``record`` appends ``(trace_id, trace_type, fingerprint)`` unless that exact
triple is already recorded; ``recorded()`` returns the triples in first-recorded order.
Static fingerprints are taken when a module is imported, long before a run starts, so the
record lives as long as the process; the tracker reads it when a run starts and at every
flush and stores what it has not stored yet. ``clear()`` forgets everything (tests, or a
process that starts unrelated runs one after another). Thread-safe.
"""

from __future__ import annotations

import _thread

__all__ = ["TRACE_TYPES", "clear", "record", "recorded"]

TRACE_TYPES = ("static", "runtime")

_lock = _thread.allocate_lock()
_records: dict[tuple[str, str, str], None] = {}


def record(trace_id: str, trace_type: str, fingerprint: str) -> None:
    """Remember one fingerprint; ``trace_type`` is ``"static"`` or ``"runtime"``.

    Raises:
        ValueError: an unknown ``trace_type`` or an empty ``trace_id``/``fingerprint``.
    """
    if trace_type not in TRACE_TYPES:
        raise ValueError(f"trace_type must be 'static' or 'runtime', got {trace_type!r}")
    if not trace_id or not fingerprint:
        raise ValueError("trace_id and fingerprint must be non-empty strings")
    with _lock:
        _records.setdefault((trace_id, trace_type, fingerprint))


def recorded() -> list[tuple[str, str, str]]:
    """Every ``(trace_id, trace_type, fingerprint)`` recorded so far, oldest first, once each."""
    with _lock:
        return list(_records)


def clear() -> None:
    """Forget every recorded fingerprint."""
    with _lock:
        _records.clear()
