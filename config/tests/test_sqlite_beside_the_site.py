"""The demo runs on SQLite with a web process and a worker at once: the report snapshot job
must not fail with "database is locked" while the site writes (issue 23, section 4)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent.parent

# The site: a session written in a transaction that lasts three seconds (well within the timeout).
SITE = """
import sys, time
import django
django.setup()
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
with transaction.atomic():
    session = SessionStore()
    session["seen"] = 1
    session.create()
    print("holding", flush=True)
    time.sleep(3)
print("done", flush=True)
"""

# The worker: set up, then on "go" run the job as beat would have it run.
WORKER = """
import sys
import django
django.setup()
from reports.tasks import take_report_snapshot
print("ready", flush=True)
sys.stdin.readline()
print(take_report_snapshot(), flush=True)
"""


def start(code, env):
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the demo's database")
def test_the_report_snapshot_job_runs_while_the_site_writes(transactional_db, tmp_path):
    path = tmp_path / "demo.sqlite3"
    with sqlite3.connect(path) as copy:
        connection.ensure_connection()
        connection.connection.backup(copy)  # the migrated test database's tables, as a file
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    env |= {"DATABASE_URL": f"sqlite:///{path}", "DJANGO_SETTINGS_MODULE": "config.settings"}

    worker = start(WORKER, env)
    assert worker.stdout.readline().strip() == "ready", worker.stderr.read()
    site = start(SITE, env)
    try:
        assert site.stdout.readline().strip() == "holding", site.stderr.read()
        worker.stdin.write("go\n")
        worker.stdin.flush()
        out, err = worker.communicate(timeout=60)
        site_out, site_err = site.communicate(timeout=60)
    finally:
        worker.kill()
        site.kill()
    assert "database is locked" not in err
    assert worker.returncode == 0, err
    assert "'snapshot':" in out
    assert site.returncode == 0 and "done" in site_out, site_err
