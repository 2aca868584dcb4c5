"""Production settings pass Django's deployment checklist and refuse to start half-configured.

Each case runs ``manage.py`` in a fresh process: settings are read once per process and
production.py raises at import time.
"""

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

from panorama.config.settings.base import DEMO_SECRET_KEY

MANAGE = Path(__file__).resolve().parents[2] / "manage.py"
# Variables the settings read that would change the outcome if the caller's shell set them.
CLEARED = (
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "DEBUG",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    # set by the browser tests for Playwright in the same test process
    "DJANGO_ALLOW_ASYNC_UNSAFE",
)


def _secret_key() -> str:
    return "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(60))


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(
        DJANGO_SETTINGS_MODULE="panorama.config.settings.production",
        PANORAMA_VAR=str(tmp_path / "var"),
        SECRET_KEY=_secret_key(),
        ALLOWED_HOSTS="crm.example.com",
        DATABASE_URL="sqlite:////tmp/x.db",
    )
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, str(MANAGE), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_finds_no_issues_with_production_settings(production_env):
    result = manage(production_env, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"])
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_production_refuses_to_start_without_a_required_variable(production_env, name, how):
    if how == "unset":
        del production_env[name]
    else:
        production_env[name] = ""

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name} must be set in the environment for production." in result.stderr


@pytest.mark.parametrize("key", [DEMO_SECRET_KEY, "short-but-not-secret"], ids=["demo", "short"])
def test_production_refuses_the_demo_key_or_a_short_one(production_env, key):
    production_env["SECRET_KEY"] = key

    result = manage(production_env, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be a unique random value of 50+ characters." in result.stderr
    assert key not in result.stderr  # the refused secret is not echoed to the logs


def test_env_example_lists_every_variable_the_settings_read():
    root = MANAGE.parent
    source = "\n".join(
        path.read_text() for path in (root / "src/panorama/config/settings").glob("*.py")
    )
    read = set(
        re.findall(
            r"""(?:environ\.get\(|environ\[|env_bool\(|env_list\()\s*["']([A-Z_]+)""", source
        )
    )
    listed = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", (root / ".env.example").read_text(), re.M))

    assert {"SECRET_KEY", "DATABASE_URL", "TASKS_BACKEND"} <= read
    assert read - listed == set()
