"""The site as production runs it, in a process of its own: gunicorn with DEBUG off and keys of
its own, on a free loopback port. For the load benchmark and the tests that need a real server
(a database restart under it, say)."""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import CommandError
from django.db import connection
from django.utils.module_loading import import_string


def production_environment(database_url, **overrides):
    """Production settings (DEBUG off, fresh secret and encryption keys) on the given database."""
    return {
        **os.environ,
        "DEBUG": "False",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "FIELD_ENCRYPTION_KEYS": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url,
        # Required in production; a Redis that is not running only costs the cache (it falls back).
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "SITE_URL": "http://127.0.0.1",
        **overrides,
    }


def throwaway_server_environment(folder):
    """The benchmark server's settings: production ones (DEBUG off, keys of its own) on the
    throwaway database now swapped in for "default", static files collected into `folder`."""
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        url = f"sqlite:///{name}"
    else:
        configured = urlsplit(os.environ["DATABASE_URL"])
        url = urlunsplit(configured._replace(path=f"/{name}"))
    return production_environment(
        url,
        EMAIL_URL="consolemail://",
        CONN_MAX_AGE="0",  # nothing holds the throwaway database open once the server stops
        # Static files collected apart: the project's own folder may be in use (by tests, by `make run`).
        STATIC_ROOT=str(Path(folder) / "static"),
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port, env, *, workers, stderr, cwd=None, app="config.wsgi"):
    """gunicorn in a process group of its own (stopped whole, workers included), serving the
    project in `cwd` (this one by default)."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, "-m", "gunicorn", app, "--bind", f"127.0.0.1:{port}", "--workers", str(workers)],
        cwd=cwd or settings.BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
        start_new_session=True,
    )


def manage(arguments, env):
    """`manage.py <arguments>` in a process of its own with the server's settings; a CommandError
    with the end of its output if it fails."""
    done = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), *arguments],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if done.returncode:
        raise CommandError(f"{' '.join(arguments[:2])} failed:\n{done.stderr[-3000:]}")


def signed_in_session(user):
    """A session key for `user`, written as signing in leaves it (a benchmark times the pages,
    not password hashing)."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_string(settings.SESSION_ENGINE + ".SessionStore")()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def wait_until_up(port, server, *, timeout=60):
    """Until /healthz answers 200; a RuntimeError if the server stops or does not answer in time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("The server stopped.")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/healthz", headers={"X-Forwarded-Proto": "https"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.2)
    raise RuntimeError(f"The server did not answer within {timeout} s.")


def stop(server):
    """Stop gunicorn and its workers (the whole process group), gracefully, then for good."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=40)  # gunicorn's graceful timeout is 30 s
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)
        server.wait()
