"""Views: the functions (or mappings) that write a scope's config, and where they live."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["View", "where"]


def where(filename: str, line: int) -> str:
    """``file:line`` with the file relative to the working directory when it is inside it."""
    try:
        rel = os.path.relpath(filename)
    except ValueError:  # another drive on Windows
        rel = filename
    shown = filename if rel.startswith("..") else rel
    return f"{shown}:{line}"


class View:
    """One registered view. ``fn`` writes into the config; a mapping view merges its data."""

    __slots__ = ("chain_with", "default", "fn", "has_lazy_blocks", "lazy", "location", "mapping",
                 "name", "priority")

    def __init__(
        self,
        name: str,
        fn: Callable[[Any], Any] | None,
        mapping: Mapping[str, Any] | None,
        priority: int,
        lazy: bool,
        default: bool,
        chain_with: tuple[str, ...],
        location: str,
    ) -> None:
        self.name = name
        self.fn = fn
        self.mapping = mapping
        self.priority = priority
        self.lazy = lazy
        self.default = default
        self.chain_with = chain_with
        self.location = location
        self.has_lazy_blocks = False  # learnt the first time the view runs

    def __repr__(self) -> str:
        return f"View({self.name!r}, priority={self.priority}, lazy={self.lazy}, default={self.default})"

    @property
    def label(self) -> str:
        kind = "lazy view" if self.lazy else "view"
        return f"{kind} {self.name!r} ({self.location})"

    @staticmethod
    def chain(chain_with: str | Iterable[str] | None) -> tuple[str, ...]:
        if chain_with is None:
            return ()
        if isinstance(chain_with, str):
            return (chain_with,)
        return tuple(chain_with)
