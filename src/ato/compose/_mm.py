"""OpenMMLab configs, loaded as mmengine 0.10 loads them, without mmengine.

Contract: ``load_mm(path)[0] == mmengine.Config.fromfile(path,
import_custom_modules=False).to_dict()`` for the classic configs OpenMMLab ships (the
ones with ``_base_``). Per file, in mmengine's order:

1. ``{{ fileDirname }}``, ``{{ fileBasename }}``, ``{{ fileBasenameNoExtension }}``,
   ``{{ fileExtname }}`` and ``{{$ENV_VAR:default}}`` are substituted in the text;
   ``{{ _base_.a.b }}`` becomes a placeholder string, swapped after parsing for the value
   at ``a.b`` in the merged bases (so it may stand only where a whole value stands).
2. ``_base_`` (a path or a list of them, relative to the file, or ``pkg::path`` inside an
   installed OpenMMLab package) names the bases. Each is loaded the same way and they are
   joined in order; two bases defining the same top-level key is an error.
3. The file is parsed (``.yaml``/``.yml`` and ``.json`` as YAML 1.1 and JSON, as
   mmengine reads them) or, for ``.py``, run by ``_mm_py.run_mm_python`` with
   the merged bases bound to ``_base_``. Modules and functions are dropped, classes and
   other objects kept; ``_deprecation_`` is popped with a DeprecationWarning.
4. The file is merged into its bases: mappings recursively, anything else (lists of dicts
   too) replaced; a mapping with ``_delete_=True`` replaces the base's mapping instead.
   As in mmengine, ``_delete_`` is only read where a base mapping exists to merge into;
   elsewhere it stays in the data. Top-level keys starting with ``__`` are dropped.

``custom_imports`` is data: nothing is imported. Tuples stay tuples. A value reached by
mutating a ``_base_`` object in a Python config is attributed to the file that defined
it. mmengine's pure-Python configs (``with read_base():``) are refused.
"""

from __future__ import annotations

import errno
import os
import types
import warnings
from collections.abc import Mapping
from typing import Any

from ato.compose._mm_tree import AttrDict, Source, as_base, copy_filled, merge, plain
from ato.errors import ConfigError
from ato.formats import FORMATS

__all__ = ["load_mm"]

BASE_KEY = "_base_"
DEPRECATION_KEY = "_deprecation_"
# mmengine reads Python, JSON and YAML configs (not TOML or .xyz).
EXTENSIONS = tuple(ext for ext, fmt in FORMATS.items() if fmt in ("py", "json", "yaml"))
_SCALARS = (str, int, float, bool, type(None))
# mmengine's Config refuses these top-level keys: they name Config's own attributes.
RESERVED_KEYS = ("filename", "text", "pretty_text", "env_variables")


def load_mm(path: str | os.PathLike[str]) -> tuple[dict[str, Any], dict[str, str]]:
    """Load an OpenMMLab config file as ``mmengine.Config.fromfile(path).to_dict()``.

    Args:
        path: A ``.py``, ``.yaml``/``.yml`` or ``.json`` config.

    Returns:
        The merged tree (plain dicts; lists and tuples as the files wrote them) and, for
        every leaf (any value that is not a non-empty mapping) by dotted key, the absolute
        path of the file its final value came from.

    Raises:
        FileNotFoundError: the file, or a base it names (both are named), does not exist.
        ConfigError: a ``_base_`` cycle (the chain is listed), a ``{{ _base_.x }}`` naming
            a key the bases lack, duplicate keys among bases, a mapping merged onto a
            value that is not one, a malformed file, or an unknown package scope.
    """
    file = os.path.abspath(os.path.expanduser(os.fspath(path)))
    tree, sources = _load(file, (), None)
    reserved = [key for key in RESERVED_KEYS if key in tree]
    if reserved:
        raise ConfigError(
            key=reserved[0], detail="mmengine reserves this top-level key for Config itself",
            source=file,
        )
    flat: dict[str, str] = {}
    return _finish(tree, sources, "", file, flat), flat


# ---------------------------------------------------------------------- one file
def _load(file: str, chain: tuple[str, ...], referrer: str | None) -> tuple[dict[Any, Any], Source]:
    """The merged tree of ``file`` (its bases, then itself) and the sources of its values."""
    if file in chain:
        cycle = " -> ".join((*chain[chain.index(file):], file))
        raise ConfigError(detail=f"the _base_ files form a cycle: {cycle}", source=chain[-1])
    text = _read(file, referrer)  # first, so that a missing file is reported as missing
    ext = os.path.splitext(file)[1]
    if ext not in EXTENSIONS:
        raise ConfigError(
            expected="an OpenMMLab config ending in " + ", ".join(EXTENSIONS),
            got=ext or "(no extension)", source=_named_by(file, referrer),
        )
    placeholders: dict[str, str] = {}
    if "{{" in text:
        from ato.compose._mm_text import substitute

        text, placeholders = substitute(text, file)
    chain = (*chain, file)
    bases: dict[Any, Any] = AttrDict()
    base_sources: dict[Any, Source] = {}
    base_from: dict[Any, str] = {}

    def load_bases(listed: list[Any]) -> dict[Any, Any]:
        from ato.compose._mm_text import base_path

        for entry in listed:
            base, scope = base_path(entry, file)
            tree, sources = _load(base, chain, file)
            tree = as_base(tree, scope)
            clash = [key for key in tree if key in bases]
            if clash:
                raise ConfigError(
                    key=str(clash[0]),
                    detail=f"defined by two bases, {base_from[clash[0]]} and {base}; "
                    "mmengine allows no duplicate key among bases",
                    source=file,
                )
            for key, value in tree.items():
                bases[key] = value
                base_sources[key] = sources if isinstance(sources, str) else sources.get(key, base)
                base_from[key] = base
        return bases

    if ext == ".py":
        from ato.compose._mm_py import run_mm_python

        own = run_mm_python(file, text, load_bases)
    else:
        from ato.compose._mm_text import parse_data

        own = parse_data(text, ext, file)
        listed = own.get(BASE_KEY, [])
        load_bases(listed if isinstance(listed, list) else [listed])
    for key in [k for k, v in own.items() if isinstance(v, (types.FunctionType, types.ModuleType))]:
        del own[key]
    if DEPRECATION_KEY in own:
        _warn_deprecated(file, own.pop(DEPRECATION_KEY))
    own = copy_filled(own, placeholders, bases, file)
    own.pop(BASE_KEY, None)
    merged, sources = merge(own, bases, base_sources, file, "")
    return (
        {k: v for k, v in merged.items() if not (isinstance(k, str) and k.startswith("__"))},
        sources,
    )


def _named_by(file: str, referrer: str | None) -> str:
    return file if referrer is None else f"{file}, listed in _base_ of {referrer}"


def _read(file: str, referrer: str | None) -> str:
    try:
        with open(file, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        what = "config file not found" if referrer is None else (
            f"base config not found (listed in _base_ of {referrer})")
        raise FileNotFoundError(errno.ENOENT, what, file) from None
    except IsADirectoryError:
        raise ConfigError(expected="a file", got="a directory", source=_named_by(file, referrer)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(expected="UTF-8 text", got=f"byte at offset {exc.start}", source=file) from None


def _warn_deprecated(file: str, info: Any) -> None:
    message = f"The config file {file} will be deprecated in the future."
    if isinstance(info, Mapping):
        if "expected" in info:
            message += f" Please use {info['expected']} instead."
        if "reference" in info:
            message += f" More information can be found at {info['reference']}"
    warnings.warn(message, DeprecationWarning, stacklevel=4)


# ---------------------------------------------------------------------- sources
def _finish(tree: Mapping[Any, Any], sources: Source | None, prefix: str, default: str,
            flat: dict[str, str]) -> dict[Any, Any]:
    """``plain(tree)``, while noting in ``flat`` the source of each leaf by dotted key."""
    out: dict[Any, Any] = {}
    for key, value in tree.items():
        dotted = f"{prefix}.{key}" if prefix else str(key)
        source = sources if isinstance(sources, str) else (sources or {}).get(key)
        if isinstance(value, dict) and value:
            out[key] = _finish(value, source, dotted, default, flat)
            continue
        out[key] = value if type(value) in _SCALARS else plain(value)
        # A key added by mutating a `_base_` object has no record: name the top file.
        flat[dotted] = source if isinstance(source, str) else default
    return out
