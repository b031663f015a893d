"""Config files: one codec per format, picked by the file's extension.

Each codec module is imported the first time a file of its format is read or written,
so ``import ato`` pays for none of them. Besides the public readers and writers, the
package offers ``ato.compose`` what its loaders share with the codecs: ``read_bytes``,
``loads_with_lines`` (YAML with line numbers) and the three functions that parse and run
a Python config file (the only code in ato that does). ``to_plain`` is the one conversion
of rich values (a Path, an Enum, a set, a datetime, a secret, ...) into what a file holds,
which every writer, ``print``/``explain`` and the tracker share; ``holds_secret`` tells
where a value must only be shown masked, as ``SECRET_MASK``.
"""

from ato.formats._dispatch import (
    FORMATS,
    SUPPORTED_EXTENSIONS,
    dump_file,
    dumps,
    load_file,
    loads,
    loads_with_lines,
    xyz_dumps,
    xyz_loads,
)
from ato.formats._errors import parse_error
from ato.formats._files import read_bytes
from ato.formats._py import evaluate_python, parse_python, run_python
from ato.formats._values import SECRET_MASK, holds_secret, to_plain

__all__ = [
    "FORMATS",
    "SECRET_MASK",
    "SUPPORTED_EXTENSIONS",
    "dump_file",
    "dumps",
    "evaluate_python",
    "holds_secret",
    "load_file",
    "loads",
    "loads_with_lines",
    "parse_error",
    "parse_python",
    "read_bytes",
    "run_python",
    "to_plain",
    "xyz_dumps",
    "xyz_loads",
]
