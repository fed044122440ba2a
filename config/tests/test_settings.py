"""Production settings refuse to start without what production needs, in plain words."""

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "DEBUG": "False",
    "SECRET_KEY": "s" * 60,
    "FIELD_ENCRYPTION_KEYS": "k" * 40,
    "ALLOWED_HOSTS": "mentoring.example.org",
    "DATABASE_URL": "postgres://mentoring@db.example.org/mentoring",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "SITE_URL": "https://mentoring.example.org",
}


def load_settings(**changes):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION} | PRODUCTION | changes
    env = {k: v for k, v in env.items() if v is not None}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"], env=env, capture_output=True, text=True, timeout=60
    )


def test_production_settings_load_with_everything_set():
    assert load_settings().returncode == 0


@pytest.mark.parametrize("missing", ["DATABASE_URL", "REDIS_URL", "SITE_URL"])
def test_production_without_a_service_address_is_an_error_in_plain_words(missing):
    result = load_settings(**{missing: None})
    assert result.returncode != 0
    assert f"With DEBUG=False, set {missing}" in result.stderr and "ImproperlyConfigured" in result.stderr


def test_an_empty_database_url_in_development_is_the_sqlite_file():
    """`DATABASE_URL= make test` (set, but empty) is no address: the newcomer's SQLite file, not a crash."""
    result = settings_print("s.DATABASES['default']['ENGINE']", DEBUG="True", DATABASE_URL="", REDIS_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3"]


PROVIDER = {"EMAIL_PROVIDER_KEY": "api-key", "EMAIL_WEBHOOK_SECRET": "hook:s3cret"}


def settings_print(expression, **changes):
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION} | PRODUCTION | changes
    env = {k: v for k, v in env.items() if v is not None}
    code = f"import config.settings as s; print({expression})"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("url", "backend", "key"),
    [
        ("postmark://", "anymail.backends.postmark.EmailBackend", "POSTMARK_SERVER_TOKEN"),
        ("sendgrid://", "anymail.backends.sendgrid.EmailBackend", "SENDGRID_API_KEY"),
        ("brevo://", "anymail.backends.brevo.EmailBackend", "BREVO_API_KEY"),
    ],
)
def test_an_email_provider_is_chosen_by_email_url(url, backend, key):
    result = settings_print("s.MAILERS['default']['BACKEND'], s.ANYMAIL, s.EMAIL_PROVIDER", EMAIL_URL=url, **PROVIDER)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[0] == backend
    assert f"'{key}': 'api-key'" in result.stdout and "'WEBHOOK_SECRET': 'hook:s3cret'" in result.stdout


def test_smtp_stays_the_default():
    result = settings_print("s.MAILERS['default']['BACKEND'], s.EMAIL_PROVIDER == ''", EMAIL_URL="smtp://mail:25")
    assert result.stdout.split() == ["django.core.mail.backends.smtp.EmailBackend", "True"]


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"EMAIL_PROVIDER_KEY": None}, "EMAIL_URL=postmark:// needs EMAIL_PROVIDER_KEY."),
        ({"EMAIL_WEBHOOK_SECRET": None}, "EMAIL_URL=postmark:// needs EMAIL_WEBHOOK_SECRET."),
        ({"EMAIL_WEBHOOK_SECRET": "no-colon"}, "EMAIL_WEBHOOK_SECRET is a user name and a password"),
        ({"EMAIL_URL": "mailgun://"}, "EMAIL_URL=mailgun:// needs EMAIL_WEBHOOK_SIGNING_KEY."),
    ],
)
def test_a_provider_without_its_keys_does_not_start(changes, says):
    result = load_settings(**({"EMAIL_URL": "postmark://"} | PROVIDER | changes))
    assert result.returncode != 0
    assert says in result.stderr and "ImproperlyConfigured" in result.stderr
