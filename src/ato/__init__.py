"""ato: typed, schema-validated configuration for ML experiments.

``import ato`` stays light: the container and the error type load at once; ``Scope`` and
``MultiScope`` load on first use, and file codecs when a file of their format is read or
written.
"""

from typing import TYPE_CHECKING, Any

from ato.adict import ADict
from ato.errors import ConfigError

if TYPE_CHECKING:
    from ato.scope import MultiScope, Scope

__all__ = ["ADict", "ConfigError", "MultiScope", "Scope", "__version__"]

__version__ = "3.0.0.dev0"


def __getattr__(name: str) -> Any:
    if name in ("Scope", "MultiScope"):
        import ato.scope

        return getattr(ato.scope, name)
    raise AttributeError(f"module 'ato' has no attribute {name!r}")
