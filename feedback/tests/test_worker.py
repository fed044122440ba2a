"""The feedback job through REAL processes: a `celery -A config worker` subprocess (prefork),
a `redis-server` of the test's own on a free port, and the pytest test database (PostgreSQL).
Nothing of Celery or Redis is mocked. The worker records its sends in a file (see workers.py);
the Solicitation rows are the primary evidence.

- a real worker sends each due ask once, and running the job again sends nothing;
- Redis down: nothing can be enqueued and nothing is half-sent; approving a match in the web
  still works without touching the broker; after Redis is back the next run sends everything once;
- a pool child SIGKILLed in the middle of a batch: the task is redelivered (acks_late +
  reject_on_worker_lost); each ask is marked as it goes, so at most the one in hand is in doubt;
  after STUCK_AFTER the dead child's claims are sent (the one in doubt saying so): no ask lost.
"""

import os
import re
import signal
import socket
import time
from collections import Counter
from datetime import timedelta

import kombu.exceptions
import pytest
import time_machine
from celery.signals import before_task_publish
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import applicant, approved, propose
from feedback.models import Solicitation
from feedback.services import STUCK_AFTER, create_due_solicitations, send_solicitations
from feedback.tasks import run_feedback_job
from mentoring.models import Partnership
from outbox.emails import IN_DOUBT_NOTE
from outbox.models import OutgoingEmail
from outbox.tasks import send_emails

from .factories import many_due_partnerships
from .workers import (
    app_broker,
    read_sends,
    wait_until,
)

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a worker process needs a database it can share: run with DATABASE_URL=postgres://...",
    ),
]


# --- Fixtures ----------------------------------------------------------------------------------


def due_partnerships(world, count, prefix):
    """`count` partnerships approved by the chair, started one day past the first feedback round."""
    program, chair = world["program"], world["people"]["chair"]
    partnerships = []
    for i in range(count):
        mentee = applicant(program, f"{prefix}.mentee{i}@example.org", "mentee", employer=f"Firm {prefix}{i}")
        mentor = applicant(program, f"{prefix}.mentor{i}@example.org", "mentor", years=15, employer=f"Co {prefix}{i}")
        partnerships.append(approved(mentee, mentor, by=chair, score=50))
    started = timezone.localdate() - timedelta(days=program.feedback_first_after_days + 1)
    Partnership.objects.filter(pk__in=[p.pk for p in partnerships]).update(started_on=started)
    return partnerships


def partner_emails(partnerships):
    return {p.mentee.email for p in partnerships} | {p.mentor.email for p in partnerships}


def recipients(worker, subject_contains=""):
    return Counter(to for send in read_sends(worker.sends) if subject_contains in send["subject"] for to in send["to"])


def statuses():
    return Counter(Solicitation.objects.values_list("status", flat=True))


FEEDBACK = "How is your mentoring partnership going?"


# --- 1. The job through a real worker and Redis -------------------------------------------------


def test_the_feedback_job_on_a_real_worker_asks_each_partner_once(world, redis_server, start_worker):
    partnerships = due_partnerships(world, 4, "once")
    worker = start_worker(redis_server.url, concurrency=2)

    with app_broker(redis_server.url):
        first = run_feedback_job.delay()
        worker.wait_for_task(first)
        assert statuses() == {"sent": 8}, worker.failure("8 sent solicitations")
        sent = recipients(worker, FEEDBACK)
        assert sent == dict.fromkeys(partner_emails(partnerships), 1), worker.failure("one ask per partner")

        # Two more runs (a retry, a second beat, the next tick): nothing new is sent.
        again = [run_feedback_job.delay(), run_feedback_job.delay()]
        for result in again:
            worker.wait_for_task(result)
    assert recipients(worker, FEEDBACK) == sent, worker.failure("no second ask")
    assert statuses() == {"sent": 8}
    assert Solicitation.objects.filter(attempts=1).count() == 8


# --- 2. Redis outage ----------------------------------------------------------------------------


def test_a_redis_outage_delays_the_job_and_the_web_but_loses_and_doubles_nothing(
    world, redis_server, start_worker, client, settings
):
    program, chair = world["program"], world["people"]["chair"]
    partnerships = due_partnerships(world, 5, "outage")
    mentee = applicant(program, "waiting.mentee@example.org", "mentee", employer="Waiting Firm")
    mentor = applicant(program, "waiting.mentor@example.org", "mentor", years=15, employer="Waiting Co")
    proposal = propose(mentee, mentor)
    OutgoingEmail.objects.all().delete()  # the set-up's introductions; this test approves one pair itself
    worker = start_worker(redis_server.url)
    # Half of the asks exist already (an earlier run created them), waiting to be sent.
    create_due_solicitations()
    Solicitation.objects.filter(partnership__in=partnerships[3:]).delete()
    assert statuses() == {"pending": 6}

    redis_server.stop()
    worker.wait_for_log("Trying to re-establish the connection", timeout=20, what="the worker to see Redis go")

    # The beat tick can't enqueue the job: the publish fails, it does not wait forever.
    with app_broker(redis_server.url):
        started = time.monotonic()
        with pytest.raises(kombu.exceptions.OperationalError):
            run_feedback_job.delay()
        assert time.monotonic() - started < 10
    time.sleep(1)
    assert statuses() == {"pending": 6}, "nothing ran: nothing new, nothing claimed, nothing half-sent"
    assert read_sends(worker.sends) == []

    # The chair approves a match while Redis is down. The app's broker and cache point at a port
    # with a listener that is not Redis and that nothing else knows (the worker keeps retrying
    # the real Redis port): any connection the request opened would wait in its backlog, counted.
    published = []

    def on_publish(sender=None, **kwargs):
        published.append(sender)

    before_task_publish.connect(on_publish, weak=False)
    trap = _listener()
    dead_redis = f"redis://127.0.0.1:{trap.getsockname()[1]}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": dead_redis,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    try:
        with app_broker(dead_redis):
            client.force_login(chair)
            started = time.monotonic()
            response = client.post(
                reverse("committee:matching_decide", args=[program.pk]),
                {"proposals": [proposal.pk], "action": "approve"},
            )
            elapsed = time.monotonic() - started
    finally:
        before_task_publish.disconnect(on_publish)
        attempts = _pending_connections(trap)
        trap.close()
    assert response.status_code == 302, response.content[:500]
    assert elapsed < 2, f"the request took {elapsed:.1f} s: did it wait on the broker?"
    assert published == [], f"the request published tasks: {published}"
    assert attempts == 0, f"the request opened {attempts} connection(s) to Redis (broker or cache)"
    partnership = Partnership.objects.get(mentee=mentee.user)
    outbox = OutgoingEmail.objects.all()
    assert sorted(outbox.values_list("key", "status")) == [
        (f"introduction:{partnership.pk}:mentee", "pending"),
        (f"introduction:{partnership.pk}:mentor", "pending"),
    ]

    # Redis is back on the same port; the worker reconnects; the next tick does everything once.
    redis_server.start()
    connected = re.compile(rf"Connected to redis://(:\*\*@)?127\.0\.0\.1:{redis_server.port}/")
    worker.wait_for_log(connected, count=2, timeout=40, what="the worker to reconnect")
    with app_broker(redis_server.url):
        job = run_feedback_job.delay()
        worker.wait_for_task(job)
        assert statuses() == {"sent": 10}, worker.failure("every due ask sent")
        assert recipients(worker, FEEDBACK) == dict.fromkeys(partner_emails(partnerships), 1)

        mail = send_emails.delay()
        worker.wait_for_task(mail)
        again = [send_emails.delay(), run_feedback_job.delay()]
        for result in again:
            worker.wait_for_task(result)
    assert recipients(worker, "Meet your") == {mentee.user.email: 1, mentor.user.email: 1}, worker.failure("intros")
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert recipients(worker, FEEDBACK) == dict.fromkeys(partner_emails(partnerships), 1)
    assert len(read_sends(worker.sends)) == 12


def _listener():
    trap = socket.socket()
    trap.bind(("127.0.0.1", 0))
    trap.listen(16)
    trap.setblocking(False)
    return trap


def _pending_connections(trap):
    count = 0
    while True:
        try:
            conn, _ = trap.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


# --- 3. A worker's pool child killed in the middle of a batch -----------------------------------

CHUNK = 10  # rows claimed per chunk in the worker: 80 asks make 8 chunks
DELAY = 0.04  # seconds per email: the batch takes ~3 s


def test_a_pool_child_killed_mid_batch_loses_no_ask(world, redis_server, start_worker):
    partnerships = many_due_partnerships(world["program"], 40, "kill")
    due = partner_emails(partnerships)
    first = start_worker(redis_server.url, WORKER_TEST_CHUNK=CHUNK, WORKER_TEST_SEND_DELAY=DELAY)

    with app_broker(redis_server.url):
        job = run_feedback_job.delay()
    # Kill the pool child in the third chunk: two chunks are marked sent by then.
    wait_until(
        lambda: len(read_sends(first.sends)) >= 2 * CHUNK + 2,
        timeout=30,
        interval=0.005,
        message=lambda: first.failure("the batch to be under way"),
    )
    children = first.pool_children()
    assert len(children) == 1, first.failure(f"one pool child (found {children})")
    (child,) = children
    os.kill(child, signal.SIGKILL)
    sends_at_kill = len(read_sends(first.sends))
    assert sends_at_kill < len(due), "the batch finished before the kill; make it slower"
    first.wait_for_log("exited with 'signal 9", timeout=20, what="the pool to notice the killed child")

    # reject_on_worker_lost: the message goes back to Redis and the same task (same id) runs
    # again in a new child, without anyone enqueueing it again; it sends what is still pending.
    first.wait_for_log(
        f"[{job.id}] received", count=2, timeout=15, what="the killed task to come back (reject_on_worker_lost)"
    )
    first.wait_for_task(job, timeout=45)
    assert statuses()["pending"] == 0, first.failure("the redelivered task to send what was pending")
    first.stop()

    # A new worker and the next tick: nothing more is sent.
    second = start_worker(redis_server.url)
    with app_broker(redis_server.url):
        second.wait_for_task(run_feedback_job.delay())

    rows = {s.pk: s for s in Solicitation.objects.select_related("respondent")}
    sent = {pk for pk, s in rows.items() if s.status == "sent"}
    sending = {pk for pk, s in rows.items() if s.status == "sending"}
    assert len(rows) == len(due) == 80
    assert sent | sending == set(rows) and not sent & sending, statuses()
    assert 1 <= len(sending) <= CHUNK, f"only the rest of the chunk in hand when the child died: {statuses()}"
    # Each ask is marked as it goes, in pk order: only the first row of the dead claim, the one in
    # hand when the child died, is in doubt; the rest of the claim was never sent.
    in_doubt = [min(sending)]

    recorded = recipients(first, FEEDBACK)  # both workers write to the same file
    assert max(recorded.values()) == 1, f"sent twice: {[to for to, n in recorded.items() if n > 1]}"
    for pk in sent:
        assert recorded[rows[pk].respondent.email] == 1, f"solicitation {pk} is marked sent but was not sent"
    for pk in set(sending) - set(in_doubt):
        assert rows[pk].respondent.email not in recorded, f"solicitation {pk} went out but is not marked sent"

    # Nothing waits for a person: after STUCK_AFTER the next run sends what the dead child held,
    # the one in doubt saying so. Then every partner has had the ask, each once (the one in
    # doubt at most twice, the second time saying it may have arrived already: IN_DOUBT_NOTE).
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + STUCK_AFTER + timedelta(minutes=1)):
        assert send_solicitations() == len(sending)
        assert send_solicitations() == 0
    assert statuses() == {"sent": len(due)}
    received = recorded + Counter(m.to[0] for m in mail.outbox)
    assert set(received) == due, "an ask was lost"
    twice = {to for to, n in received.items() if n > 1}
    assert twice <= {rows[pk].respondent.email for pk in in_doubt}
    for message in mail.outbox:
        assert message.body.startswith(IN_DOUBT_NOTE) == (
            message.to[0] in {rows[pk].respondent.email for pk in in_doubt}
        )


# --- 4. The same kill, judged at a real SMTP server on loopback (aiosmtpd) ----------------------


def test_a_pool_child_killed_mid_batch_sends_each_ask_once_over_a_connection_per_batch(
    world, redis_server, start_worker, smtp_server
):
    """What each partner received at the mail server, not what the rows say: after a kill in
    the middle of a batch, everyone has the ask, one person at most twice (the email in hand,
    the second copy saying so), and the emails went over one connection per batch."""
    partnerships = many_due_partnerships(world["program"], 40, "smtp")
    due = partner_emails(partnerships)
    smtp_server.delay = DELAY
    worker = start_worker(redis_server.url, WORKER_TEST_CHUNK=CHUNK, WORKER_TEST_SMTP_PORT=smtp_server.port)

    with app_broker(redis_server.url):
        job = run_feedback_job.delay()
    wait_until(
        lambda: smtp_server.messages >= 2 * CHUNK + 2,
        timeout=60,
        interval=0.005,
        message=lambda: worker.failure("the batch to be under way"),
    )
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)
    assert smtp_server.messages < len(due), "the batch finished before the kill; make it slower"
    worker.wait_for_log("exited with 'signal 9", timeout=20, what="the pool to notice the killed child")
    worker.wait_for_log(f"[{job.id}] received", count=2, timeout=15, what="the killed task to come back")
    worker.wait_for_task(job, timeout=60)
    worker.stop()
    with time_machine.travel(timezone.now() + STUCK_AFTER + timedelta(minutes=1)):
        send_solicitations()  # the dead child's claim, the one in hand saying so
        assert send_solicitations() == 0

    assert statuses() == {"sent": len(due)}
    received = smtp_server.received
    assert set(received) == due, "an ask was lost"
    twice = {to: bodies for to, bodies in received.items() if len(bodies) > 1}
    assert len(twice) <= 1 and all(len(bodies) == 2 for bodies in twice.values()), twice.keys()
    note = IN_DOUBT_NOTE.split("\n")[0]
    for bodies in twice.values():
        assert not bodies[0].startswith(note) and bodies[1].startswith(note)
    # One connection per batch of CHUNK, not one per email: the killed batch's, the redelivered
    # run's and the last run's may each open one more.
    assert smtp_server.connections <= len(due) // CHUNK + 3, smtp_server.connections
