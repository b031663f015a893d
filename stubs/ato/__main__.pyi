# Generated from src/ato by stubs/generate.py; edit the source, then rerun it.

from argparse import ArgumentParser
from collections.abc import Sequence

__all__ = ["DEFAULT_DB_URL", "build_parser", "main"]

DEFAULT_DB_URL: str
def build_parser() -> ArgumentParser: ...
def main(argv: Sequence[str] | None = None) -> int: ...
