"""Scopes: views, the apply plan, provenance, manual/explain, MultiScope, argparse.

``import ato.scope`` loads neither pydantic nor any codec; a schema pulls pydantic in.
"""

from ato.scope._build import note_sources
from ato.scope._entry import Entry
from ato.scope._multi import MultiScope
from ato.scope._scope import Scope
from ato.scope._trials import TrialBuilder

__all__ = ["Entry", "MultiScope", "Scope", "TrialBuilder", "note_sources"]
