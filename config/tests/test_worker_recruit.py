"""Announcements through a REAL Celery worker (prefork) and a redis-server of the test's own, as
feedback/tests/test_worker.py does for feedback: the outbox job sends each announcement once,
and a pool child SIGKILLed in the middle of the batch loses none. Judged by what each person
received: everyone gets theirs; at most the one email in hand when the child died arrives twice,
the second time saying it may have arrived already (IN_DOUBT_NOTE).

The worker shares the test database: PostgreSQL (DATABASE_URL), or an SQLite file when the test
database is one (an in-memory SQLite test database can't be shared: skipped). On SQLite, e.g. a
settings module `from config.settings import *` with DATABASES["default"]["TEST"] = {"NAME":
"/tmp/worker-test.sqlite3"}, passed with `--ds` (PYTHONPATH pointing at it)."""

import os
import signal
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from conftest import make_member
from feedback.tests.workers import (
    app_broker,
    read_sends,
    wait_until,
)
from outbox.emails import IN_DOUBT_NOTE, STUCK_AFTER, send_pending_emails
from outbox.models import OutgoingEmail
from outbox.tasks import send_emails
from recruitment import services as recruitment

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

SUBJECT = "is open for applications"
DELAY = 0.1  # seconds per email: 60 emails take ~6 s


def announce(world, count):
    northport = world["associations"]["northport"]
    for i in range(count):
        make_member(f"kill{i}@example.org", northport, first_name=f"K{i}", last_name="Member")
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])
    return set(OutgoingEmail.objects.values_list("to", flat=True))


def recipients(worker):
    return Counter(to for send in read_sends(worker.sends) if SUBJECT in send["subject"] for to in send["to"])


def statuses():
    return Counter(OutgoingEmail.objects.values_list("status", flat=True))


def test_a_real_worker_sends_each_announcement_once(world, start_worker, redis_server):
    due = announce(world, 5)
    worker = start_worker(redis_server.url, concurrency=2)

    with app_broker(redis_server.url):
        runs = [send_emails.delay() for _ in range(3)]  # a retry, a second beat, the next tick
        for run in runs:
            worker.wait_for_task(run)

    assert recipients(worker) == dict.fromkeys(due, 1), worker.failure("one announcement each")
    assert statuses() == {"sent": len(due)}


def test_a_pool_child_killed_mid_batch_loses_no_announcement(world, start_worker, redis_server):
    due = announce(world, 58)
    assert len(due) == 60  # Mia, Ola (Northport's president) and 58 more
    worker = start_worker(redis_server.url, WORKER_TEST_SEND_DELAY=DELAY)

    with app_broker(redis_server.url):
        job = send_emails.delay()
    wait_until(
        lambda: len(read_sends(worker.sends)) >= 15,
        timeout=30,
        interval=0.005,
        message=lambda: worker.failure("the batch to be under way"),
    )
    (child,) = worker.pool_children()
    time.sleep(DELAY / 3)  # into the next email's send: that one is in hand (claimed, not marked sent)
    os.kill(child, signal.SIGKILL)
    assert len(read_sends(worker.sends)) < len(due), "the batch finished before the kill; make it slower"
    worker.wait_for_log("exited with 'signal 9", timeout=20, what="the pool to notice the killed child")

    # reject_on_worker_lost: the same task comes back in a new child and sends what is pending;
    # the row the dead child held stays "sending" (it may or may not have gone out).
    worker.wait_for_log(f"[{job.id}] received", count=2, timeout=15, what="the killed task to come back")
    worker.wait_for_task(job, timeout=45)
    worker.stop()
    rows = {row.pk: row for row in OutgoingEmail.objects.all()}
    in_hand = [row for row in rows.values() if row.status == "sending"]
    assert statuses()["pending"] == 0, worker.failure("the redelivered task to send what was pending")
    assert len(in_hand) <= 1, statuses()
    assert set(statuses()) <= {"sent", "sending"}
    recorded = recipients(worker)
    assert max(recorded.values()) == 1, f"sent twice: {[to for to, n in recorded.items() if n > 1]}"
    for row in rows.values():
        if row.status == "sent":
            assert recorded[row.to] == 1, f"{row.to} is marked sent but was not sent"

    # After STUCK_AFTER the next run sends the one in doubt once more, saying so; then nothing.
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + STUCK_AFTER + timedelta(minutes=1)):
        assert send_pending_emails() == len(in_hand)
        assert send_pending_emails() == 0
    assert statuses() == {"sent": len(due)}
    received = recorded + Counter(m.to[0] for m in mail.outbox)
    assert set(received) == due, "an announcement was lost"
    assert {to for to, n in received.items() if n > 1} <= {row.to for row in in_hand}
    assert all(m.body.startswith(IN_DOUBT_NOTE) for m in mail.outbox)
