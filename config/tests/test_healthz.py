import socket
import time

import pytest
from django.urls import reverse

from config.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_unavailable_when_the_broker_is_down(client, monkeypatch):
    # Nothing listens on port 9: a real failed connection, not a mock.
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")

    response = client.get(reverse("healthz"))

    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "ok", "broker": "down"}


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
    assert response.status_code == 503 and response.json()["broker"] == "down"
    assert elapsed < 2, f"the probe took {elapsed:.1f} s"
