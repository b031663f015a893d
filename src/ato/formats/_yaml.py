"""YAML codec, read the way OmegaConf (and so Hydra) reads it.

PyYAML implements YAML 1.1, where ``1e-3`` is a string and ``2024-01-01`` a date. Configs
mean a float and a string there, so the loader swaps the float rule for one that takes
exponents without a dot and drops the timestamp rule. The dumper knows the same float rule
so that a string such as ``"1e-3"`` is written quoted and reads back as a string. Only the
safe constructors are used: YAML never builds Python objects here.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ato.errors import ConfigError, Problem
from ato.formats._errors import parse_error

NAME = "yaml"
ALLOWS_NONE = True
KEEPS_TUPLES = False

_DIGITS = r"[0-9][0-9_]*"
_EXPONENT = r"[eE][-+]?[0-9]+"
_FLOAT = re.compile(
    "^(?:"
    + "|".join(
        [
            rf"[-+]?{_DIGITS}\.[0-9_]*(?:{_EXPONENT})?",  # 1.  1.5  1.5e3
            rf"[-+]?{_DIGITS}{_EXPONENT}",  # 1e-3: the case YAML 1.1 reads as a string
            rf"[-+]?\.[0-9][0-9_]*(?:{_EXPONENT})?",  # .5
            rf"[-+]?{_DIGITS}(?::[0-5]?[0-9])+\.[0-9_]*",  # 1:30.5, YAML 1.1 base 60
            r"[-+]?\.(?:inf|Inf|INF)",
            r"\.(?:nan|NaN|NAN)",
        ]
    )
    + ")$"
)
_FLOAT_FIRST = list("-+0123456789.")

_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _resolvers(
    table: dict[str, list[tuple[str, re.Pattern[str]]]], keep_timestamps: bool
) -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    out: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for first, rules in table.items():
        kept = [
            (tag, rx) for tag, rx in rules
            if tag != "tag:yaml.org,2002:float"
            and (keep_timestamps or tag != "tag:yaml.org,2002:timestamp")
        ]
        out[first] = kept
    for first in _FLOAT_FIRST:
        out.setdefault(first, []).append(("tag:yaml.org,2002:float", _FLOAT))
    return out


class _Loader(_BaseLoader):  # type: ignore[misc]
    yaml_implicit_resolvers = _resolvers(_BaseLoader.yaml_implicit_resolvers, False)

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, Any] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            if key in seen:
                raise ConfigError(
                    key=str(key),
                    detail="the key appears twice in one mapping",
                    source=f"{self.name}, line {key_node.start_mark.line + 1}",
                )
            seen[key] = None
        return super().construct_mapping(node, deep=deep)  # type: ignore[no-any-return]


class _Dumper(_BaseDumper):  # type: ignore[misc]
    yaml_implicit_resolvers = _resolvers(_BaseDumper.yaml_implicit_resolvers, True)


def loads(text: str, source: str) -> Any:
    return _parse(text, source, with_lines=False)[0]


def loads_with_lines(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """Parse like :func:`loads`, and also say on which line each mapping key is written.

    Returns the tree and a map from each dotted key path (``"model.lr"``; keys joined with
    ``.`` as ``str(key)``) to the 1-based line of that key in ``text``. Keys inside mappings
    that sit in lists are not mapped: a list is one value. A key brought in by a YAML merge
    (``<<: *base``) maps to the line where the anchored mapping writes it.

    Raises:
        ConfigError: as :func:`loads`.
    """
    return _parse(text, source, with_lines=True)


def _parse(text: str, source: str, *, with_lines: bool) -> tuple[Any, dict[str, int]]:
    loader = _Loader(text)
    loader.name = source
    lines: dict[str, int] = {}
    try:
        if not with_lines:
            return loader.get_single_data(), lines
        node = loader.get_single_node()
        # The same constructor as `loads`, so values are typed identically. Constructing
        # also flattens `<<` merges into each mapping node, which the walk below relies on.
        tree = loader.construct_document(node) if node is not None else None
        if node is not None and isinstance(tree, dict):
            _key_lines(loader, node, "", lines)
        return tree, lines
    except yaml.YAMLError as exc:
        raise parse_error(exc, source) from None
    finally:
        loader.dispose()


def _key_lines(
    loader: Any, node: Any, prefix: str, out: dict[str, int], stack: frozenset[int] = frozenset()
) -> None:
    # `stack` holds the mapping nodes being walked: an alias may point back at one of them.
    stack = stack | {id(node)}
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":  # pragma: no cover - flattened away
            continue
        if key_node.tag == "tag:yaml.org,2002:str":
            key = key_node.value  # the common case, without a second construction
        else:
            key = str(loader.construct_object(key_node, deep=True))
        path = f"{prefix}.{key}" if prefix else key
        # Merged-in pairs come first in a flattened node, so the mapping's own key wins.
        out[path] = key_node.start_mark.line + 1
        if isinstance(value_node, yaml.MappingNode) and id(value_node) not in stack:
            _key_lines(loader, value_node, path, out, stack)


def dumps(tree: dict[str, Any], **options: Any) -> str:
    options.setdefault("sort_keys", False)
    options.setdefault("allow_unicode", True)
    options.setdefault("default_flow_style", False)
    return yaml.dump(tree, Dumper=_Dumper, **options)  # type: ignore[no-any-return]


def check(tree: dict[str, Any]) -> list[Problem]:
    return []
