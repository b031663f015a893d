"""Suite-wide rule: in CI (CI=true) a skipped test fails the run.

Tests may skip locally for a stated reason (no PostgreSQL URL, a peer not installed), but
CI installs everything they need, so a skip there means a missing install step.
"""

from __future__ import annotations

import os

import pytest


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("CI", "").lower() not in ("true", "1"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0:
        print(f"\nCI: {len(skipped)} test(s) skipped; in CI nothing may be skipped.")
        session.exitstatus = 1
