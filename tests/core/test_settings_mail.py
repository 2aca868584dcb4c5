"""EMAIL_URL configures outgoing mail (read by dj-email-url when the settings load)."""

import json
import os
import subprocess
import sys

import pytest

SHOW = (
    "import json, django; from django.conf import settings; django.setup(); "
    "print(json.dumps({k: getattr(settings, k) for k in ("
    "'EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_HOST_PASSWORD', "
    "'EMAIL_USE_TLS', 'EMAIL_USE_SSL', 'EMAIL_FILE_PATH')}))"
)


def settings_for(email_url: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "panorama.config.settings.base",
        "EMAIL_URL": email_url,
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", SHOW], env=env, capture_output=True, text=True, timeout=60
    )


def mail_settings(email_url: str) -> dict:
    done = settings_for(email_url)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_documented_smtp_url_with_starttls():
    mail = mail_settings("smtp://ana%40example.com:p%3Ass@mail.example.com:587?tls=1")

    assert mail["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"]) == ("mail.example.com", 587)
    assert (mail["EMAIL_HOST_USER"], mail["EMAIL_HOST_PASSWORD"]) == ("ana@example.com", "p:ss")
    assert (mail["EMAIL_USE_TLS"], mail["EMAIL_USE_SSL"]) == (True, False)


def test_implicit_tls_and_the_defaults_of_a_bare_smtp_url():
    mail = mail_settings("smtp://mail.example.com:465?ssl=1")
    assert (mail["EMAIL_USE_TLS"], mail["EMAIL_USE_SSL"]) == (False, True)

    mail = mail_settings("smtp://")
    assert (mail["EMAIL_HOST"], mail["EMAIL_PORT"], mail["EMAIL_HOST_USER"]) == (
        "localhost",
        25,
        "",
    )


def test_console_and_file_backends():
    assert mail_settings("console://")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    mail = mail_settings("file:///srv/panorama/mail")
    assert mail["EMAIL_BACKEND"].endswith("filebased.EmailBackend")
    assert mail["EMAIL_FILE_PATH"] == "/srv/panorama/mail"


@pytest.mark.parametrize("url", ["smtps://mail.example.com", "smtp+tls://mail.example.com"])
def test_an_ambiguous_or_unknown_scheme_stops_the_start_with_the_forms_to_use(url):
    done = settings_for(url)
    assert done.returncode != 0
    assert "EMAIL_URL: use console://" in done.stderr
