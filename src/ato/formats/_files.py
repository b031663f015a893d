"""File access shared by the codecs: reading with clear errors, writing atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile

from ato.errors import ConfigError

__all__ = ["atomic_write_bytes", "read_bytes"]


def read_bytes(path: str) -> bytes:
    """The whole file; a missing path is FileNotFoundError, a directory a ConfigError."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        raise FileNotFoundError(2, "config file not found", path) from None
    except IsADirectoryError:
        raise ConfigError(expected="a file", got="a directory", source=path) from None


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Replace ``path`` with ``data`` in one rename; never leaves a partial file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    try:
        mode = os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
