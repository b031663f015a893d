"""Process-wide hooks that end every live run when its process ends, however it ends.

* interpreter exit (``atexit``): buffered points are written and the run closed:
  ``completed`` after a normal exit, ``failed`` (``killed`` for Ctrl-C) after an uncaught
  exception, ``killed`` after a signal;
* an uncaught exception (a ``sys.excepthook`` chained in front of the previous one):
  ``failed``, or ``killed`` for ``KeyboardInterrupt``, before the traceback is printed;
* SIGTERM and SIGINT (handlers chained to the previous ones, installed from the main thread
  only, never over an ignored signal): points written and runs marked ``killed``, then the
  signal does what it did before: the previous Python handler runs (for SIGINT by default
  that raises ``KeyboardInterrupt``), or, for a signal whose disposition was the default,
  the handler is removed and the signal re-sent, so the process dies of it (a shell shows
  exit status 143 for SIGTERM) exactly as without ato.

A Python signal handler runs in the main thread between two bytecodes, possibly in the
middle of the main thread's own database write. Writes therefore run inside
:func:`critical`; a signal arriving then is held and handled when the write is done.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType, TracebackType
from typing import Any, Protocol

__all__ = ["critical", "register", "unregister"]

_log = logging.getLogger("ato.tracker")

SIGNALS = (signal.SIGTERM, signal.SIGINT)


class _Run(Protocol):
    """What the hooks need from a live logger."""

    def _interrupted(self, status: str) -> None: ...
    def _process_ends(self, status: str | None) -> None: ...
    def _forked(self) -> None: ...


class _State:
    """This process's hook state (replaced wholesale in a forked child)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.live: dict[int, _Run] = {}
        self.exit_hooks_installed = False
        self.previous_handlers: dict[int, Any] = {}
        self.previous_excepthook = sys.excepthook
        # Main-thread nesting depth of database writes, and signals held back meanwhile.
        self.depth = 0
        self.pending: list[int] = []


_state = _State()


def register(run: _Run) -> None:
    """Track ``run`` as live; install the hooks on first use in this process."""
    with _state.lock:
        _state.live[id(run)] = run
        if not _state.exit_hooks_installed:
            _state.exit_hooks_installed = True
            atexit.register(_at_exit)
            _state.previous_excepthook = sys.excepthook
            sys.excepthook = _excepthook
    if threading.current_thread() is threading.main_thread():
        _install_signal_handlers()


def unregister(run: _Run) -> None:
    """Stop tracking ``run`` (it finished)."""
    with _state.lock:
        _state.live.pop(id(run), None)


@contextlib.contextmanager
def critical() -> Iterator[None]:
    """Hold SIGTERM/SIGINT handling back while the main thread writes to the database."""
    state = _state
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers never run in other threads
        return
    state.depth += 1
    try:
        yield
    finally:
        state.depth -= 1
        if state.depth == 0 and state.pending:
            _on_signal(state.pending.pop(0), None)


def _snapshot() -> list[_Run]:
    with _state.lock:
        return list(_state.live.values())


def _end_all(status: str | None) -> None:
    for run in _snapshot():
        try:
            run._process_ends(status)
        except Exception:
            # Never let a database problem hide the program's own error or exit status.
            _log.exception("ato.tracker: could not close a run at exit")


def _at_exit() -> None:
    # The default excepthook leaves the uncaught exception in sys.last_type; it is how an
    # exit caused by an error is told from a normal one even when another library
    # replaced sys.excepthook after ours.
    last = getattr(sys, "last_type", None)
    if last is None:
        _end_all(None)
    else:
        _end_all("killed" if issubclass(last, KeyboardInterrupt) else "failed")


def _excepthook(exc_type: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
    _end_all("killed" if issubclass(exc_type, KeyboardInterrupt) else "failed")
    _state.previous_excepthook(exc_type, exc, tb)


def _install_signal_handlers() -> None:
    for signum in SIGNALS:
        current = signal.getsignal(signum)
        if current is _on_signal or current == signal.SIG_IGN:
            continue  # ours already, or ignored on purpose (nohup, background jobs)
        try:
            signal.signal(signum, _on_signal)
        except (ValueError, OSError):  # pragma: no cover - embedded interpreters
            continue
        _state.previous_handlers[signum] = current


def _on_signal(signum: int, frame: FrameType | None) -> None:
    if _state.depth:
        _state.pending.append(signum)  # the main thread is mid-write: finish it first
        return
    for run in _snapshot():
        try:
            run._interrupted("killed")
        except Exception:
            _log.exception("ato.tracker: could not record a run as killed")
    previous = _state.previous_handlers.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)  # SIGINT's default_int_handler raises KeyboardInterrupt
    elif previous != signal.SIG_IGN:  # SIG_IGN: never installed over it, kept for safety
        # Die of the signal as the default disposition would: no Python-level unwinding.
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _after_fork_in_child() -> None:
    # A forked child inherits the parent's live runs; they are the parent's to end.
    # The lock may have been held by a parent thread at fork time. The hooks themselves
    # stay installed (atexit, excepthook and handlers are inherited too).
    runs = list(_state.live.values())
    _state.lock = threading.Lock()
    _state.live = {}
    _state.depth = 0
    _state.pending = []
    for run in runs:
        run._forked()


os.register_at_fork(after_in_child=_after_fork_in_child)
