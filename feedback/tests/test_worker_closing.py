"""Automatic completion through a REAL worker (as test_worker.py: a `celery -A config worker`
subprocess, a redis-server of the test's own, the pytest test database on PostgreSQL): a pool
child SIGKILLed in the middle of the batch. Each completion is its own transaction, so what the
child finished stays, the one in hand rolls back, and the redelivered task (acks_late +
reject_on_worker_lost) completes the rest. Judged by what each partner received: one thank-you
and one close-out survey each (asked by the feedback job after the batch)."""

import os
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from feedback.models import Solicitation
from feedback.services import create_due_solicitations, send_solicitations
from feedback.tasks import complete_overdue_partnerships
from mentoring.models import Partnership
from outbox.emails import send_pending_emails
from partnerships.models import FollowUp

from .factories import many_due_partnerships
from .workers import app_broker, wait_until

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process needs a database it can share: run with DATABASE_URL=postgres://...",
    ),
]

COUNT = 30
DELAY = 0.1  # seconds per completion: the batch takes ~3 s


@pytest.fixture
def worker(start_worker, redis_server):
    return start_worker(redis_server.url, WORKER_TEST_COMPLETE_DELAY=DELAY)


def overdue_partnerships(program, count):
    """`count` active partnerships whose planned end was 40 days ago (grace: 30), built in bulk."""
    today = timezone.localdate()
    return many_due_partnerships(
        program, count, "closing", started_on=today - timedelta(days=405), planned_end_on=today - timedelta(days=40)
    )


def completed():
    return Partnership.objects.filter(status="completed").count()


def test_a_pool_child_killed_mid_batch_completes_each_partnership_once(world, redis_server, worker):
    pairs = overdue_partnerships(world["program"], COUNT)

    with app_broker(redis_server.url):
        job = complete_overdue_partnerships.delay()
    wait_until(
        lambda: completed() >= 5, timeout=30, interval=0.01, message=lambda: worker.failure("the batch under way")
    )
    children = worker.pool_children()
    assert len(children) == 1, worker.failure(f"one pool child (found {children})")
    os.kill(children[0], signal.SIGKILL)
    assert completed() < COUNT, "the batch finished before the kill; make it slower"
    worker.wait_for_log("exited with 'signal 9", timeout=20, what="the pool to notice the killed child")
    worker.wait_for_log(f"[{job.id}] received", count=2, timeout=15, what="the killed task to come back")
    worker.wait_for_task(job, timeout=60)
    with app_broker(redis_server.url):  # the next tick: nothing left
        worker.wait_for_task(complete_overdue_partnerships.delay())

    assert completed() == COUNT
    assert Counter(FollowUp.objects.filter(kind="completed").values_list("partnership", flat=True)) == {
        p.pk: 1 for p in pairs
    }
    # The feedback job asks the final round of what was completed, once.
    assert create_due_solicitations() == 2 * COUNT and create_due_solicitations() == 0
    assert Solicitation.objects.filter(is_final=True).count() == 2 * COUNT
    mail.outbox.clear()
    send_pending_emails()
    send_solicitations()
    received = Counter(
        (m.to[0], "thanks" if m.subject.startswith("Congratulations") else "close-out") for m in mail.outbox
    )
    people = [person for p in pairs for person in (p.mentee, p.mentor)]
    assert received == {(person.email, kind): 1 for person in people for kind in ("thanks", "close-out")}
