"""Mentees still waiting for a mentor are told, at the interval the program sets, that the
committee is still looking: each once per interval, whether the job runs twice, twice at once,
late, or dies halfway; the chair's button after a matching run counts as the notice. Judged by
what each person received.
"""

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection, connections
from django.urls import reverse

from conftest import applicant, partnership_for
from matching import services, tasks, waiting
from mentoring.models import Application
from outbox.emails import send_pending_emails
from partnerships import life

pytestmark = pytest.mark.django_db

APPLIED = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STILL_LOOKING = "we are still looking for a mentor for you"


def notices():
    """{email: how many "still looking" notices it received so far}."""
    send_pending_emails()
    return Counter(m.to[0] for m in mail.outbox if STILL_LOOKING in m.subject)


@pytest.fixture
def waiting_pool(world):
    """Three mentees who applied on APPLIED, a mentor in the pool, and a matched pair."""
    program = world["program"]
    with time_machine.travel(APPLIED, tick=False):
        mentees = [applicant(program, f"waiting.{n}@example.org", "mentee", employer=f"Firm {n}") for n in "abc"]
        applicant(program, "spare.mentor@example.org", "mentor", years=15, employer="Spare Co")
        partnership_for(program, world["people"]["chair"], "matched")
    send_pending_emails()
    mail.outbox.clear()
    return mentees


def test_each_waiting_mentee_is_told_once_per_interval(world, waiting_pool):
    assert world["program"].waiting_notice_every_days == 30
    with time_machine.travel(APPLIED + timedelta(days=29), tick=False):
        assert waiting.notify_waiting_mentees() == 0  # not yet
    with time_machine.travel(APPLIED + timedelta(days=30), tick=False):
        assert waiting.notify_waiting_mentees() == 3
        assert waiting.notify_waiting_mentees() == 0  # a second run
        assert tasks.notify_waiting_mentees() == 0  # the beat's task, a retry
    assert notices() == {m.user.email: 1 for m in waiting_pool}  # not the mentor, not the matched mentee
    message = next(m for m in mail.outbox if m.to == [waiting_pool[0].user.email])
    assert message.subject == "Northport new members: we are still looking for a mentor for you"
    assert "still looking" in message.body and "not about you" in message.body
    assert f"/programs/{world['program'].pk}/apply/mentee/" in message.body and "/mentoring/" in message.body
    assert "We will write again in 30 days" in message.body

    with time_machine.travel(APPLIED + timedelta(days=59), tick=False):
        assert waiting.notify_waiting_mentees() == 0
    with time_machine.travel(APPLIED + timedelta(days=60), tick=False):
        assert waiting.notify_waiting_mentees() == 3
        assert waiting.notify_waiting_mentees() == 0
    assert notices() == {m.user.email: 2 for m in waiting_pool}


def test_a_job_that_did_not_run_for_ten_days_sends_one_notice_each_not_ten(world, waiting_pool):
    with time_machine.travel(APPLIED + timedelta(days=40), tick=False):
        assert waiting.notify_waiting_mentees() == 3
        assert waiting.notify_waiting_mentees() == 0
    assert notices() == {m.user.email: 1 for m in waiting_pool}
    # The next interval counts from the notice sent, not from when it was due.
    with time_machine.travel(APPLIED + timedelta(days=69), tick=False):
        assert waiting.notify_waiting_mentees() == 0
    with time_machine.travel(APPLIED + timedelta(days=70), tick=False):
        assert waiting.notify_waiting_mentees() == 3


def test_a_program_with_the_notices_off_sends_none(world, waiting_pool):
    program = world["program"]
    program.waiting_notice_every_days = None
    program.save(update_fields=["waiting_notice_every_days"])
    with time_machine.travel(APPLIED + timedelta(days=90), tick=False):
        assert waiting.notify_waiting_mentees() == 0
    assert notices() == {}


def test_who_is_matched_withdrew_closed_the_account_or_is_left_out_of_matching_is_not_told(world, waiting_pool):
    a, b, c = waiting_pool
    Application.objects.filter(pk=a.pk).update(status=Application.Status.WITHDRAWN)
    b.user.is_active = False
    b.user.save(update_fields=["is_active"])
    with time_machine.travel(APPLIED + timedelta(days=31), tick=False):
        lapsed = applicant(world["program"], "lapsed.mentee@example.org", "mentee", employer="Lapsed Firm")
    lapsed.user.profile.membership_status = lapsed.user.profile.MembershipStatus.LAPSED
    lapsed.user.profile.save()
    with time_machine.travel(APPLIED + timedelta(days=62), tick=False):
        assert waiting.notify_waiting_mentees() == 1  # c; the lapsed member is not matched, so not "still looking"
    assert notices() == {c.user.email: 1}


def test_the_chairs_button_counts_as_the_notice(world, waiting_pool):
    program, chair = world["program"], world["people"]["chair"]
    with time_machine.travel(APPLIED + timedelta(days=20), tick=False):
        run = services.start_run(program=program, by=chair)
        told_by_chair = {u["application"] for u in run.unmatched}
        assert services.notify_unmatched(run=run, by=chair) == len(told_by_chair) >= 1
    others = [m for m in waiting_pool if m.pk not in told_by_chair]  # proposed a mentor, still waiting
    with time_machine.travel(APPLIED + timedelta(days=35), tick=False):
        assert waiting.notify_waiting_mentees() == len(others)
    assert notices() == {m.user.email: 1 for m in others}
    # Who was told by the chair hears 30 days after the chair's note, not 30 days after applying.
    with time_machine.travel(APPLIED + timedelta(days=49), tick=False):
        assert waiting.notify_waiting_mentees() == 0
    with time_machine.travel(APPLIED + timedelta(days=50), tick=False):
        assert waiting.notify_waiting_mentees() == len(told_by_chair)
    assert notices() == {m.user.email: 1 for m in waiting_pool}


def test_a_mentee_back_in_the_pool_after_a_dissolution_is_not_told_at_once(world):
    program, chair = world["program"], world["people"]["chair"]
    with time_machine.travel(APPLIED, tick=False):
        partnership = partnership_for(program, chair, "gone")
    with time_machine.travel(APPLIED + timedelta(days=60), tick=False):
        life.dissolve(partnership=partnership, by=None, reason="fit")
        assert waiting.notify_waiting_mentees() == 0  # the ending email said so already
    with time_machine.travel(APPLIED + timedelta(days=90), tick=False):
        assert waiting.notify_waiting_mentees() == 1


class Killed(BaseException):
    """The worker died (not an error the job could catch)."""


def test_a_job_killed_halfway_keeps_what_it_sent_and_the_next_run_tells_the_rest(world, waiting_pool, monkeypatch):
    real, calls = waiting.queue_email, []

    def dies_on_the_second(**kwargs):
        calls.append(kwargs["to"])
        if len(calls) == 2:
            raise Killed
        return real(**kwargs)

    with time_machine.travel(APPLIED + timedelta(days=31), tick=False):
        monkeypatch.setattr(waiting, "queue_email", dies_on_the_second)
        with pytest.raises(Killed):
            waiting.notify_waiting_mentees()
        monkeypatch.setattr(waiting, "queue_email", real)
        assert waiting.notify_waiting_mentees() == 2  # the one in hand was rolled back with its claim
        assert waiting.notify_waiting_mentees() == 0
    assert notices() == {m.user.email: 1 for m in waiting_pool}


def _in_thread(barrier, work, results):
    try:
        barrier.wait(10)
        results.append(("ok", work()))
    except Exception as exc:  # collected and asserted in the test
        results.append(("error", exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_tell_each_mentee_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one writer at a time: two runs at once need PostgreSQL (DATABASE_URL)")
    program = world["program"]
    with time_machine.travel(APPLIED, tick=False):
        mentees = [applicant(program, f"many.{n}@example.org", "mentee", employer=f"Firm {n}") for n in range(20)]
    with time_machine.travel(APPLIED + timedelta(days=31), tick=False):
        barrier, results = threading.Barrier(2), []
        threads = [
            threading.Thread(target=_in_thread, args=(barrier, waiting.notify_waiting_mentees, results)) for _ in "ab"
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert sum(value for _, value in results) == 20
    assert notices() == {m.user.email: 1 for m in mentees}


def test_the_matching_page_says_how_often_waiting_mentees_hear(client, world, waiting_pool):
    program, chair = world["program"], world["people"]["chair"]
    services.start_run(program=program, by=chair)
    client.force_login(chair)
    page = client.get(reverse("committee:matching", args=[program.pk])).content.decode()
    assert "Mentees still waiting also get this note every 30 days without anyone pressing a button" in page
    program.waiting_notice_every_days = None
    program.save(update_fields=["waiting_notice_every_days"])
    page = client.get(reverse("committee:matching", args=[program.pk])).content.decode()
    assert "The program sends no regular note to mentees still waiting" in page
