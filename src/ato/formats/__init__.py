"""Config files: one codec per format, picked by the file's extension.

Each codec module is imported the first time a file of its format is read or written,
so ``import ato`` pays for none of them. Besides the public readers and writers, the
package offers ``ato.compose`` what its loaders share with the codecs: ``read_bytes``,
``loads_with_lines`` (YAML with line numbers) and the three functions that parse and run
a Python config file (the only code in ato that does).
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

__all__ = [
    "FORMATS",
    "SUPPORTED_EXTENSIONS",
    "dump_file",
    "dumps",
    "evaluate_python",
    "load_file",
    "loads",
    "loads_with_lines",
    "parse_error",
    "parse_python",
    "read_bytes",
    "run_python",
    "xyz_dumps",
    "xyz_loads",
]
