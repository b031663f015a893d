"""Environment variables as a source: ``Scope(env_prefix="TRAIN_", env_file=".env")``.

Contract, read the way pydantic-settings reads them:

* A variable belongs to the scope when its name starts with the prefix, in any case
  (``TRAIN_LR`` and ``train_lr`` alike). The rest of the name, split at ``__``, is the
  dotted key: ``TRAIN_OPTIM__LR`` is ``optim.lr``. With a schema each part is matched to
  the declared field case-insensitively; without one the parts are lower-cased, and the
  build matches them to keys the config already holds in any case.
* The value is read by the command line's grammar (:func:`ato.cli.parse_value`: a Python
  literal, ``%text%``, else the text itself), so ``TRAIN_LAYERS=[64, 128]`` is a list.
  Nothing is evaluated.
* ``env_file`` names a dotenv file read by python-dotenv (the ``ato[dotenv]`` extra, only
  imported when a scope names a file). Its variables count as if set in the environment,
  but a variable really set in the environment wins, as in pydantic-settings; the file is
  never exported into ``os.environ``. A file that does not exist is skipped (as
  pydantic-settings does: a ``.env`` is usually a developer's, absent in CI). A line the
  parser cannot read is an error naming the file and line.
* A prefixed variable that names no field of the schema is an error with a did-you-mean
  (``TRAIN_OPTIM_LR`` suggests ``TRAIN_OPTIM__LR``), where pydantic-settings ignores it:
  the prefix is the program's own namespace, and a silently ignored typo trains with the
  wrong value. Without a schema any key is accepted, as on the command line.
* Order: the file's variables, then the environment's; within each, shallower keys first
  (so ``TRAIN_OPTIM={'lr': 0.1}`` is applied before ``TRAIN_OPTIM__LR`` refines it), then
  by name.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from ato.errors import ConfigError, Problem, suggest

if TYPE_CHECKING:
    from ato.cli import Assignment

__all__ = ["EnvVar", "env_assignments", "env_label", "read_environment", "resolve_case"]

_PART = re.compile(r"[A-Za-z0-9_-]+")


class EnvVar(NamedTuple):
    """One variable for the scope: its name as spelt, its text, its key parts and source."""

    name: str
    text: str
    parts: tuple[str, ...]
    source: str


def env_label(prefix: str, env_file: str | None) -> str:
    """The step's name in the applying order, e.g. ``(environment TRAIN_*, .env)``."""
    return f"(environment {prefix}*, {env_file})" if env_file else f"(environment {prefix}*)"


def _dotenv(path: str) -> tuple[list[tuple[str, str, int]], list[Problem]]:
    """(name, value, line) for each variable of the dotenv file at ``path``."""
    # Checked even when the file is absent, so that a missing extra shows on every machine,
    # not only on those that happen to have a .env.
    try:
        import dotenv
        from dotenv.parser import parse_stream
    except ImportError:
        return [], [Problem(key="env_file", detail="reading a .env file needs python-dotenv, which "
                            "the extra ato[dotenv] installs: pip install 'ato[dotenv]'",
                            source=f"Scope(env_file={path!r})")]
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return [], []
    except (OSError, UnicodeDecodeError) as exc:
        return [], [Problem(detail=f"cannot read the env_file: {exc}", source=path)]
    # parse_stream gives the line of each binding and marks the lines it cannot read;
    # dotenv_values gives the values with ${VAR} expanded, as pydantic-settings reads them.
    lines: dict[str, int] = {}
    problems: list[Problem] = []
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            problems.append(Problem(detail=f"malformed line {binding.original.string.strip()!r}",
                                    source=f"{path}:{binding.original.line}"))
        elif binding.key is not None:
            lines[binding.key] = binding.original.line
    if problems:
        return [], problems
    values = dotenv.dotenv_values(stream=io.StringIO(text))
    return [(k, v, lines.get(k, 0)) for k, v in values.items() if v is not None], []


def _parts(name: str, prefix: str) -> tuple[str, ...] | None:
    """The key parts of ``name`` if it carries the prefix (any case), else None."""
    if not name.upper().startswith(prefix.upper()) or len(name) == len(prefix):
        return None
    return tuple(part.lower() for part in name[len(prefix):].split("__"))


def read_environment(
    prefix: str, env_file: str | None, environ: Mapping[str, str]
) -> tuple[list[EnvVar], list[Problem]]:
    """The scope's variables from ``env_file`` and ``environ``, in the order they apply."""
    found: list[EnvVar] = []
    problems: list[Problem] = []
    groups: list[list[EnvVar]] = []
    if env_file is not None:
        entries, problems = _dotenv(env_file)
        group = []
        for name, text, line in entries:
            parts = _parts(name, prefix)
            if parts is not None:
                group.append(EnvVar(name, text, parts, f"env {name}, {env_file}:{line}"))
        groups.append(group)
    groups.append([
        EnvVar(name, text, parts, f"env {name}")
        for name, text in environ.items() if (parts := _parts(name, prefix)) is not None
    ])
    for group in groups:
        found += sorted(group, key=lambda v: (len(v.parts), v.name))
    return found, problems


def _known_paths(schema: Any) -> dict[str, str]:
    """Every declared dotted path (leaves and the models above them), by its lower case."""
    from ato.schema import declared_leaves

    known: dict[str, str] = {}
    for path in declared_leaves(schema):
        parts = path.split(".")
        for end in range(1, len(parts) + 1):
            spelt = ".".join(parts[:end])
            known.setdefault(spelt.lower(), spelt)
    return known


def env_assignments(
    found: list[EnvVar], prefix: str, schema: Any | None
) -> list[tuple[Assignment, str] | Problem]:
    """Turn each variable, in order, into an ``(Assignment, source)`` pair or a Problem.

    A variable whose key the schema has no field for is a problem here, with the variable
    name it probably meant; the pairs are then checked against their fields like CLI values.
    """
    from ato.cli import Assignment, parse_value

    known = _known_paths(schema) if schema is not None else {}
    out: list[tuple[Assignment, str] | Problem] = []
    for var in found:
        if not all(_PART.fullmatch(part) for part in var.parts):
            out.append(Problem(
                expected=f"a name {prefix}KEY or {prefix}KEY__SUBKEY (letters, digits, '_', '-'; "
                "'__' between levels)", got=var.name, source=var.source))
            continue
        key = ".".join(var.parts)
        ref: object = None
        if schema is not None:
            from ato.schema import FieldRef, lookup

            key = _spelt(var.parts, known)
            ref = lookup(schema, key)
            if not isinstance(ref, FieldRef):
                names = [prefix.upper() + path.upper().replace(".", "__") for path in known.values()]
                out.append(ref._replace(  # no value shown: it may be a secret
                    source=var.source,
                    suggestion=suggest(var.name.upper(), names) or ref.suggestion,
                ))
                continue
        if _takes_text(ref):
            # A field declared str (or a secret) takes the variable's text as it is, as
            # pydantic-settings does: `[abc`, `%x%` or `null` are text there, not literals.
            out.append((Assignment(key, var.text, var.name, var.text, True), var.source))
            continue
        try:
            value = parse_value(var.text)
        except ConfigError as err:
            out += [p._replace(key=key, source=var.source) for p in err.problems]
            continue
        forced = len(var.text) >= 2 and var.text[0] == "%" == var.text[-1]
        out.append((Assignment(key, value, var.name, var.text, forced), var.source))
    return out


def _takes_text(ref: object) -> bool:
    """Whether a field accepts text only: ``str``, a secret, or an Optional of those."""
    if ref is None:  # no schema: every value goes through the command line's grammar
        return False
    from ato.schema import FieldRef, is_secret

    if not isinstance(ref, FieldRef):
        return False
    members = set(ref.type_str.split(" | ")) - {"None"}
    return members == {"str"} or is_secret(ref.annotation)


def _spelt(parts: tuple[str, ...], known: Mapping[str, str]) -> str:
    """The key as the schema spells it, for the longest declared path the parts start with."""
    for end in range(len(parts), 0, -1):
        spelt = known.get(".".join(parts[:end]))
        if spelt is not None:
            return ".".join((spelt, *parts[end:]))
    return ".".join(parts)


def resolve_case(config: Mapping[str, Any], key: str) -> str:
    """``key`` with each part spelt as the config already spells it, in any case."""
    node: Any = config
    spelt: list[str] = []
    for typed in key.split("."):
        part = typed
        if isinstance(node, dict) and typed not in node:
            part = next((k for k in node if isinstance(k, str) and k.lower() == typed.lower()), typed)
        node = dict.get(node, part) if isinstance(node, dict) else None
        spelt.append(part)
    return ".".join(spelt)
