"""One translation of JSON and YAML parser exceptions into a ConfigError naming file and line.

The codecs and the OpenMMLab loader read JSON and YAML with different settings, but a
malformed file reads the same everywhere: what the parser said, at ``file, line L, column C``.
"""

from __future__ import annotations

import json

from ato.errors import ConfigError

__all__ = ["parse_error"]


def parse_error(exc: Exception, source: str) -> ConfigError:
    """The ConfigError for a ``json.JSONDecodeError`` or a PyYAML ``YAMLError`` from ``source``."""
    if isinstance(exc, json.JSONDecodeError):
        return ConfigError(detail=f"malformed JSON: {exc.msg}",
                           source=f"{source}, line {exc.lineno}, column {exc.colno}")
    import yaml  # already loaded: it raised `exc`

    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}, line {mark.line + 1}, column {mark.column + 1}" if mark else source
        return ConfigError(detail=f"malformed YAML: {exc.problem or exc.context or 'unreadable'}",
                           source=where)
    return ConfigError(detail=f"malformed YAML: {exc}", source=source)
