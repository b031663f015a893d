"""``from ato.db_routers.sql.manager import SQLLogger, SQLFinder``, as in ato 2.x."""

from ato.tracker import SQLFinder, SQLLogger

__all__ = ["SQLFinder", "SQLLogger"]
