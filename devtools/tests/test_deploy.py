"""The documented production steps work from a clean clone: deploy/upgrade (install, migrate,
collectstatic, the deployment checklist with the database) on a database of its own, then the
site served by gunicorn with production settings answers its pages."""

import http.client
import re
import shutil
import subprocess
import uuid

import psycopg2
import pytest
from django.conf import settings
from django.db import connection

from devtools import serving

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="production runs on PostgreSQL: run with DATABASE_URL=postgres://..."
)


@pytest.fixture
def empty_database():
    """A new, empty PostgreSQL database (as on a new server), dropped at the end."""
    params = connection.settings_dict
    name = f"deploy_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(
        dbname="postgres",
        user=params["USER"] or "postgres",
        password=params["PASSWORD"] or None,
        host=params["HOST"] or "127.0.0.1",
        port=params["PORT"] or 5432,
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    user = params["USER"] or "postgres"
    yield f"postgres://{user}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", path, headers={"Host": "mentoring.example.org", "X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    return response.status, response.read().decode(errors="replace")


def test_the_documented_upgrade_serves_the_site_from_a_clean_clone(tmp_path, empty_database):
    if not (settings.BASE_DIR / ".git").exists():
        pytest.skip("needs a git checkout to clone (CI runs from one)")
    clone = tmp_path / "mentoring"
    subprocess.run(["git", "clone", "--quiet", str(settings.BASE_DIR), str(clone)], check=True)  # noqa: S603, S607
    # The server gets the runtime packages (here: this machine's venv, which has them) and the
    # front-end files built once elsewhere (README: shipped with the release, no npm on the server).
    (clone / ".venv").symlink_to(settings.BASE_DIR / ".venv")
    shutil.copytree(settings.BASE_DIR / "static" / "vendor", clone / "static" / "vendor")
    env = serving.production_environment(
        empty_database,
        ALLOWED_HOSTS="mentoring.example.org",
        STATIC_ROOT=str(tmp_path / "static"),
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",  # checked, never used here
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # the browser tests' setting, never a server's
    upgrade = subprocess.run(  # noqa: S603 - our own script
        [str(clone / "deploy" / "upgrade")], cwd=clone, env=env, capture_output=True, text=True, timeout=600
    )
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    assert "Upgraded." in upgrade.stdout

    port = serving.free_port()
    server = serving.start(port, env, workers=1, stderr=subprocess.DEVNULL, cwd=clone)
    try:
        serving.wait_until_up(port, server, timeout=60)
        status, body = get(port, "/accounts/login/")
        assert status == 200 and "Sign In" in body
        stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]+\.css)"', body).group(1)  # collected, hashed
        assert get(port, stylesheet)[0] == 200
    finally:
        serving.stop(server)
