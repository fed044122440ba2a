"""/healthz: the load balancer's answer is the HTTP status, 200 while the site can serve pages (the
process and the database answer); the broker (Redis) being down only delays jobs, reported in the
JSON as "degraded". Each check has its own time limit and never waits behind another."""

import socket
import threading
import time

import pytest
from django.urls import reverse

from config import views
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok", "jobs": "on time"}
    assert "no-cache" in response["Cache-Control"]


def test_jobs_delayed_but_still_serving_when_the_broker_is_down(client, monkeypatch):
    """Pages and sign-in work without Redis: the load balancer must keep the site in."""
    # Nothing listens on port 9: a real failed connection, not a mock.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down", "jobs": "delayed"}


def test_redis_stopped_under_the_site_delays_jobs_only(client, monkeypatch, redis_server):
    monkeypatch.setitem(celery_app.conf, "broker_url", redis_server.url)
    assert client.get(reverse("healthz")).json()["broker"] == "ok"

    redis_server.stop()
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "broker": "down", "jobs": "delayed"}


def test_unavailable_when_the_database_hangs_and_the_broker_check_does_not_wait_for_it(client, monkeypatch):
    released = threading.Event()

    def hung_database():
        released.wait(10)
        return False

    monkeypatch.setattr(views, "_database_ok", hung_database)
    try:
        started = time.monotonic()
        response = client.get(reverse("healthz"))
        elapsed = time.monotonic() - started
    finally:
        released.set()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "down", "broker": "ok", "jobs": "on time"}
    assert elapsed < 2, f"the probe took {elapsed:.1f} s"


def test_it_rejects_post(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_a_probe_is_answered_whatever_its_host_header(client):
    """Load balancers probe by address; the site's other pages still refuse unknown hosts."""
    assert client.get("/healthz", HTTP_HOST="10.1.2.3:8000").status_code == 200
    assert client.get("/", HTTP_HOST="10.1.2.3:8000").status_code == 400


def test_a_hanging_broker_is_reported_within_two_seconds(client, monkeypatch):
    """A Redis that accepts connections and never answers (SIGSTOP) must not hold a web worker."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    try:
        started = time.monotonic()
        response = client.get(reverse("healthz"))
        elapsed = time.monotonic() - started
    finally:
        listener.close()
    assert response.status_code == 200 and response.json()["broker"] == "down"
    assert elapsed < 2, f"the probe took {elapsed:.1f} s"


def test_the_database_check_never_waits_behind_hung_broker_checks(client, monkeypatch):
    """Probe after probe with a hung Redis (every load balancer probes every few seconds): the
    database, which answers, is reported up each time."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    monkeypatch.setitem(celery_app.conf, "broker_url", f"redis://127.0.0.1:{listener.getsockname()[1]}/0")
    try:
        answers = [client.get(reverse("healthz")) for _ in range(8)]
    finally:
        listener.close()
    assert [(r.status_code, r.json()["database"], r.json()["jobs"]) for r in answers] == [(200, "ok", "delayed")] * 8
