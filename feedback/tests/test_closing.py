"""Closing on time: a partnership past its planned end and the program's grace period is
completed by the hourly job, once, whether the job runs twice, twice at once, late, or dies
halfway; the chair's extension keeps it open. Judged by what each person received: one
"Congratulations" and one close-out survey (the final feedback round) per partner.
"""

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from conftest import partnership_for
from feedback import closing, services, tasks
from feedback.models import Solicitation
from mentoring.models import Application, Partnership
from outbox.emails import send_pending_emails
from partnerships import life
from partnerships.models import FollowUp

pytestmark = pytest.mark.django_db

NOON = datetime(2026, 6, 1, 16, 0, tzinfo=UTC)  # noon in New York
THANKS = "Congratulations on completing"
CLOSE_OUT = "How did your partnership go?"


def ended(partnership, days_ago):
    """The partnership's planned end was `days_ago` days before today (it started a year before)."""
    end = timezone.localdate() - timedelta(days=days_ago)
    Partnership.objects.filter(pk=partnership.pk).update(planned_end_on=end, started_on=end - timedelta(days=365))
    partnership.refresh_from_db()
    return partnership


def received():
    """Send what is waiting (the outbox, the feedback asks: the minute task, which also asks the
    final round of what was completed); {(to, kind): count} of all sent so far."""
    send_pending_emails()
    tasks.send_feedback_asks()
    counts = Counter()
    for message in mail.outbox:
        kind = THANKS if message.subject.startswith(THANKS) else CLOSE_OUT if CLOSE_OUT in message.subject else "other"
        counts[(message.to[0], kind)] += 1
    return counts


def expected(*partnerships):
    people = [person for p in partnerships for person in (p.mentee, p.mentor)]
    return Counter({(person.email, kind): 1 for person in people for kind in (THANKS, CLOSE_OUT)})


@pytest.fixture
def pair(world):
    """A partnership whose introductions went out already (so only what closing sends is counted)."""
    partnership = partnership_for(world["program"], world["people"]["chair"])
    send_pending_emails()
    mail.outbox.clear()
    return partnership


def test_a_partnership_past_its_end_and_grace_is_completed_once_with_a_close_out_ask_to_each(world, pair):
    program = world["program"]
    assert program.grace_days_after_end == 30
    with time_machine.travel(NOON, tick=False):
        ended(pair, 30)
        assert closing.complete_overdue_partnerships() == 1
        assert closing.complete_overdue_partnerships() == 0  # a second run
        assert tasks.complete_overdue_partnerships() == 0  # the beat's task, a retry
        services.run_feedback_job()  # the hourly feedback job asks the final round, once
        services.run_feedback_job()
        sent = received()
    pair.refresh_from_db()
    assert pair.status == Partnership.Status.COMPLETED and pair.ended_on == NOON.date()
    assert sent == expected(pair)
    assert Application.objects.get(pk=pair.mentor_application_id).status == Application.Status.IN_POOL
    (log,) = FollowUp.objects.filter(partnership=pair)
    assert log.kind == FollowUp.Kind.COMPLETED and log.author is None
    assert log.said == {"key": "completed_automatically", "days": 30} and log.note is None
    assert log.shown_note == "Completed automatically after the grace period (30 days after the planned end)."
    finals = Solicitation.objects.filter(partnership=pair, is_final=True)
    assert sorted(finals.values_list("role", flat=True)) == ["mentee", "mentor"]


def test_within_the_grace_period_it_stays_open_and_the_committee_is_told_when_it_completes(world, pair):
    with time_machine.travel(NOON, tick=False):
        ended(pair, 29)
        assert closing.complete_overdue_partnerships() == 0
        (attention,) = services.partnerships_needing_attention(world["program"])
    assert attention.partnership == pair
    assert "Past its planned end (29 days); completes automatically on June 2, 2026 unless extended" in (
        attention.reasons
    )
    pair.refresh_from_db()
    assert pair.status == Partnership.Status.ACTIVE


def test_the_program_sets_the_grace_period(world, pair):
    program = world["program"]
    program.grace_days_after_end = 0
    program.save(update_fields=["grace_days_after_end"])
    with time_machine.travel(NOON, tick=False):
        ended(pair, 0)
        assert closing.complete_overdue_partnerships() == 1  # on the planned end day itself
    assert "(0 days after" in FollowUp.objects.get(partnership=pair).shown_note


def test_a_chair_who_extends_keeps_the_partnership_open_and_nothing_is_sent(world, pair):
    chair = world["people"]["chair"]
    with time_machine.travel(NOON, tick=False):
        ended(pair, 40)
        life.extend(partnership=pair, by=chair, months=2)
        assert closing.complete_overdue_partnerships() == 0
        sent = received()
    pair.refresh_from_db()
    assert pair.status == Partnership.Status.ACTIVE
    assert not any(kind in (THANKS, CLOSE_OUT) for _, kind in sent)
    assert list(FollowUp.objects.filter(partnership=pair).values_list("kind", flat=True)) == ["extended"]


def test_an_extension_between_the_list_and_the_lock_is_respected(world, pair, monkeypatch):
    """The job read the list; the chair extends before it reaches this partnership: not completed."""
    chair = world["people"]["chair"]
    real = closing._complete_if_still_due

    def chair_extends_first(*args, **kwargs):
        life.extend(partnership=pair, by=chair, months=1)
        return real(*args, **kwargs)

    monkeypatch.setattr(closing, "_complete_if_still_due", chair_extends_first)
    with time_machine.travel(NOON, tick=False):
        ended(pair, 31)
        assert closing.complete_overdue_partnerships() == 0
    pair.refresh_from_db()
    assert pair.status == Partnership.Status.ACTIVE


def test_a_final_round_asked_at_the_planned_end_is_not_asked_again_on_completion(world, pair):
    with time_machine.travel(NOON - timedelta(days=30), tick=False):  # the planned end day
        ended(pair, 0)
        services.run_feedback_job()
    with time_machine.travel(NOON, tick=False):
        assert closing.complete_overdue_partnerships() == 1
        services.run_feedback_job()
        sent = received()
    assert sent == expected(pair)  # one close-out ask each: at the planned end, not again
    assert Solicitation.objects.filter(partnership=pair, is_final=True).count() == 2


def test_a_job_that_did_not_run_for_ten_days_completes_each_overdue_partnership_once(world):
    program, chair = world["program"], world["people"]["chair"]
    pairs = [partnership_for(program, chair, tag) for tag in "abcd"]
    send_pending_emails()
    mail.outbox.clear()
    with time_machine.travel(NOON, tick=False):
        # Their grace ended on different days of the outage (1, 4 and 9 days ago), one is still in it.
        for partnership, days in zip(pairs, (31, 34, 39, 20), strict=True):
            ended(partnership, days)
        assert closing.complete_overdue_partnerships() == 3
        assert closing.complete_overdue_partnerships() == 0
        sent = received()
    assert sent == expected(*pairs[:3])
    statuses = [Partnership.objects.get(pk=p.pk).status for p in pairs]
    assert statuses == ["completed", "completed", "completed", "active"]
    assert FollowUp.objects.filter(kind="completed").count() == 3


class Killed(BaseException):
    """The worker died (not an error the job could catch)."""


def test_a_job_killed_halfway_keeps_what_it_completed_and_the_next_run_does_the_rest(world, monkeypatch):
    program, chair = world["program"], world["people"]["chair"]
    pairs = [partnership_for(program, chair, tag) for tag in "abcde"]
    send_pending_emails()
    mail.outbox.clear()
    real, calls = life.complete, []

    def dies_on_the_third(**kwargs):
        calls.append(kwargs["partnership"].pk)
        if len(calls) == 3:
            raise Killed
        return real(**kwargs)

    with time_machine.travel(NOON, tick=False):
        for partnership in pairs:
            ended(partnership, 45)
        monkeypatch.setattr(life, "complete", dies_on_the_third)
        with pytest.raises(Killed):
            closing.complete_overdue_partnerships()
        assert Partnership.objects.filter(status="completed").count() == 2  # the third rolled back
        monkeypatch.setattr(life, "complete", real)
        assert closing.complete_overdue_partnerships() == 3
        assert closing.complete_overdue_partnerships() == 0
        sent = received()
    assert sent == expected(*pairs)
    assert FollowUp.objects.filter(kind="completed").count() == 5


def _in_thread(barrier, work, results):
    try:
        barrier.wait(10)
        results.append(("ok", work()))
    except Exception as exc:  # collected and asserted in the test
        results.append(("error", exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_complete_each_partnership_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two runs at once need PostgreSQL (DATABASE_URL)")
    program, chair = world["program"], world["people"]["chair"]
    pairs = [partnership_for(program, chair, f"t{i}") for i in range(8)]
    send_pending_emails()
    mail.outbox.clear()
    real = life.complete

    def slow(**kwargs):  # a completion takes a moment: the two runs overlap
        time.sleep(0.02)
        return real(**kwargs)

    monkeypatch.setattr(life, "complete", slow)
    with time_machine.travel(NOON, tick=False):
        for partnership in pairs:
            ended(partnership, 31)
        barrier, results = threading.Barrier(2), []
        job = closing.complete_overdue_partnerships
        threads = [threading.Thread(target=_in_thread, args=(barrier, job, results)) for _ in "ab"]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert [kind for kind, _ in results] == ["ok", "ok"], results
        assert sum(value for _, value in results) == 8
        sent = received()
    assert sent == expected(*pairs)
    assert FollowUp.objects.filter(kind="completed").count() == 8
