"""MultiScope: several independent scopes handed to one function by parameter name."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from ato.errors import ConfigError
from ato.scope._scope import Scope

if TYPE_CHECKING:
    from ato.scope._entry import Entry

__all__ = ["MultiScope"]

R = TypeVar("R")


class MultiScope:
    """Scopes with separate namespaces: ``model.lr`` and ``data.lr`` never collide.

    On the command line ``model.lr=0.1`` goes to the scope named ``model``; a view name
    selects that view in every scope that has it (``model.resnet101`` picks one scope).
    """

    def __init__(self, *scopes: Scope[Any]) -> None:
        names = [scope.name for scope in scopes]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ConfigError(key="MultiScope", detail="two scopes share the name " + ", ".join(
                repr(n) for n in duplicated))
        self.scopes = scopes

    def __call__(self, func: Callable[..., R]) -> Entry[..., R]:
        """Decorate ``func``: each call builds every scope and passes each by its name."""
        from ato.scope._cli import decorate

        return cast("Entry[..., R]", decorate(list(self.scopes), func))
