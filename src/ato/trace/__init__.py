"""Code fingerprints: which version of the code, and of its results, a run used.

``static_fingerprint(func)`` hashes what a function's code does (comments, formatting and
docstrings aside); ``runtime_fingerprint(value)`` hashes a value it produced. Fingerprints
taken through ``scope.trace`` / ``scope.runtime_trace`` (or ``record``) are kept for the
process in ``recorded()``, and the tracker stores them with each run, so
``SQLFinder.find_similar_runs_by_trace`` and ``get_trace_statistics`` can compare runs by
code version. Nothing here parses or compiles source text.
"""

from ato.trace._registry import TRACE_TYPES, clear, record, recorded
from ato.trace._runtime import runtime_fingerprint
from ato.trace._static import static_fingerprint

__all__ = ["TRACE_TYPES", "clear", "record", "recorded", "runtime_fingerprint", "static_fingerprint"]
