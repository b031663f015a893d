"""``Scope.save_config``: a run's config, written so that ``--config`` of the file rebuilds it.

A re-run with ``--config saved.yaml`` applies the schema defaults and the default views,
then the file (which overrides every key they wrote), then the lazy steps that run by
default: the lazy views with ``default=True`` and the lazy blocks of default views. Those
lazy steps run again, so writing their results would apply them twice (a lazy view that
scales ``lr`` by the batch size would scale it again). The file therefore holds:

* every key at its final value (validated by the schema, in the JSON-like form that
  ``model_dump(mode="json", round_trip=True)`` gives, which the schema reads back), except
* the keys whose last writer is a lazy step that runs by default: those hold the value
  they had before the lazy steps, or are left out when they had none, since the re-run
  computes them again from the same inputs;
* secrets and computed fields, which ``Scope.save_config`` leaves out: a secret written
  as its mask would replace the real one on the re-run, and the schema refuses a
  computed field as input.

A lazy view selected by name on the command line does not run again unless named again,
so its results are written as final values. Hydra's ``.hydra/config.yaml`` keeps
interpolations unresolved for the same reason: what is derived is derived again.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Container, Mapping
from typing import Any

from ato.errors import ConfigError

__all__ = ["saved_tree", "write_config"]


def saved_tree(
    final: Mapping[str, Any],
    before_lazy: Mapping[str, Any],
    lazy_writers: Mapping[str, str],
    rerun: Container[str],
) -> dict[str, Any]:
    """The tree to save (see the module docstring). ``rerun``: the views a plain re-run runs."""
    tree: dict[str, Any] = copy.deepcopy(dict(final))
    for key, writer in lazy_writers.items():
        if writer not in rerun:
            continue
        below = f"{key}."
        before = {p: v for p, v in before_lazy.items() if p == key or p.startswith(below)}
        if key not in before or len(before) > 1:
            _delete(tree, key, before_lazy)
        for path, value in before.items():
            _set(tree, path, copy.deepcopy(value))  # in place when the key is still there
    return tree


def _set(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = tree
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[last] = value


def _delete(tree: dict[str, Any], path: str, keep: Mapping[str, Any]) -> None:
    """Remove ``path``, then the parents it leaves empty unless ``keep`` holds them."""
    parts = path.split(".")
    chain: list[dict[str, Any]] = [tree]
    for part in parts[:-1]:
        child = chain[-1].get(part)
        if not isinstance(child, dict):
            return
        chain.append(child)
    chain[-1].pop(parts[-1], None)
    for depth in range(len(parts) - 1, 0, -1):
        prefix = ".".join(parts[:depth])
        if chain[depth] or any(k == prefix or k.startswith(f"{prefix}.") for k in keep):
            break
        chain[depth - 1].pop(parts[depth - 1], None)


def write_config(tree: Mapping[str, Any], path: str | os.PathLike[str]) -> None:
    """Write ``tree`` by the file's extension, atomically (never a ``.py``: saved configs are data)."""
    from ato.formats import FORMATS, dump_file

    text = os.fspath(path)
    ext = os.path.splitext(text)[1].lower()
    if FORMATS.get(ext) == "py":
        allowed = ", ".join(e for e, fmt in FORMATS.items() if fmt != "py")
        raise ConfigError(key="save_config", expected=f"a path ending in {allowed}", got=text,
                          detail="a .py config cannot be given back with --config")
    dump_file(tree, text)
