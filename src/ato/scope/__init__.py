"""Scopes: views, the apply plan, provenance, manual/explain, MultiScope, argparse.

``import ato.scope`` loads neither pydantic nor any codec; a schema pulls pydantic in.
"""

from typing import TYPE_CHECKING, Any

from ato.scope._build import note_sources
from ato.scope._multi import MultiScope
from ato.scope._scope import Scope

__all__ = ["Entry", "MultiScope", "Scope", "TrialBuilder", "note_sources"]

if TYPE_CHECKING:
    from ato.scope._entry import Entry
    from ato.scope._trials import TrialBuilder
else:
    # Types for annotations and the search's seam: loaded when asked for, not by every
    # program that imports a Scope (start-up time).
    def __getattr__(name: str) -> Any:
        if name == "Entry":
            from ato.scope._entry import Entry

            return Entry
        if name == "TrialBuilder":
            from ato.scope._trials import TrialBuilder

            return TrialBuilder
        raise AttributeError(f"module 'ato.scope' has no attribute {name!r}")
