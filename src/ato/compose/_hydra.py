"""Hydra-style composition of a config directory, without Hydra: ``compose``.

The tree is the one ``hydra.compose`` reads: a primary config ``root/<name>.<ext>`` and
group options ``root/<group>/<option>.<ext>`` (nested groups ``a/b``), chosen by the
``defaults`` lists (see ``_defaults``) and by ``select``. Each chosen config is placed at
its package and deep-merged over what came before, as OmegaConf merges: a mapping merges
into a mapping, anything else replaces, a list is replaced whole, and ``???`` never
replaces a value. Then Hydra's own ``hydra`` node is dropped (as
``hydra.compose(..., return_hydra_config=False)`` does), the dotted ``overrides`` are
applied, and the ``required`` keys are checked. ``${...}`` interpolations are left as
written; ``ato.compose._interp.resolve`` resolves them.

Next to the tree, ``compose`` returns where each leaf's final value came from.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from ato.compose._defaults import Missing, build
from ato.compose._interp import MISSING, has_interpolation
from ato.compose._repo import ConfigFileNotFoundError, Loaded, Repo
from ato.errors import ConfigError, Problem, suggest

__all__ = ["ConfigFileNotFoundError", "compose"]

_ON_MISSING = ("error", "warn")
_ABSENT: Any = object()


def compose(
    root: str | os.PathLike[str],
    config_filename: str = "config",
    select: Mapping[str, str | Iterable[str] | None] | None = None,
    overrides: Mapping[str, Any] | None = None,
    required: Iterable[str] | None = None,
    on_missing: str = "error",
) -> tuple[dict[str, Any], dict[str, str]]:
    """Compose the config tree under ``root`` as ``hydra.compose`` would.

    Args:
        root: The config directory.
        config_filename: The primary config, without extension (``"config"``); a name with
            its extension (``"config.yaml"``) picks that file when several exist.
        select: Group options by group (``{"model": "resnet50"}``); a list merges several
            options of one group in order; None leaves the group out. A group that a
            defaults list already names is chosen there (Hydra's ``model=resnet50``),
            any other is added after the primary config (Hydra's ``+model=resnet50``).
            Keys are Hydra's override keys: ``"db/engine"`` for a nested group,
            ``"db@backup"`` for an entry placed at another package.
        overrides: Dotted keys set last, in order (``{"model.lr": 0.01}``); missing levels
            are created, and a mapping value merges into the mapping already there.
        required: Dotted keys that must exist with a value other than ``???``.
        on_missing: When the primary config or a chosen option has no file: ``"error"``
            raises, ``"warn"`` warns (``UserWarning``) and composes without it.

    Returns:
        The composed tree (plain dicts and lists) and ``sources``: for every leaf (a value
        that is not a mapping, or an empty mapping), by dotted key, where its final value
        came from: ``"configs/model/resnet50.yaml:3"`` (file and line of the key; the file
        alone for formats other than YAML) or ``"override 'model.lr'"``.

    Raises:
        ConfigFileNotFoundError: with ``on_missing="error"``, a config file that is needed
            does not exist; the message lists the files tried. It is both a ConfigError
            and a FileNotFoundError.
        ConfigError: anything else: a malformed file or defaults list, two files for one
            config, a Hydra feature that is not supported (named, with the file), an
            override that cannot be applied, or missing ``required`` keys (all listed).
    """
    if on_missing not in _ON_MISSING:
        raise ConfigError(key="on_missing", expected="'error' or 'warn'", got=on_missing)
    repo = Repo(root)
    results, missing = build(repo, config_filename, _check_select(select), on_missing)
    _warn(missing)
    tree: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for result in results:
        loaded = repo.load(result.config_path)
        if loaded is None:  # a primary that does not exist, with on_missing="warn"
            continue
        _place(tree, origins, loaded, result.package, result.primary)
    tree.pop("hydra", None)
    for key, value in (overrides or {}).items():
        _override(tree, origins, key, value)
    sources = _leaf_sources(tree, origins)
    if required is not None:
        _check_required(tree, sources, required)
    return tree, sources


# ---------------------------------------------------------------------------- select
def _check_select(select: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in (select or {}).items():
        where = f"select[{key!r}]"
        if not isinstance(key, str) or not key.strip("/@") or " " in key:
            problems.append(Problem(key=where, expected="a group name such as 'model'", got=key))
            continue
        if key == "hydra" or key.startswith(("hydra/", "hydra@")):
            problems.append(Problem(key=where, got=value, detail="Hydra's own runtime groups "
                                    "(hydra/...) are not supported"))
            continue
        options = None
        if isinstance(value, Iterable) and not isinstance(value, (str, Mapping)):
            options = list(value)
        if isinstance(value, str) or value is None:
            out[key] = value
        elif options is not None and all(isinstance(v, str) for v in options):
            out[key] = options
        else:
            problems.append(Problem(
                key=where, expected="an option name, a list of option names, or None", got=value,
            ))
    if problems:
        raise ConfigError(problems=problems)
    return out


def _warn(missing: list[Missing]) -> None:
    for item in missing:
        warnings.warn(
            f"{item.message}; composing without it",
            UserWarning,
            stacklevel=_caller_level(),
        )


def _caller_level() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside ato."""
    frame = sys._getframe(1)
    level = 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("ato."):
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return level


# ---------------------------------------------------------------------------- merging
def _place(tree: dict[str, Any], origins: dict[str, str], loaded: Loaded, package: str,
           primary: bool) -> None:
    """Merge ``loaded`` into ``tree`` at ``package`` (dotted; empty for the top)."""
    content = loaded.tree
    hydra_node = content.get("hydra") if isinstance(content, dict) and (primary or not package) else None
    if isinstance(hydra_node, dict) and hydra_node.get("searchpath"):
        raise ConfigError(key="hydra.searchpath", source=loaded.file,
                          detail="extra config search paths are not supported; compose from one root")
    parts = package.split(".") if package else []
    if primary and not isinstance(content, dict):
        raise ConfigError(expected="a mapping at the top level of the primary config",
                          got=type(content).__name__, source=loaded.file)
    if not isinstance(content, dict):
        # A top-level list can only be placed under a key, as in Hydra.
        if not parts:
            raise ConfigError(expected="a mapping at the top level (a list needs a '# @package')",
                              got=type(content).__name__, source=loaded.file)
        node, path = _descend(tree, origins, parts[:-1], loaded.file)
        _merge(node, {parts[-1]: content}, path, "", loaded.file, None, origins)
        return
    node, path = _descend(tree, origins, parts, loaded.file)
    _merge(node, content, path, "", loaded.file, loaded.lines, origins)


def _descend(tree: dict[str, Any], origins: dict[str, str], parts: list[str], file: str
             ) -> tuple[dict[str, Any], str]:
    """The mapping at ``parts`` (created as needed), and its dotted key."""
    node = tree
    path = ""
    for part in parts:
        path = f"{path}.{part}" if path else part
        child = node.get(part, _ABSENT)
        if isinstance(child, list):
            raise ConfigError(key=path, got=child, source=file,
                              detail="cannot place a mapping where a list is (as in OmegaConf)")
        if not isinstance(child, dict):
            child = node[part] = {}
            origins[path] = file
        node = child
    return node, path


def _merge(dest: dict[Any, Any], src: Mapping[Any, Any], path: str, in_file: str, file: str,
           lines: dict[str, int] | None, origins: dict[str, str]) -> None:
    """Deep-merge ``src`` into ``dest`` as OmegaConf merges, noting each leaf's origin.

    ``path`` is the dotted key of ``dest`` in the composed tree, ``in_file`` the same
    place in the source file (for its line); ``lines`` None means every leaf's origin is
    ``file`` itself (an override).
    """
    for key, value in src.items():
        here = f"{path}.{key}" if path else str(key)
        where = f"{in_file}.{key}" if in_file else str(key)
        old = dest.get(key, _ABSENT)
        if isinstance(value, Mapping):
            if isinstance(old, list):
                raise ConfigError(key=here, got=old, source=_at(file, lines, where),
                                  detail="cannot merge a mapping into a list (as in OmegaConf)")
            if has_interpolation(old):
                raise ConfigError(key=here, got=old, source=_at(file, lines, where),
                                  detail="merging a mapping into an interpolation is not supported")
            if not isinstance(old, dict):
                old = dest[key] = {}
                origins[here] = _at(file, lines, where)
            _merge(old, value, here, where, file, lines, origins)
            continue
        if isinstance(value, str) and value == MISSING and old is not _ABSENT:
            continue  # OmegaConf: '???' marks a value to be set, it never unsets one
        if isinstance(old, dict) and isinstance(value, (list, tuple)):
            raise ConfigError(key=here, got=value, source=_at(file, lines, where),
                              detail="cannot merge a list into a mapping (as in OmegaConf)")
        dest[key] = _copy(value)
        origins[here] = _at(file, lines, where)


def _at(file: str, lines: dict[str, int] | None, key: str) -> str:
    if lines is None:
        return file
    line = lines.get(key)
    return f"{file}:{line}" if line is not None else file


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(v) for v in value]
    return value


# ---------------------------------------------------------------------------- overrides
def _override(tree: dict[str, Any], origins: dict[str, str], key: str, value: Any) -> None:
    """Set dotted ``key``; a mapping merges into a mapping there (OmegaConf.update, merge=True)."""
    if not isinstance(key, str) or not key or any(not p for p in key.split(".")):
        raise ConfigError(key=str(key), expected="a dotted key such as 'model.lr'", got=key,
                          source="overrides")
    origin = f"override {key!r}"
    parts = key.split(".")
    node: Any = tree
    walked: list[str] = []
    in_list = None  # the first list on the way: a list is one leaf, so it takes the origin
    for part in parts[:-1]:
        walked.append(part)
        node = _step(node, part, ".".join(walked), key, value)
        if in_list is None and isinstance(node, list):
            in_list = ".".join(walked)
    last = parts[-1]
    here = ".".join(parts)
    if in_list is not None:
        if isinstance(node, list):
            node[_index(node, last, key, value)] = _copy(value)
        else:
            node[last] = _copy(value)
        origins[in_list] = origin
        return
    if isinstance(value, Mapping):
        _merge(node, {last: value}, here.rpartition(".")[0], "", origin, None, origins)
        return
    old = node.get(last, _ABSENT)
    if isinstance(old, dict) and isinstance(value, (list, tuple)):
        raise ConfigError(key=here, got=value, source=origin,
                          detail="cannot merge a list into a mapping (as in OmegaConf)")
    node[last] = _copy(value)
    origins[here] = origin


def _step(node: Any, part: str, path: str, key: str, value: Any) -> Any:
    if isinstance(node, list):
        return node[_index(node, part, key, value)]
    child = node.get(part, _ABSENT)
    if isinstance(child, (dict, list)):
        return child
    if child is _ABSENT or child is None or child == MISSING:
        child = node[part] = {}
        return child
    raise ConfigError(key=key, got=value, source="overrides",
                      detail=f"{path!r} holds {child!r}, not a mapping to set a key in")


def _index(node: list[Any], part: str, key: str, value: Any) -> int:
    if part.lstrip("-").isdigit() and -len(node) <= int(part) < len(node):
        return int(part) % len(node)
    raise ConfigError(key=key, got=value, source="overrides",
                      detail=f"{part!r} is not an index of the list there (length {len(node)})")


# ---------------------------------------------------------------------------- results
def _leaf_sources(tree: dict[str, Any], origins: dict[str, str]) -> dict[str, str]:
    """The origin of every leaf of the final tree (stale notes of replaced values drop out)."""
    out: dict[str, str] = {}

    def walk(node: dict[Any, Any], path: str) -> None:
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, dict) and value:
                walk(value, here)
            elif here in origins:
                out[here] = origins[here]

    walk(tree, "")
    return out


def _check_required(tree: dict[str, Any], sources: dict[str, str], required: Iterable[str]) -> None:
    problems: list[Problem] = []
    for key in required:
        node: Any = tree
        walked: list[str] = []
        for part in key.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
                walked.append(part)
                continue
            if isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
                walked.append(part)
                continue
            present = node.keys() if isinstance(node, dict) else ()
            problems.append(Problem(
                key=key, detail="required key is missing" + (
                    f" ({'.'.join(walked)!r} has no {part!r})" if walked else ""),
                suggestion=suggest(part, present),
            ))
            break
        else:
            if isinstance(node, str) and node == MISSING:
                problems.append(Problem(key=key, detail="required key is '???' (never set)",
                                        source=sources.get(key)))
    if problems:
        raise ConfigError(problems=problems)
