"""The experiment tracker: runs, metrics, artifacts and code fingerprints in SQL.

SQLite by default (one file, many writers at once in WAL mode), PostgreSQL when runs span
machines: the database is a SQLAlchemy URL taken from ``config.experiment.sql.db_path``.
Importing this package imports SQLAlchemy; ``import ato`` and ``import ato.scope`` do not.
``run_command`` carries out a parsed ``ato runs ...`` command line (see ``ato.__main__``).
"""

from ato.tracker._commands import run as run_command
from ato.tracker._finder import SQLFinder
from ato.tracker._logger import SQLLogger

__all__ = ["SQLFinder", "SQLLogger", "run_command"]
