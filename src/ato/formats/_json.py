"""JSON codec. Duplicate keys are an error rather than a silent last-one-wins."""

from __future__ import annotations

import json
from typing import Any

from ato.errors import ConfigError, Problem
from ato.formats._errors import parse_error

NAME = "json"
ALLOWS_NONE = True
KEEPS_TUPLES = False


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


class _Duplicate(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def loads(text: str, source: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise parse_error(exc, source) from None
    except _Duplicate as exc:
        raise ConfigError(
            key=exc.key, detail="the key appears twice in one object", source=source
        ) from None


def dumps(tree: dict[str, Any], *, indent: int | None = 2, **options: Any) -> str:
    return json.dumps(tree, indent=indent, ensure_ascii=options.pop("ensure_ascii", False),
                      **options) + "\n"


def check(tree: dict[str, Any]) -> list[Problem]:
    return []
