"""The command-line layer: a tokenizer and a safe literal parser (nothing is ever evaluated).

:func:`parse_argv` turns ``sys.argv[1:]`` into a :class:`Command` (view selections,
:class:`Assignment` s and a mode); :func:`parse_value` reads one value as a Python literal
or a bare word; :func:`format_value` writes a value back as text ``parse_value`` reads.
"""

from ato.cli._literal import format_value, parse_value
from ato.cli._tokens import Assignment, Command, parse_argv

__all__ = ["Assignment", "Command", "format_value", "parse_argv", "parse_value"]
