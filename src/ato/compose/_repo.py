"""The files of a Hydra-style config tree: finding, reading and caching them.

A config path (``"config"``, ``"db/mysql"``) names the first existing of
``<path>.yaml``, ``.yml``, ``.json``, ``.toml``, ``.xyz`` under the root; two of them
existing at once is an error, never a silent pick or merge. A name that already ends in
one of those extensions (``"config.yaml"``) names exactly that file. Python options are
never read here: composing a tree must not run code.

Each file is read once per composition (``Repo`` caches it), like Hydra's caching
repository, and its ``# @package`` header and ``defaults`` list are taken out of it.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Iterable
from typing import Any, NamedTuple

from ato.errors import ConfigError, Problem
from ato.formats import FORMATS

__all__ = ["EXTENSIONS", "ConfigFileNotFoundError", "Loaded", "RawDefault", "Repo"]

# Every data format ato reads; never `.py`, since composing must not run code.
_FORMATS = {ext: fmt for ext, fmt in FORMATS.items() if fmt != "py"}
EXTENSIONS: tuple[str, ...] = tuple(_FORMATS)
# Formats whose comments start with '#', so a `# @package` header can be written in them.
_HEADER_FORMATS = frozenset({"yaml", "toml"})
_HEADER_LINE = re.compile(r"^\s*#\s*@")
_HEADER_SCAN = 512  # Hydra reads the header from the first 512 characters only


class ConfigFileNotFoundError(ConfigError, FileNotFoundError):
    """A config file that composition needs does not exist.

    Both a :class:`ConfigError` (ato's one error type) and a ``FileNotFoundError`` (what
    ato 2.x raised for a missing primary config), so either ``except`` clause catches it.
    The message lists every file that was tried.
    """

    def __init__(self, *args: Any, filename: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.errno = errno.ENOENT
        self.strerror = "config file not found"
        self.filename = filename

    def __str__(self) -> str:
        # OSError would print "[Errno 2] ..." once errno is set; the message is ato's.
        return self.render()


class RawDefault(NamedTuple):
    """One entry of a ``defaults`` list as written, before it is placed in the tree.

    ``group`` is None for a plain config entry (``- base`` or ``- _self_``), whose name is
    then in ``path``. ``value`` is the option name, a list of names, or None.
    """

    group: str | None
    path: str | None
    value: str | list[str] | None
    package: str | None
    optional: bool
    override: bool


class Loaded(NamedTuple):
    """One config file, read."""

    file: str  # the path as shown to users: the root as given, joined with the file
    fmt: str
    tree: dict[Any, Any] | list[Any]  # the content, without its top-level `defaults`
    defaults: tuple[RawDefault, ...] | None  # None when the file has no `defaults` key
    package: str | None  # the `# @package` header
    lines: dict[str, int]  # dotted key -> line, for YAML


class Repo:
    """The config files under ``root``, each read at most once."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = os.fspath(root)
        self._listings: dict[str, frozenset[str] | None] = {}
        self._loaded: dict[str, Loaded | None] = {}

    # ------------------------------------------------------------------ finding
    def _listing(self, rel_dir: str) -> frozenset[str] | None:
        if rel_dir not in self._listings:
            try:
                names = frozenset(os.listdir(os.path.join(self.root, rel_dir)))
            except (FileNotFoundError, NotADirectoryError):
                names = None
            self._listings[rel_dir] = names
        return self._listings[rel_dir]

    def is_group(self, group_path: str) -> bool:
        """Whether ``root/<group_path>`` is a directory."""
        return self._listing(group_path) is not None

    def options(self, group_path: str) -> list[str]:
        """The option names in a group (files with a readable extension), sorted."""
        names = self._listing(group_path) or frozenset()
        return sorted({os.path.splitext(n)[0] for n in names if os.path.splitext(n)[1] in _FORMATS})

    def tried(self, config_path: str) -> list[str]:
        """The files a lookup of ``config_path`` tries, as shown to users."""
        if config_path.endswith(EXTENSIONS):
            return [self.show(config_path)]
        return [self.show(config_path + ext) for ext in EXTENSIONS]

    def show(self, rel: str) -> str:
        return os.path.join(self.root, *rel.split("/"))

    def find(self, config_path: str) -> str | None:
        """The relative file for ``config_path``, or None.

        Raises:
            ConfigError: two files exist for the one name.
        """
        rel_dir, _, name = config_path.rpartition("/")
        names = self._listing(rel_dir)
        if names is None:
            return None
        if name.endswith(EXTENSIONS) and name in names:
            return config_path
        found = [name + ext for ext in EXTENSIONS if name + ext in names]
        if len(found) > 1:
            shown = [self.show(f"{rel_dir}/{f}" if rel_dir else f) for f in found]
            raise ConfigError(
                key=None,
                detail=f"{len(found)} files for the one config {config_path!r}: "
                + ", ".join(shown)
                + "; keep one, or name it with its extension",
            )
        if not found:
            return None
        return f"{rel_dir}/{found[0]}" if rel_dir else found[0]

    def python_twin(self, config_path: str) -> str | None:
        """``root/<config_path>.py`` if it exists: worth naming when nothing else does."""
        rel_dir, _, name = config_path.rpartition("/")
        names = self._listing(rel_dir) or frozenset()
        return self.show(config_path + ".py") if name + ".py" in names else None

    # ------------------------------------------------------------------ reading
    def load(self, config_path: str) -> Loaded | None:
        """The config at ``config_path``, or None when no file exists for it."""
        if config_path in self._loaded:
            return self._loaded[config_path]
        rel = self.find(config_path)
        loaded = None if rel is None else self._read(rel)
        self._loaded[config_path] = loaded
        return loaded

    def _read(self, rel: str) -> Loaded:
        from ato.formats import loads_with_lines, read_bytes

        file = self.show(rel)
        fmt = _FORMATS[os.path.splitext(rel)[1]]
        data = read_bytes(file)
        tree, lines = loads_with_lines(data, fmt, source=file, mapping_only=False)
        if isinstance(tree, str):
            tree = {tree: None}  # OmegaConf reads a YAML document that is one word as {word: None}
        elif not isinstance(tree, (dict, list)):
            raise ConfigError(expected="a mapping at the top level", got=type(tree).__name__,
                              source=file)
        package = None
        if fmt in _HEADER_FORMATS:
            head = data[: _HEADER_SCAN * 4].decode("utf-8-sig", "replace")[:_HEADER_SCAN]
            package = _header_package(head, file)
        defaults = None
        if isinstance(tree, dict) and "defaults" in tree:
            raw = tree.pop("defaults")
            defaults = tuple(_parse_defaults(raw, file, lines.get("defaults")))
        return Loaded(file, fmt, tree, defaults, package, lines)


def _header_package(text: str, file: str) -> str | None:
    """The ``# @package`` value, read the way Hydra reads headers.

    Header lines are the leading ``# @key value`` comment lines (blank lines between them
    allowed); the first other line ends the header, so an ordinary comment before it
    hides it, in Hydra as here.
    """
    found: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if not _HEADER_LINE.match(line):
            break
        parts = line.lstrip("#").strip().split()
        if len(parts) != 2:
            raise ConfigError(
                expected="a header line '# @KEY VALUE'", got=line, source=file,
            )
        if parts[0].startswith("@"):
            found[parts[0][1:]] = parts[1]
    return found.get("package")


def _split_package(text: str) -> tuple[str, str | None]:
    """``'db@backup'`` -> ``('db', 'backup')``; Hydra 1.0's ``@a:b`` rename keeps ``a``."""
    name, at, package = text.partition("@")
    if not at:
        return name, None
    return name, package.partition(":")[0]


def _parse_defaults(raw: Any, file: str, line: int | None) -> Iterable[RawDefault]:
    where = f"{file}:{line}" if line else file
    if not isinstance(raw, list):
        kind = "a mapping" if isinstance(raw, dict) else type(raw).__name__
        raise ConfigError(key="defaults", expected="a list", got=kind, source=where)
    problems: list[Problem] = []
    out: list[RawDefault] = []
    for index, item in enumerate(raw):
        key = f"defaults[{index}]"
        if isinstance(item, str):
            path, package = _split_package(item)
            out.append(RawDefault(None, path, None, package, False, False))
            continue
        if not isinstance(item, dict) or len(item) != 1:
            problems.append(Problem(
                key=key, expected="'name', '_self_' or a one-key mapping 'group: option'",
                got=item, source=where,
            ))
            continue
        ((head, value),) = item.items()
        if not isinstance(head, str) or not head.strip():
            problems.append(Problem(key=key, expected="a group name", got=head, source=where))
            continue
        words = head.split()
        group, package = _split_package(words[-1])
        flags = set(words[:-1])
        if flags - {"optional", "override"}:
            problems.append(Problem(
                key=key, expected="'optional' or 'override' before the group name",
                got=head, source=where,
            ))
            continue
        if isinstance(value, list):
            if not all(isinstance(v, str) for v in value):
                problems.append(Problem(
                    key=key, expected="a list of option names (str)", got=value, source=where,
                ))
                continue
        elif value is not None and not isinstance(value, str):
            problems.append(Problem(
                key=key, expected="an option name (str), a list of them, or null",
                got=value, source=where,
            ))
            continue
        out.append(RawDefault(group, None, value, package, "optional" in flags, "override" in flags))
    if problems:
        raise ConfigError(problems=problems)
    return out
