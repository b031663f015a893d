"""One line of progress on stderr: trials done / total, failures, the best so far.

Failed trials are also reported as warnings of the ``ato.hyperopt`` logger (by one process
of a distributed search); the progress line is cleared first so the two never share a line.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ato.hyperopt._records import TrialRecord

__all__ = ["Progress"]

_log = logging.getLogger("ato.hyperopt")


class Progress:
    """Redraws one status line in place; silent when not enabled."""

    def __init__(self, total: int, *, enabled: bool, mode: str, label: str,
                 report_failures: bool = True, stream: TextIO | None = None) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0
        self.failed = 0
        self.best: TrialRecord | None = None
        self._max = mode == "max"
        self._label = label
        self._stream = stream if stream is not None else sys.stderr
        self._drawn = False
        self._report = report_failures

    def advance(self, record: TrialRecord) -> None:
        """Count one finished trial."""
        self.done += 1
        metric = record.metric
        if metric is None:
            self.failed += 1
            if self._report:
                if self._drawn:
                    self._stream.write("\r\x1b[K")
                    self._stream.flush()
                _log.warning("trial %d of search %s failed: %s", record.trial.index,
                             record.trial.search_id, record.error)
        elif self.best is None or self.best.metric is None or (
            metric > self.best.metric if self._max else metric < self.best.metric
        ):
            self.best = record
        if self.enabled:
            self._draw()

    def _draw(self) -> None:
        best = "none yet" if self.best is None else f"{self.best.metric:.6g} (trial {self.best.trial.index})"
        failed = f", {self.failed} failed" if self.failed else ""
        self._stream.write(f"\r{self._label}: {self.done}/{self.total} trials{failed}, best {best}\x1b[K")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """End the line (once)."""
        if self._drawn:
            self._stream.write("\n")
            self._stream.flush()
            self._drawn = False
