"""Automatic completion through a REAL worker (as test_worker.py: a `celery -A config worker`
subprocess, a redis-server of the test's own, the pytest test database on PostgreSQL): a pool
child SIGKILLed in the middle of the batch. Each completion is its own transaction, so what the
child finished stays, the one in hand rolls back, and the redelivered task (acks_late +
reject_on_worker_lost) completes the rest. Judged by what each partner received: one thank-you
and one close-out survey each."""

import os
import shutil
import signal
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.models import User
from feedback.models import FollowUp, Solicitation
from feedback.services import send_solicitations
from feedback.tasks import complete_overdue_partnerships
from mentoring.emails import send_pending_emails
from mentoring.models import Application, Partnership

from .workers import REDIS_SERVER, RedisServer, Worker, app_broker, database_url, wait_until

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
def redis_server(tmp_path):
    if not shutil.which(REDIS_SERVER):
        pytest.skip(f"{REDIS_SERVER} is not installed (apt-get install redis-server)")
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def worker(transactional_db, tmp_path, redis_server):
    started = Worker(
        directory=tmp_path,
        broker_url=redis_server.url,
        database_url=database_url(connection.settings_dict),
        env={"WORKER_TEST_COMPLETE_DELAY": DELAY},
    ).start()
    yield started
    started.stop()


def overdue_partnerships(program, count):
    """`count` active partnerships whose planned end was 40 days ago (grace: 30), built in bulk."""
    today = timezone.localdate()
    roles = [role for _ in range(count) for role in ("mentee", "mentor")]
    users = User.objects.bulk_create(
        User(email=f"closing.{role}{i // 2}@example.org", first_name=f"{role.title()}{i // 2}", last_name="Closing")
        for i, role in enumerate(roles)
    )
    apps = Application.objects.bulk_create(
        Application(program=program, user=user, role=role, status="matched")
        for user, role in zip(users, roles, strict=True)
    )
    return Partnership.objects.bulk_create(
        Partnership(
            program=program,
            mentee=apps[2 * i].user,
            mentor=apps[2 * i + 1].user,
            mentee_application=apps[2 * i],
            mentor_application=apps[2 * i + 1],
            started_on=today - timedelta(days=405),
            planned_end_on=today - timedelta(days=40),
        )
        for i in range(count)
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
    assert Solicitation.objects.filter(is_final=True).count() == 2 * COUNT
    mail.outbox.clear()
    send_pending_emails()
    send_solicitations()
    received = Counter(
        (m.to[0], "thanks" if m.subject.startswith("Congratulations") else "close-out") for m in mail.outbox
    )
    people = [person for p in pairs for person in (p.mentee, p.mentor)]
    assert received == {(person.email, kind): 1 for person in people for kind in ("thanks", "close-out")}
