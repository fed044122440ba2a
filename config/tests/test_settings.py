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
