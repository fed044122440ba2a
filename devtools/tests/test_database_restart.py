"""A PostgreSQL restart between two requests: the next request still finds the database.

The site keeps its database connection open between requests (CONN_MAX_AGE); after a restart
that connection is dead, and without CONN_HEALTH_CHECKS the first request on it would fail. The
test runs a PostgreSQL cluster of its own on a free port (initdb, as the postgres user) and the
real server (gunicorn, one worker, production settings) on it, and restarts the cluster between
two requests."""

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from devtools import serving

BIN = Path("/usr/lib/postgresql/15/bin")


def as_postgres(*command):
    return subprocess.run(  # noqa: S603 - fixed programs, our arguments
        ["runuser", "-u", "postgres", "--", *map(str, command)], capture_output=True, text=True, check=True
    )


@pytest.fixture
def own_postgres():
    if not (BIN / "initdb").exists() or not shutil.which("runuser") or os.geteuid() != 0:
        pytest.skip("needs PostgreSQL 15's initdb and root (to run it as the postgres user)")
    folder = Path(tempfile.mkdtemp(prefix="pg_restart_"))
    folder.chmod(0o777)
    data, port = folder / "data", serving.free_port()
    as_postgres(BIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"

    def pg_ctl(action, *extra):
        as_postgres(BIN / "pg_ctl", "-D", data, "-o", options, "-w", "-l", folder / "log", action, *extra)

    pg_ctl("start")
    try:
        yield port, pg_ctl
    finally:
        subprocess.run(  # noqa: S603
            ["runuser", "-u", "postgres", "--", str(BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(folder, ignore_errors=True)


def health(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
    response = conn.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def test_a_postgresql_restart_between_two_requests_is_not_noticed(own_postgres):
    db_port, pg_ctl = own_postgres
    env = serving.production_environment(
        f"postgres://postgres@127.0.0.1:{db_port}/postgres",
        CONN_MAX_AGE="600",  # the connection outlives the restart
    )
    web_port = serving.free_port()
    server = serving.start(web_port, env, workers=1, stderr=subprocess.DEVNULL)
    try:
        with contextlib.suppress(RuntimeError):  # up, even if /healthz finds no broker here
            serving.wait_until_up(web_port, server, timeout=30)
        status, body = health(web_port)
        assert body["database"] == "ok"  # the worker now holds an open connection
        pg_ctl("restart", "-m", "fast")
        status, body = health(web_port)
        assert body["database"] == "ok", body  # checked, found dead, opened again: not an error
        assert status != 500
    finally:
        serving.stop(server)
