"""``--config FILE``: config files named on the command line, read before anything runs.

Contract:

* A file is read by ``ato.formats`` by its extension: ``.yaml``/``.yml``, ``.json``,
  ``.toml``, ``.xyz``. A ``.py`` config is refused: reading it runs it, and nothing typed
  on the command line is ever run (a view may still load one with ``ADict.from_file``).
* Every file is read before any view runs, and every problem of every file (missing,
  unreadable, malformed, a ``.py``, a top level that is no mapping) is reported at once,
  each naming the file.
* A YAML file knows the line of each key, so ``explain`` names ``exp.yaml:3``; the other
  formats name the file alone.
* With one scope a file's keys are the scope's own; with several (``MultiScope``) its
  top-level keys are scope names, as ``model.lr=0.1`` is on the command line
  (:func:`split_by_scope`).
* With a schema, each leaf that names a declared field is checked against that field's
  type before any view runs (:func:`check_file`), as command-line values are, and a key
  that a model plainly lacks is reported there too, with a did-you-mean. Anything the
  dotted look-up cannot judge alone (a key under a union of models, whose member the
  whole value picks) is left to the final validation, which names the file as well.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from ato.adict import flatten
from ato.errors import ConfigError, Problem, suggest

__all__ = ["ConfigFile", "check_file", "read_config_files", "split_by_scope"]


class ConfigFile(NamedTuple):
    """One ``--config`` file: its path as typed, its tree and the line of each YAML key."""

    path: str
    tree: dict[str, Any]
    lines: Mapping[str, int]

    def source(self, key: str) -> str:
        """``exp.yaml:3`` for the line that writes ``key`` (or its nearest parent), else the path."""
        parts = key.split(".")
        for end in range(len(parts), 0, -1):
            line = self.lines.get(".".join(parts[:end]))
            if line is not None:
                return f"{self.path}:{line}"
        return self.path

    def under(self, name: str) -> ConfigFile:
        """The part of the file under the top-level key ``name``, with its lines."""
        below = f"{name}."
        lines = {k[len(below):]: v for k, v in self.lines.items() if k.startswith(below)}
        return ConfigFile(self.path, self.tree[name], lines)


def _extensions() -> list[str]:
    from ato.formats import FORMATS

    return [ext for ext, fmt in FORMATS.items() if fmt != "py"]


def _read(path: str) -> ConfigFile:
    from ato.formats import FORMATS, load_file, loads_with_lines, read_bytes

    if FORMATS.get(os.path.splitext(path)[1].lower()) == "yaml":
        tree, lines = loads_with_lines(read_bytes(path), "yaml", source=path)
        return ConfigFile(path, tree, lines)
    return ConfigFile(path, load_file(path), {})


def read_config_files(paths: Sequence[str]) -> tuple[list[ConfigFile], list[Problem]]:
    """Read every file in order; returns the files read and the problems of the others."""
    files: list[ConfigFile] = []
    problems: list[Problem] = []
    allowed = _extensions()
    for path in paths:
        source = f"--config {path}"
        ext = os.path.splitext(path)[1].lower()
        if ext == ".py":
            problems.append(Problem(
                expected="a " + ", ".join(allowed) + " file", got=path, source=source,
                detail="a Python config runs code, and nothing on the command line is run "
                "(load it in a view with ADict.from_file if you trust it)",
            ))
            continue
        if ext not in allowed:
            problems.append(Problem(expected="a config file ending in " + ", ".join(allowed),
                                    got=path, source=source))
            continue
        try:
            files.append(_read(path))
        except FileNotFoundError:
            problems.append(Problem(detail=f"config file not found: {os.path.abspath(path)}",
                                    source=source))
        except ConfigError as err:
            # The codecs name the file (and line) already.
            problems += [p._replace(source=p.source or source) for p in err.problems]
        except OSError as exc:
            problems.append(Problem(detail=f"cannot read the file: {exc.strerror or exc}", source=source))
    return files, problems


def split_by_scope(
    files: Iterable[ConfigFile], names: Sequence[str]
) -> tuple[dict[str, list[ConfigFile]], list[Problem]]:
    """With several scopes, hand each the part of each file under its name."""
    parts: dict[str, list[ConfigFile]] = {name: [] for name in names}
    problems: list[Problem] = []
    for file in files:
        for key, value in file.tree.items():
            if key not in parts:
                problems.append(Problem(
                    key=str(key),
                    expected="a top-level key naming a scope (" + ", ".join(names) + ")",
                    source=file.source(str(key)), suggestion=suggest(str(key), names),
                ))
            elif not isinstance(value, Mapping):
                problems.append(Problem(key=key, expected="a mapping of that scope's keys",
                                        got=value, source=file.source(key)))
            else:
                parts[key].append(file.under(key))
    return parts, problems


def check_file(schema: Any, file: ConfigFile) -> list[Problem]:
    """Check each leaf that names a declared field against the field's type (see the contract)."""
    from ato.schema import FieldRef, check_value, is_model, lookup

    problems: list[Problem] = []
    unknown: set[str | None] = set()
    for key, value in flatten(file.tree).items():
        ref = lookup(schema, key)
        if not isinstance(ref, FieldRef):
            parent = (ref.key or "").rpartition(".")[0]
            owner = lookup(schema, parent) if parent else FieldRef("", schema)
            if isinstance(owner, FieldRef) and is_model(owner.annotation) and ref.key not in unknown:
                unknown.add(ref.key)
                problems.append(ref._replace(source=file.source(ref.key or key)))
            continue
        if isinstance(value, Mapping):
            continue  # an empty mapping merges nothing, so it sets nothing to check
        _, reason = check_value(ref, value)
        if reason is not None:
            detail = None if reason.startswith("Input should be a valid") else reason
            problems.append(Problem(key=key, expected=ref.type_str, got=value,
                                    source=file.source(key), detail=detail))
    return problems
