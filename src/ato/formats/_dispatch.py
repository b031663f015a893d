"""Extension dispatch, the representability check and atomic writing, shared by all codecs.

Before any codec sees a tree, ``_values.walk`` converts the rich values a schema field may
hold (paths, enums, sets, dates, secrets, ...) and lists every value the format cannot
hold, so a file is written whole or not at all.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, Protocol, cast

from ato.errors import ConfigError, Problem
from ato.formats._files import atomic_write_bytes, read_bytes
from ato.formats._values import walk

__all__ = [
    "FORMATS",
    "SUPPORTED_EXTENSIONS",
    "dump_file",
    "dumps",
    "load_file",
    "loads",
    "loads_with_lines",
    "xyz_dumps",
    "xyz_loads",
]

# The one table of file extensions and the codec (format name) each is read with.
FORMATS: Mapping[str, str] = MappingProxyType({
    ".json": "json",
    ".yaml": "yaml",
    ".yml": "yaml",
    ".toml": "toml",
    ".xyz": "xyz",
    ".py": "py",
})
SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(FORMATS)


class _Codec(Protocol):
    NAME: str
    ALLOWS_NONE: bool
    KEEPS_TUPLES: bool

    def loads(self, text: str, source: str) -> Any: ...

    def dumps(self, tree: dict[str, Any], **options: Any) -> str: ...

    def check(self, tree: dict[str, Any]) -> list[Problem]: ...


def _codec(fmt: str) -> _Codec:
    return cast(_Codec, importlib.import_module(f"ato.formats._{fmt}"))


def _codec_for_path(path: str) -> _Codec:
    ext = os.path.splitext(path)[1].lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        raise ConfigError(
            expected="a config file ending in " + ", ".join(SUPPORTED_EXTENSIONS),
            got=ext or "(no extension)",
            source=path,
        )
    return _codec(fmt)


def _codec_for_name(fmt: str) -> _Codec:
    name = fmt.lower().lstrip(".")
    if "." + name not in FORMATS:
        raise ConfigError(
            expected="a format name among " + ", ".join(e[1:] for e in SUPPORTED_EXTENSIONS),
            got=fmt,
        )
    return _codec(FORMATS["." + name])


def load_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a config file into a plain tree whose top level is a mapping.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        ConfigError: unknown extension, undecodable or malformed content (file and line),
            or a top level that is not a mapping.
    """
    path = os.fspath(path)
    codec = _codec_for_path(path)
    return _parse(codec, read_bytes(path), path)


def loads(data: str | bytes, fmt: str, *, source: str = "<string>") -> dict[str, Any]:
    """Parse config text of format ``fmt`` (``'yaml'``, ``'json'``, ``'toml'``, ``'xyz'``)."""
    codec = _codec_for_name(fmt)
    if getattr(codec, "FROM_FILES_ONLY", False):
        raise ConfigError(detail="Python configs are only read from a file the user names", source=source)
    return _parse(codec, data, source)


def _decode(data: str | bytes, source: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            expected="UTF-8 text", got=f"byte 0x{data[exc.start]:02x} at offset {exc.start}",
            source=source,
        ) from None


def _parse(codec: _Codec, data: str | bytes, source: str) -> dict[str, Any]:
    tree = codec.loads(_decode(data, source), source)
    if tree is None and codec.NAME == "yaml":
        tree = {}
    if not isinstance(tree, dict):
        raise ConfigError(
            expected="a mapping at the top level", got=type(tree).__name__, source=source
        )
    return tree


def loads_with_lines(
    data: str | bytes, fmt: str, *, source: str = "<string>", mapping_only: bool = True
) -> tuple[Any, dict[str, int]]:
    """Like :func:`loads`, plus a map from dotted key to the 1-based line that writes it.

    Only YAML knows lines here; for the other formats the map is empty (callers then name
    the file alone). With ``mapping_only=False`` a YAML document may be any value (a list,
    a string), which Hydra accepts for a group option placed under a key.
    """
    codec = _codec_for_name(fmt)
    if codec.NAME != "yaml":
        return loads(data, fmt, source=source), {}
    if isinstance(data, bytes):
        # Decoded by `loads` itself so that an undecodable file reads the same either way.
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return loads(data, fmt, source=source), {}
    from ato.formats._yaml import loads_with_lines as yaml_with_lines

    tree, lines = yaml_with_lines(data, source)
    if tree is None:
        tree = {}
    if mapping_only and not isinstance(tree, dict):
        raise ConfigError(
            expected="a mapping at the top level", got=type(tree).__name__, source=source
        )
    return tree, lines


def dumps(tree: Mapping[str, Any], fmt: str, **options: Any) -> str:
    """Render a tree as text of format ``fmt``.

    Raises:
        ConfigError: the format cannot hold some value; every such key is listed.
    """
    codec = _codec_for_name(fmt)
    return _render(codec, tree, "<string>", options)


def dump_file(tree: Mapping[str, Any], path: str | os.PathLike[str], **options: Any) -> None:
    """Write ``tree`` to ``path`` in the format its extension names, atomically.

    The text is rendered in full before the file is touched, then written to a temporary
    file beside the target and renamed over it, so a failure never leaves a half file.
    """
    path = os.fspath(path)
    codec = _codec_for_path(path)
    text = _render(codec, tree, path, options)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        # Scanned in its written form: a Path's text may hold a lone surrogate too.
        plain, _ = walk(tree, fallback=lambda value: value)
        raise ConfigError(problems=_unencodable(plain, path)) from None
    atomic_write_bytes(path, data)


def _render(codec: _Codec, tree: Mapping[str, Any], source: str, options: dict[str, Any]) -> str:
    expected = f"a value {codec.NAME.upper()} can hold (" + (
        "None, " if codec.ALLOWS_NONE else "") + "bool, int, float, str, list, mapping)"
    plain, problems = walk(
        tree, keep_tuples=codec.KEEPS_TUPLES, allow_none=codec.ALLOWS_NONE, expected=expected
    )
    problems += codec.check(plain)
    if problems:
        raise ConfigError(problems=[p._replace(source=p.source or source) for p in problems])
    return codec.dumps(plain, **options)


def _unencodable(tree: Mapping[str, Any], source: str) -> list[Problem]:
    """Every key or text value that UTF-8 cannot hold (lone surrogates), by dotted path."""
    found: list[Problem] = []
    expected = "text UTF-8 can hold (no lone surrogates)"

    def bad(text: str) -> bool:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                child = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and bad(key):
                    found.append(Problem(key=child, expected=expected, got=key, source=source))
                walk(item, child)
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                walk(item, f"{path}[{i}]")
        elif isinstance(value, str) and bad(value):
            found.append(Problem(key=path, expected=expected, got=value, source=source))

    walk(tree, "")
    return found or [Problem(expected=expected, source=source)]


def xyz_dumps(tree: Mapping[str, Any], format_dict: Mapping[str, str] | None = None) -> str:
    """Render a tree as ``.xyz`` text (see the README for the grammar)."""
    return dumps(tree, "xyz", format_dict=format_dict)


def xyz_loads(text: str) -> dict[str, Any]:
    """Parse ``.xyz`` text into a plain tree."""
    return loads(text, "xyz")
