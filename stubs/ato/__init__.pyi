# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from ato.adict import ADict as ADict
from ato.errors import ConfigError as ConfigError
from ato.scope import MultiScope as MultiScope
from ato.scope import Scope as Scope

__all__ = ["ADict", "ConfigError", "MultiScope", "Scope", "__version__"]

__version__: str
