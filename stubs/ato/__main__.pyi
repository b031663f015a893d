import argparse
from collections.abc import Sequence

__all__ = ["DEFAULT_DB_URL", "build_parser", "main"]

DEFAULT_DB_URL: str
DB_ENV: str

def build_parser() -> argparse.ArgumentParser: ...
def main(argv: Sequence[str] | None = None) -> int: ...
