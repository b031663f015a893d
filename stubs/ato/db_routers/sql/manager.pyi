# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from ato.tracker import SQLFinder as SQLFinder
from ato.tracker import SQLLogger as SQLLogger

__all__ = ["SQLFinder", "SQLLogger"]
