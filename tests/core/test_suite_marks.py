"""The PostgreSQL run leaves out the tests that cannot reach the database (Makefile,
PG_MARKS): ``-m`` must see the ``database_independent`` mark tests/conftest.py adds."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# A module whose every test is pure (no database), and one whose tests all use it.
PURE = "tests/core/test_number_typed.py"
WITH_DATABASE = "tests/accounts/test_record_access.py"


def _pg_marks() -> str:
    makefile = (ROOT / "Makefile").read_text()
    return re.search(r"^PG_MARKS \?= (.+)$", makefile, re.MULTILINE).group(1).strip()


def _collected(*args: str) -> dict[str, int]:
    """Tests collected per module."""
    out = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    modules = [line.split("::")[0] for line in out.splitlines() if "::" in line]
    return {module: modules.count(module) for module in (PURE, WITH_DATABASE)}


def test_the_postgresql_run_leaves_out_the_tests_that_cannot_reach_the_database():
    every = _collected(PURE, WITH_DATABASE)
    assert every[PURE] > 0 and every[WITH_DATABASE] > 0
    on_postgresql = _collected("-m", _pg_marks(), PURE, WITH_DATABASE)
    # The pure ones out, those that use the database all in.
    assert on_postgresql == {PURE: 0, WITH_DATABASE: every[WITH_DATABASE]}
