"""The public composition calls: compose a Hydra tree or load an OpenMMLab config as an ADict.

Both keep, per leaf key, the file (and YAML line) its final value came from. That record
serves three readers: a schema's error messages, ``ato.compose.sources_of(cfg)``, and a
Scope's ``explain`` when a view calls one of these functions.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from ato.adict import ADict, origin_of

__all__ = ["compose_hierarchy", "load_mm_config", "resolve", "sources_of"]


def compose_hierarchy(
    root: str | os.PathLike[str],
    config_filename: str = "config",
    *,
    select: Mapping[str, str | Iterable[str]] | None = None,
    overrides: Mapping[str, Any] | None = None,
    required: Iterable[str] | None = None,
    on_missing: str = "error",
    schema: type | None = None,
    cls: type[ADict] = ADict,
) -> ADict:
    """Compose ``root/<config_filename>.*`` with its groups, as ``hydra.compose`` would.

    Args:
        root: The config directory.
        config_filename: The primary config's name, without extension.
        select: Group options to use, ``{"model": "resnet50"}`` or a list merged in order
            (like Hydra's ``model=resnet50`` override).
        overrides: Dotted keys set last; a mapping merges into the mapping there.
        required: Dotted keys that must exist; all missing ones are listed in one error.
        on_missing: ``"error"`` or ``"warn"`` for a missing primary config or option.
        schema: A pydantic model that validates the result; its required fields count as
            required, and each problem names the file (and line) that set the value.
            Interpolations are resolved first, since the schema checks final values.

    Raises:
        ConfigError: malformed files, ambiguous options, missing required keys, problems
            found by the schema.
    """
    from ato.compose._hydra import compose

    tree, sources = compose(
        root, config_filename, select=select, overrides=overrides, required=required,
        on_missing=on_missing,
    )
    return _finish(tree, sources, schema, cls)


def load_mm_config(path: str | os.PathLike[str], *, schema: type | None = None,
                   cls: type[ADict] = ADict) -> ADict:
    """Load an OpenMMLab config as ``mmengine.Config.fromfile(path).to_dict()`` would."""
    from ato.compose._mm import load_mm

    tree, sources = load_mm(path)
    return _finish(tree, sources, schema, cls)


def resolve(tree: ADict) -> None:
    """Resolve ``${...}`` interpolations in place."""
    from ato.compose._interp import resolve as _resolve

    _resolve(tree)


def sources_of(cfg: ADict) -> dict[str, str]:
    """Where each leaf of a composed config came from (empty for other ADicts)."""
    return origin_of(cfg)


def source_for(sources: Mapping[str, str], key: str) -> str | None:
    """The source of ``key``: its own, its nearest ancestor's, or one shared by its leaves."""
    parts = key.split(".")
    for end in range(len(parts), 0, -1):
        found = sources.get(".".join(parts[:end]))
        if found is not None:
            return found
    below = {v for k, v in sources.items() if k.startswith(f"{key}.")}
    return below.pop() if len(below) == 1 else None


def _finish(tree: dict[str, Any], sources: dict[str, str], schema: type | None,
            cls: type[ADict]) -> ADict:
    if schema is not None:
        from ato.compose._interp import resolve as _resolve
        from ato.schema import validate

        _resolve(tree)
        model = validate(schema, tree, lambda key: source_for(sources, key))
        tree = model.model_dump()
    cfg = cls(tree).attach(schema=schema, origin=sources)
    # A loader never imports ato.scope; but when a program has one, a view may be running
    # this very call, and its explain should name the files.
    scope = sys.modules.get("ato.scope")
    if scope is not None:
        scope.note_sources(cfg, sources)
    return cfg
