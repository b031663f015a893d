"""Config files: one codec per format, picked by the file's extension.

Each codec module is imported the first time a file of its format is read or written,
so ``import ato`` pays for none of them.
"""

from ato.formats._dispatch import (
    SUPPORTED_EXTENSIONS,
    dump_file,
    dumps,
    load_file,
    loads,
    xyz_dumps,
    xyz_loads,
)

__all__ = [
    "SUPPORTED_EXTENSIONS",
    "dump_file",
    "dumps",
    "load_file",
    "loads",
    "xyz_dumps",
    "xyz_loads",
]
