"""Compatibility path of ato 2.x: ``ato.db_routers.sql.manager`` re-exports the tracker."""
