"""The configuration container (standard library only).

Besides :class:`ADict`, the package offers the other layers what they need of it:
``flatten`` (dotted leaf paths), ``origin_of`` (the sources a loader attached),
``hash_leaves`` (the recipe the typed schema hash shares), and for ``ato.scope``'s
builder ``recording_auto`` / ``settle`` (an auto tree whose unused nodes are dropped once
the views have run).
"""

from ato.adict._adict import ADict, origin_of, recording_auto
from ato.adict._flat import flatten
from ato.adict._hash import hash_leaves
from ato.adict._state import settle

__all__ = ["ADict", "flatten", "hash_leaves", "origin_of", "recording_auto", "settle"]
