"""What the tracker reads from a run's config: the database URL, the project, the record.

A config is an :class:`~ato.adict.ADict` (or any mapping) or a pydantic model instance
(what a typed ``Scope`` passes to the decorated function). Both are read the same way;
a missing key is a :class:`~ato.errors.ConfigError` naming it.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Mapping
from typing import Any

from ato.errors import ConfigError

__all__ = ["DB_KEY", "PROJECT_KEY", "config_record", "db_url", "jsonable", "project_name", "setting"]

DB_KEY = "experiment.sql.db_path"
PROJECT_KEY = "experiment.project_name"

_MISSING = object()


def setting(config: object, dotted: str) -> object:
    """The value at ``dotted`` in ``config``, read through mappings and model attributes.

    Raises:
        ConfigError: A part of the path is absent; the message names the full key.
    """
    node: object = config
    for part in dotted.split("."):
        node = node.get(part, _MISSING) if isinstance(node, Mapping) else getattr(node, part, _MISSING)
        if node is _MISSING:
            expected = _EXPECTED.get(dotted, "a value")
            raise ConfigError(key=dotted, expected=expected, detail="missing from the config")
        if node is None:
            raise ConfigError(key=dotted, expected=_EXPECTED.get(dotted, "a value"), got=None)
    return node


def db_url(config: object) -> str:
    """``config.experiment.sql.db_path``, checked to be non-empty text.

    Raises:
        ConfigError: Missing, not a string, or empty.
    """
    url = setting(config, DB_KEY)
    if isinstance(url, os.PathLike):
        url = f"sqlite:///{os.fspath(url)}"  # a bare path: the obvious meaning is a SQLite file
    if not isinstance(url, str) or not url.strip():
        raise ConfigError(key=DB_KEY, expected=_EXPECTED[DB_KEY], got=url)
    return url


def project_name(config: object) -> str:
    """``config.experiment.project_name`` as text.

    Raises:
        ConfigError: Missing or empty.
    """
    name = setting(config, PROJECT_KEY)
    if not isinstance(name, str) or not name:
        raise ConfigError(key=PROJECT_KEY, expected=_EXPECTED[PROJECT_KEY], got=name)
    return name


def config_record(config: object) -> tuple[dict[str, Any], str]:
    """The config as a JSON-ready dict, and its structural hash.

    The tree is what ``dump`` would write (``ato.formats.to_plain``): paths and enums as
    text and values, sets as sorted lists, dates as ISO text, secrets masked. An ADict
    hashes by its leaves' paths and types (or its schema's declared types when a typed
    Scope built it); a pydantic model by its class's declared field types, so a value
    change never changes the hash and a new or retyped field always does.

    Returns:
        ``(tree, structural_hash)``.

    Raises:
        TypeError: ``config`` is neither a mapping nor a pydantic model.
    """
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(config, pydantic.BaseModel):
        from ato.schema import schema_hash

        return jsonable(config), schema_hash(type(config))
    if isinstance(config, Mapping):
        from ato.adict import ADict

        adict = config if isinstance(config, ADict) else ADict(config)
        return jsonable(adict), adict.get_structural_hash()
    raise TypeError(f"config must be an ADict, a mapping or a pydantic model, got {type(config).__name__}")


def jsonable(value: Any) -> Any:
    """``value`` with everything JSON cannot hold turned into something it can.

    The values a file can hold are converted as ``dump`` converts them (see
    ``ato.formats.to_plain``; secrets become ``'**********'``). Beyond that, since a run is
    never refused for an odd config value: mappings get string keys, NumPy and torch arrays
    become lists, any other object its ``str``, and non-finite floats the strings
    ``'nan'``, ``'inf'``, ``'-inf'`` (PostgreSQL's JSON rejects them).
    """
    from ato.formats import to_plain

    return _finite(to_plain(value, fallback=_leftover))


def _leftover(value: Any) -> Any:
    # What no config file holds: an array's items, pydantic's JSON form of a value a schema
    # holds (a timedelta, an IP address), else its text, so a run is never refused over it.
    tolist = getattr(value, "tolist", None)  # NumPy / torch arrays
    if callable(tolist):
        return jsonable(tolist())
    core = sys.modules.get("pydantic_core")
    if core is not None:
        try:
            return jsonable(core.to_jsonable_python(value))
        except core.PydanticSerializationError:
            pass
    return str(value)


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


_EXPECTED = {
    DB_KEY: "a SQLAlchemy URL such as 'sqlite:///experiments.db'",
    PROJECT_KEY: "the project name (text)",
}
