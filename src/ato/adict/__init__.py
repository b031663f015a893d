"""The configuration container (standard library only)."""

from ato.adict._adict import ADict

__all__ = ["ADict"]
