import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url_name", ["home", "account_login", "account_signup"])
def test_pages_send_a_strict_content_security_policy(client, url_name):
    response = client.get(reverse(url_name))

    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in csp
    assert script_src.strip() in ("script-src 'self'",) or "'nonce-" in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_page_loads_anything_from_another_site(member_client):
    for url in [reverse("home"), reverse("accounts:profile"), reverse("account_email")]:
        page = member_client.get(url).content.decode()
        assert 'src="http' not in page and 'href="http' not in page, url
        assert "//cdn" not in page


def test_login_is_required_by_default():
    assert "django.contrib.auth.middleware.LoginRequiredMiddleware" in settings.MIDDLEWARE


# The test process's own settings must not leak into the checked process.
IGNORED_ENV = {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={k: v for k, v in os.environ.items() if k not in IGNORED_ENV} | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deployment_checklist():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEYS=secrets.token_urlsafe(32),
        ALLOWED_HOSTS="mentoring.example.org",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
        DATABASE_URL="postgres://mentoring@db.example.org/mentoring",
        REDIS_URL="redis://redis.example.org:6379/0",
        SITE_URL="https://mentoring.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DEBUG="False", SECRET_KEY="")

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


@pytest.mark.parametrize("keys", ["", "short", "a-long-enough-key-of-more-than-32-characters,short"])
def test_production_refuses_to_start_without_a_strong_field_encryption_key(keys):
    result = run_manage("check", DEBUG="False", SECRET_KEY=secrets.token_urlsafe(50), FIELD_ENCRYPTION_KEYS=keys)

    assert result.returncode != 0
    assert "Set FIELD_ENCRYPTION_KEYS" in result.stderr


def test_a_malformed_boolean_stops_start_up():
    result = run_manage("check", DEBUG="yes please")

    assert result.returncode != 0
    assert "DEBUG must be True or False" in result.stderr
