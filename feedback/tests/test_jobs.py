"""The feedback job: who is due when, and every ask, reminder and nudge sent exactly once, whether
the job runs twice, twice at once, late, against a failing mail server, or dies halfway.

Exactly once, as TESTING.md defines it: a row is claimed (pending -> sending) before its email
goes out and marked sent after; a row left in "sending" is shown to the committee, never resent.
"""

import ast
import itertools
import json
import os
import smtplib
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import OperationalError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from conftest import applicant, approve_proposal, make_member, propose
from feedback import services, tasks
from feedback.models import Solicitation
from mentoring.branding import brand_id_for
from mentoring.models import Application, Partnership, Program
from outbox import html as html_module
from outbox.brands import brand_by_id
from outbox.emails import IN_DOUBT_NOTE, render_email, send_pending_emails
from outbox.html import html_version
from outbox.models import OutgoingEmail
from partnerships.models import Meeting

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "mentoring", "matching", "feedback")
# "Now" in the tests that travel in time: 9:00 in New York. In UTC, so that adding days adds 24 hours
# (US daylight saving time starts on March 8).
MONDAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
_serial = itertools.count(1)


def partnerships(program, count, *, started_on, length_days=365):
    """`count` active partnerships between new members, built directly (the matching queue has
    its own tests); each partner's email is unique."""
    made = []
    for _ in range(count):
        n = next(_serial)
        mentee = make_member(f"mentee{n}@example.org", program.association, first_name=f"Mentee{n}", last_name="Jobs")
        mentor = make_member(f"mentor{n}@example.org", program.association, first_name=f"Mentor{n}", last_name="Jobs")
        mentee_app, mentor_app = (
            Application.objects.create(program=program, user=user, role=role, status=Application.Status.MATCHED)
            for user, role in ((mentee, "mentee"), (mentor, "mentor"))
        )
        made.append(
            Partnership.objects.create(
                program=program,
                mentee=mentee,
                mentor=mentor,
                mentee_application=mentee_app,
                mentor_application=mentor_app,
                started_on=started_on,
                planned_end_on=started_on + timedelta(days=length_days),
            )
        )
    return made


def recipients():
    return Counter(message.to[0] for message in mail.outbox)


def statuses():
    return Counter(Solicitation.objects.values_list("status", flat=True))


def use_backend(settings, backend):
    path = f"{backend.__module__}.{backend.__qualname__}"
    # Django 6.1 builds every connection (mailers.default, EmailMessage.send, the deprecated
    # get_connection) from MAILERS once the setting exists, as it does in mentoring/settings.py.
    settings.MAILERS = {"default": {"BACKEND": path}}


def needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update(skip_locked) does nothing on SQLite: this test needs PostgreSQL (DATABASE_URL)")


# --- The schedule ------------------------------------------------------------------------------


def test_rounds_fall_30_days_in_then_every_60_then_at_the_planned_end():
    program = Program(feedback_first_after_days=30, feedback_every_days=60, feedback_at_end=True)
    rounds = services.rounds_for(program=program, started_on=date(2025, 1, 15), planned_end_on=date(2026, 1, 15))
    assert rounds == [
        (1, date(2025, 2, 14), False),
        (2, date(2025, 4, 15), False),
        (3, date(2025, 6, 14), False),
        (4, date(2025, 8, 13), False),
        (5, date(2025, 10, 12), False),
        (6, date(2025, 12, 11), False),  # day 330; day 390 is after the end
        (7, date(2026, 1, 15), True),
    ]


def test_rounds_follow_the_programs_own_settings():
    program = Program(feedback_first_after_days=14, feedback_every_days=28, feedback_at_end=False)
    rounds = services.rounds_for(program=program, started_on=date(2025, 3, 1), planned_end_on=date(2025, 6, 1))
    assert rounds == [(1, date(2025, 3, 15), False), (2, date(2025, 4, 12), False), (3, date(2025, 5, 10), False)]
    # A regular round that would fall on the last day gives way to the final round.
    program = Program(feedback_first_after_days=30, feedback_every_days=30, feedback_at_end=True)
    rounds = services.rounds_for(program=program, started_on=date(2025, 1, 1), planned_end_on=date(2025, 3, 2))
    assert rounds == [(1, date(2025, 1, 31), False), (2, date(2025, 3, 2), True)]
    # Shorter than the first interval: only the final round.
    assert services.rounds_for(program=program, started_on=date(2025, 1, 1), planned_end_on=date(2025, 1, 20)) == [
        (1, date(2025, 1, 20), True)
    ]


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2025, 1, 15), None),
        (date(2025, 2, 13), None),
        (date(2025, 2, 14), (1, date(2025, 2, 14), False)),
        (date(2025, 5, 1), (2, date(2025, 4, 15), False)),
        (date(2026, 1, 14), (6, date(2025, 12, 11), False)),
        (date(2026, 1, 15), (7, date(2026, 1, 15), True)),
        (date(2027, 6, 1), (7, date(2026, 1, 15), True)),
    ],
)
def test_the_latest_due_round_is_the_last_whose_day_has_come(today, expected):
    program = Program(feedback_first_after_days=30, feedback_every_days=60, feedback_at_end=True)
    due = services.latest_due_round(
        program=program, started_on=date(2025, 1, 15), planned_end_on=date(2026, 1, 15), today=today
    )
    assert due == expected


def test_a_change_to_the_programs_settings_applies_on_the_next_run(world):
    program = world["program"]
    today = date(2026, 3, 2)
    (partnership,) = partnerships(program, 1, started_on=today - timedelta(days=20))
    assert services.create_due_solicitations(today=today) == 0  # first round at day 30
    program.feedback_first_after_days = 14
    program.save(update_fields=["feedback_first_after_days"])
    assert services.create_due_solicitations(today=today) == 2
    asks = Solicitation.objects.filter(partnership=partnership)
    assert {(s.round, s.due_on, s.role) for s in asks} == {
        (1, date(2026, 2, 24), "mentee"),
        (1, date(2026, 2, 24), "mentor"),
    }


def test_the_count_of_created_asks_leaves_out_those_another_run_created_meanwhile(world, monkeypatch):
    """Two runs at once: what the other run inserted between this run's read and its insert is
    skipped by the unique constraint, and not counted as created here (the run's figures add up)."""
    program = world["program"]
    today = date(2026, 3, 2)
    (partnership,) = partnerships(program, 1, started_on=today - timedelta(days=30))
    real = services.latest_due_round

    def meanwhile(**kwargs):
        due = real(**kwargs)
        Solicitation.objects.create(
            partnership=partnership,
            round=due[0],
            respondent=partnership.mentee,
            role="mentee",
            due_on=due[1],
        )
        return due

    monkeypatch.setattr(services, "latest_due_round", meanwhile)
    assert services.create_due_solicitations(today=today) == 1
    assert Solicitation.objects.filter(partnership=partnership).count() == 2


# --- Twice in a row, twice at once ----------------------------------------------------------------


def test_running_the_job_twice_sends_each_due_partner_one_email(world, monkeypatch):
    program = world["program"]
    today = date(2026, 3, 2)
    due = partnerships(program, 3, started_on=today - timedelta(days=30))
    partnerships(program, 1, started_on=today - timedelta(days=29))  # due tomorrow
    monkeypatch.setattr(services, "ANALYZE_AFTER", 6)  # as after a large first round
    with CaptureQueriesContext(connection) as queries:
        first = services.run_feedback_job(today=today)
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    assert analyzed == (["ANALYZE feedback_solicitation"] if connection.vendor == "postgresql" else [])
    second = services.run_feedback_job(today=today)
    assert first["created"] == 6 and first["sent"] == 6
    assert second == {"created": 0, "sent": 0, "reminded": 0, "nudged": 0}
    expected = {p.mentee.email for p in due} | {p.mentor.email for p in due}
    assert recipients() == Counter({email: 1 for email in expected})
    assert Solicitation.objects.count() == 6 and statuses() == {"sent": 6}


def test_each_email_carries_its_own_working_link_and_the_right_subject(world):
    """The emails are built per chunk (templates, link prefix and subject computed once): each
    person still gets their own name, their own link, and the subject of their kind of email."""
    program = world["program"]
    today = date(2026, 3, 2)
    partnerships(program, 1, started_on=today - timedelta(days=30))
    (ending,) = partnerships(program, 1, started_on=today - timedelta(days=100), length_days=100)
    with time_machine.travel(MONDAY, tick=False):
        services.run_feedback_job(today=today)
    assert len(mail.outbox) == 4
    for message in mail.outbox:
        solicitation = Solicitation.objects.get(respondent__email=message.to[0])
        token = message.body.split("/feedback/")[1].split("/")[0]
        with time_machine.travel(MONDAY, tick=False):
            assert services.solicitation_for_token(token) == solicitation
        person = solicitation.respondent
        partner = solicitation.partnership.partner_of(person)
        assert f"Hello {person.first_name}," in message.body and partner.get_full_name() in message.body
        if solicitation.partnership == ending:
            assert solicitation.is_final and message.subject == f"How did your partnership go? ({program.name})"
        else:
            assert message.subject == f"How is your mentoring partnership going? ({program.name})"


def _in_thread(barrier, work, results):
    try:
        barrier.wait(10)
        started = time.monotonic()
        value = work()
        results.append(("ok", threading.current_thread().name, started, time.monotonic(), value))
    except Exception as exc:  # collected and asserted in the test
        results.append(("error", threading.current_thread().name, 0, 0, exc))
    finally:
        connections.close_all()


class SlowBackend(LocmemBackend):
    """Takes 2 ms per message, as a real server would take longer: two runs really overlap."""

    def send_messages(self, messages):
        time.sleep(0.002 * len(messages))
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True)
def test_two_runs_started_at_the_same_moment_send_each_email_once(world, settings, monkeypatch):
    needs_postgresql()
    use_backend(settings, SlowBackend)
    monkeypatch.setattr(services, "CHUNK", 4)  # many small chunks, so the two runs interleave
    program = world["program"]
    today = date(2026, 3, 2)
    due = partnerships(program, 40, started_on=today - timedelta(days=30))
    delivered = []  # (thread, ids) per chunk
    real_deliver = services._deliver

    def deliver(ids, *, reminder, **run):
        delivered.append((threading.current_thread().name, list(ids)))
        return real_deliver(ids, reminder=reminder, **run)

    monkeypatch.setattr(services, "_deliver", deliver)

    def job():
        services.create_due_solicitations(today=today)
        return services.send_solicitations()

    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_in_thread, args=(barrier, job, results), name=f"beat-{i}") for i in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [kind for kind, *_ in results] == ["ok", "ok"], results
    assert sum(value for *_, value in results) == 80
    assert Solicitation.objects.count() == 80 and statuses() == {"sent": 80}
    assert recipients() == Counter({p.mentee.email: 1 for p in due} | {p.mentor.email: 1 for p in due})
    # They really ran side by side: both delivered chunks, never the same row, during the same time.
    by_thread = {name: {pk for who, ids in delivered if who == name for pk in ids} for name in ("beat-1", "beat-2")}
    assert by_thread["beat-1"] and by_thread["beat-2"], "one run did everything: no overlap was tested"
    assert not by_thread["beat-1"] & by_thread["beat-2"]
    (_, _, start_a, end_a, _), (_, _, start_b, end_b, _) = results
    assert start_a < end_b and start_b < end_a


# --- Late, and catching up ---------------------------------------------------------------------------


def test_a_job_skipped_for_three_days_sends_everything_overdue_once(world):
    program = world["program"]
    monday = MONDAY.date()
    # First rounds falling due on each day of the outage, and one due today.
    on_time = {day: partnerships(program, 1, started_on=monday - timedelta(days=30 - day))[0] for day in (-2, -1, 0)}
    (second_round,) = partnerships(program, 1, started_on=monday - timedelta(days=91))
    with time_machine.travel(MONDAY - timedelta(days=3), tick=False):  # Friday: the last run before the outage
        first = services.run_feedback_job()
    assert first["sent"] == 2  # round 1 of `second_round` (day 88)
    mail.outbox.clear()

    with time_machine.travel(MONDAY, tick=False):  # no runs on Saturday and Sunday
        caught_up = services.run_feedback_job()
        again = services.run_feedback_job()
    assert caught_up["sent"] == 8 and again["sent"] == 0
    assert set(recipients().values()) == {1} and len(recipients()) == 8
    for day, partnership in on_time.items():
        asks = Solicitation.objects.filter(partnership=partnership)
        assert [(s.round, s.due_on, s.status) for s in asks] == [(1, monday + timedelta(days=day), "sent")] * 2
    assert sorted(Solicitation.objects.filter(partnership=second_round).values_list("round", flat=True)) == [1, 1, 2, 2]


def test_only_the_latest_missed_round_is_asked_not_every_one(world):
    program = world["program"]
    today = MONDAY.date()
    # Rounds 1 (day 30), 2 (day 90) and 3 (day 150) all passed while nothing ran.
    (partnership,) = partnerships(program, 1, started_on=today - timedelta(days=160))
    result = services.run_feedback_job(today=today)
    asks = list(Solicitation.objects.filter(partnership=partnership))
    assert result["sent"] == 2 and [(s.round, s.due_on) for s in asks] == [(3, today - timedelta(days=10))] * 2
    assert services.run_feedback_job(today=today)["sent"] == 0


# --- Reminders -------------------------------------------------------------------------------------


def test_reminders_go_after_n_days_at_most_m_times_only_to_who_has_not_answered(world):
    program = world["program"]
    assert (program.reminder_after_days, program.max_reminders, program.feedback_link_days) == (5, 2, 14)
    started = MONDAY.date() - timedelta(days=30)
    active, ended = partnerships(program, 2, started_on=started)
    with time_machine.travel(MONDAY, tick=False):
        assert services.run_feedback_job()["sent"] == 4
    ask = Solicitation.objects.get(partnership=active, role="mentee")
    (first_email,) = [m for m in mail.outbox if m.to == [active.mentee.email]]
    first_link_token = first_email.body.split("/feedback/")[1].split("/")[0]
    mentor_ask = Solicitation.objects.get(partnership=active, role="mentor")
    with time_machine.travel(MONDAY + timedelta(days=1), tick=False):
        answers = {"satisfaction": 4, "met": "monthly", "progress": "some", "working": "yes"}
        services.submit_response(solicitation=mentor_ask, answers=answers)
        Partnership.objects.filter(pk=ended.pk).update(status=Partnership.Status.DISSOLVED)
    mail.outbox.clear()

    def reminded_after(delta):
        with time_machine.travel(MONDAY + delta, tick=False):
            return services.run_feedback_job()["reminded"]

    assert reminded_after(timedelta(days=5) - timedelta(minutes=1)) == 0
    assert reminded_after(timedelta(days=5)) == 1
    assert reminded_after(timedelta(days=5, hours=1)) == 0  # counted from the latest email
    assert reminded_after(timedelta(days=9)) == 0
    assert reminded_after(timedelta(days=10)) == 1
    assert reminded_after(timedelta(days=15)) == 0  # at most two
    assert reminded_after(timedelta(days=40)) == 0
    assert recipients() == Counter({active.mentee.email: 2})
    assert all(m.subject.startswith("A reminder: ") and "/feedback/" in m.body for m in mail.outbox)
    ask.refresh_from_db()
    assert ask.reminders_sent == 2 and ask.last_reminded_at == MONDAY + timedelta(days=10)
    assert Solicitation.objects.filter(reminders_sent__gt=0).count() == 1  # not the answerer, not the ended pair

    # Each reminder renews the link: the first email's link works 14 days after the last reminder.
    with time_machine.travel(MONDAY + timedelta(days=16), tick=False):
        assert services.solicitation_for_token(first_link_token) == ask
    with time_machine.travel(MONDAY + timedelta(days=24, hours=1), tick=False):
        with pytest.raises(services.LinkProblem) as problem:
            services.solicitation_for_token(first_link_token)
    assert problem.value.kind == "expired"


# --- A failing mail server ---------------------------------------------------------------------------


class EveryThirdFails(LocmemBackend):
    """Refuses every third message, like a mail server having a bad day."""

    count = 0

    def send_messages(self, messages):
        for message in messages:
            EveryThirdFails.count += 1
            if EveryThirdFails.count % 3 == 0:
                raise smtplib.SMTPDataError(451, b"try again later")  # refused: not in doubt
            super().send_messages([message])
        return len(messages)


class AlwaysFails(LocmemBackend):
    attempts = 0

    def send_messages(self, messages):
        AlwaysFails.attempts += len(messages)
        raise smtplib.SMTPRecipientsRefused({"x@example.org": (450, b"mailbox busy")})


class Unreachable(LocmemBackend):
    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, messages):
        raise AssertionError("never called: the connection did not open")


def test_failed_sends_stay_pending_and_go_out_on_the_next_run(world, settings, monkeypatch):
    use_backend(settings, EveryThirdFails)
    monkeypatch.setattr(EveryThirdFails, "count", 0)
    program = world["program"]
    today = MONDAY.date()
    partnerships(program, 6, started_on=today - timedelta(days=30))

    def sent_rows_match_the_outbox():
        sent = Counter(Solicitation.objects.filter(status="sent").values_list("respondent__email", flat=True))
        assert sent == recipients(), "a row is marked sent without its email, or the reverse"

    assert services.run_feedback_job(today=today)["sent"] == 8  # 3rd, 6th, 9th and 12th refused
    assert statuses() == {"sent": 8, "pending": 4}
    sent_rows_match_the_outbox()
    failed = Solicitation.objects.filter(status="pending")
    assert all(s.attempts == 1 and "try again later" in s.last_error and s.claimed_at is None for s in failed)

    assert services.run_feedback_job(today=today)["sent"] == 3  # the 15th send is refused
    assert statuses() == {"sent": 11, "pending": 1}
    sent_rows_match_the_outbox()
    assert services.run_feedback_job(today=today)["sent"] == 1
    assert statuses() == {"sent": 12}
    sent_rows_match_the_outbox()
    assert set(recipients().values()) == {1} and len(recipients()) == 12
    assert sorted(Solicitation.objects.values_list("attempts", flat=True)) == [1] * 8 + [2] * 3 + [3]


def test_a_send_refused_five_times_is_marked_failed_and_not_tried_again(world, settings, monkeypatch):
    use_backend(settings, AlwaysFails)
    monkeypatch.setattr(AlwaysFails, "attempts", 0)
    today = MONDAY.date()
    partnerships(world["program"], 1, started_on=today - timedelta(days=30))
    for run in range(1, 5):
        assert services.run_feedback_job(today=today)["sent"] == 0
        assert statuses() == {"pending": 2} and AlwaysFails.attempts == 2 * run  # one try per row per run
    services.run_feedback_job(today=today)
    assert statuses() == {"failed": 2} and set(Solicitation.objects.values_list("attempts", flat=True)) == {5}
    services.run_feedback_job(today=today)
    assert AlwaysFails.attempts == 10 and mail.outbox == []


def test_an_unreachable_mail_server_leaves_the_chunk_pending_not_stuck(world, settings):
    use_backend(settings, Unreachable)
    today = MONDAY.date()
    partnerships(world["program"], 2, started_on=today - timedelta(days=30))
    with time_machine.travel(MONDAY, tick=False):
        assert services.run_feedback_job(today=today)["sent"] == 0
    assert statuses() == {"pending": 4}
    assert set(Solicitation.objects.values_list("attempts", flat=True)) == {1}
    with time_machine.travel(MONDAY + timedelta(hours=1), tick=False):
        assert not services.stuck_solicitations().exists()
        use_backend(settings, LocmemBackend)
        assert services.run_feedback_job(today=today)["sent"] == 4
    assert len(recipients()) == 4


class DropsOnce(LocmemBackend):
    """A mail server whose connection drops in the middle of the 5th message: like smtplib, a
    dropped connection sends nothing until it is opened again. Counts the connections opened."""

    connections = 0
    messages = 0

    def open(self):
        if getattr(self, "connected", False):
            return False
        DropsOnce.connections += 1
        self.connected = True
        return True

    def close(self):
        self.connected = False

    def send_messages(self, messages):
        if not getattr(self, "connected", False):
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        DropsOnce.messages += len(messages)
        if DropsOnce.messages == 5:
            self.connected = False
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


def test_a_chunk_goes_over_one_connection_opened_again_when_it_drops(world, settings, monkeypatch):
    """The outbox's batch sender: one connection per chunk; when it drops, what went is marked
    sent, the one cut off waits for the next run, the rest goes over a new connection."""
    use_backend(settings, DropsOnce)
    monkeypatch.setattr(DropsOnce, "connections", 0)
    monkeypatch.setattr(DropsOnce, "messages", 0)
    today = MONDAY.date()
    partnerships(world["program"], 6, started_on=today - timedelta(days=30))  # 12 asks, one chunk

    assert services.run_feedback_job(today=today)["sent"] == 11
    assert DropsOnce.connections == 2
    assert statuses() == {"sent": 11, "pending": 1}
    (cut_off,) = Solicitation.objects.filter(status="pending")
    assert cut_off.attempts == 1 and "unexpectedly closed" in cut_off.last_error
    assert cut_off.respondent.email not in recipients()

    assert services.run_feedback_job(today=today)["sent"] == 1
    assert DropsOnce.connections == 3
    assert statuses() == {"sent": 12} and set(recipients().values()) == {1} and len(recipients()) == 12


def test_a_round_is_not_reminded_once_a_later_round_was_asked(world):
    """A member who never answered round 1 is not reminded of it once round 2 has been asked:
    only the latest round is reminded."""
    program = world["program"]
    started = MONDAY.date() - timedelta(days=program.feedback_first_after_days + 1)
    (partnership,) = partnerships(program, 1, started_on=started)
    with time_machine.travel(MONDAY, tick=False):
        services.run_feedback_job()
    first = Solicitation.objects.get(partnership=partnership, role="mentee", round=1)
    # Round 2 is asked too (as the job would, one interval later); round 1 is still unanswered.
    second = Solicitation.objects.create(
        partnership=partnership,
        round=2,
        respondent=partnership.mentee,
        role="mentee",
        due_on=MONDAY.date(),
        status="sent",
        sent_at=MONDAY,
    )
    mail.outbox.clear()
    with time_machine.travel(MONDAY + timedelta(days=program.reminder_after_days), tick=False):
        services.send_reminders()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.reminders_sent, second.reminders_sent) == (0, 1)
    assert [m.to for m in mail.outbox].count([partnership.mentee.email]) == 1


def test_a_refused_reminder_waits_for_the_next_run(world, settings, monkeypatch):
    """One pass per run for reminders too: a refused reminder was re-claimed in the same run,
    forever, while the mail server kept refusing."""
    today = MONDAY.date()
    (partnership,) = partnerships(world["program"], 1, started_on=today - timedelta(days=30))
    with time_machine.travel(MONDAY, tick=False):
        services.run_feedback_job()
    use_backend(settings, AlwaysFails)
    monkeypatch.setattr(AlwaysFails, "attempts", 0)
    with time_machine.travel(MONDAY + timedelta(days=5), tick=False):
        assert services.send_reminders() == 0
    assert AlwaysFails.attempts == 2
    assert set(Solicitation.objects.values_list("reminders_sent", "reminder_claimed_at")) == {(0, None)}
    use_backend(settings, LocmemBackend)
    mail.outbox.clear()
    with time_machine.travel(MONDAY + timedelta(days=5, hours=1), tick=False):
        assert services.send_reminders() == 2
    assert recipients() == Counter({partnership.mentee.email: 1, partnership.mentor.email: 1})


def test_a_reminder_refused_five_runs_in_a_row_stops_and_shows_for_the_committee(world, settings, monkeypatch):
    today = MONDAY.date()
    (partnership,) = partnerships(world["program"], 1, started_on=today - timedelta(days=30))
    with time_machine.travel(MONDAY, tick=False):
        services.run_feedback_job()
    use_backend(settings, AlwaysFails)
    monkeypatch.setattr(AlwaysFails, "attempts", 0)
    for run in range(1, 8):
        with time_machine.travel(MONDAY + timedelta(days=5, hours=run), tick=False):
            assert services.send_reminders() == 0
    assert AlwaysFails.attempts == 2 * 5  # five runs tried both reminders; the sixth and seventh none
    assert set(Solicitation.objects.values_list("status", "reminder_failures")) == {("sent", 5)}
    assert all("mailbox busy" in e for e in Solicitation.objects.values_list("last_error", flat=True))
    attention = services.partnerships_needing_attention(world["program"], today=today + timedelta(days=5))
    assert [a.reasons for a in attention] == [(services.UNDELIVERABLE,)]
    # A committee member has the address checked and sends it again: reminded at the next run.
    ask = Solicitation.objects.get(partnership=partnership, role="mentee")
    services.send_again(solicitation=ask, by=world["people"]["chair"])
    use_backend(settings, LocmemBackend)
    mail.outbox.clear()
    with time_machine.travel(MONDAY + timedelta(days=5, hours=9), tick=False):
        assert services.send_reminders() == 1
    assert recipients() == Counter({partnership.mentee.email: 1})
    ask.refresh_from_db()
    assert (ask.status, ask.reminders_sent, ask.reminder_failures) == ("sent", 1, 0)


# --- A job that dies halfway -----------------------------------------------------------------------------


class WorkerLost(BaseException):
    """Not an Exception: stands in for a SIGKILL or a hard time limit in the middle of a chunk."""


class DiesAtTheSeventh(LocmemBackend):
    count = 0

    def send_messages(self, messages):
        DiesAtTheSeventh.count += 1
        if DiesAtTheSeventh.count == 7:
            raise WorkerLost
        return super().send_messages(messages)


def test_a_job_that_dies_halfway_loses_nothing_and_says_so_on_the_one_in_doubt(world, settings, monkeypatch):
    """Each ask is marked as it goes: a death leaves at most one email in doubt (the one in hand).
    After STUCK_AFTER the dead worker's claims go back in the queue: the untouched ones are sent
    as usual, the one in doubt says it may have arrived already (the outbox's IN_DOUBT_NOTE)."""
    use_backend(settings, DiesAtTheSeventh)
    monkeypatch.setattr(DiesAtTheSeventh, "count", 0)
    monkeypatch.setattr(services, "CHUNK", 5)
    today = MONDAY.date()
    partnerships(world["program"], 6, started_on=today - timedelta(days=30))  # 12 asks: chunks of 5, 5, 2
    with time_machine.travel(MONDAY, tick=False), pytest.raises(WorkerLost):
        services.run_feedback_job(today=today)
    # The first chunk is done; the second died at its second email, each marked as it went.
    assert statuses() == {"sent": 6, "sending": 4, "pending": 2}
    assert len(mail.outbox) == 6
    # The first row of the dead claim still unmarked is the email that was in hand.
    in_doubt = Solicitation.objects.filter(status="sending").order_by("pk").first()

    use_backend(settings, LocmemBackend)
    with time_machine.travel(MONDAY + timedelta(minutes=1), tick=False):  # the retry
        assert services.run_feedback_job(today=today)["sent"] == 2  # the dead worker may still be sending
    with time_machine.travel(MONDAY + services.STUCK_AFTER + timedelta(minutes=1), tick=False):
        assert services.run_feedback_job(today=today)["sent"] == 4
        assert services.run_feedback_job(today=today)["sent"] == 0
    assert statuses() == {"sent": 12} and not Solicitation.objects.filter(in_doubt=True).exists()
    assert len(mail.outbox) == 12 and set(recipients().values()) == {1}
    again = [m for m in mail.outbox if m.body.startswith(IN_DOUBT_NOTE)]
    assert [m.to for m in again] == [[in_doubt.respondent.email]]


def test_a_reminder_claim_left_by_a_dead_worker_is_sent_once_after_a_while(world):
    """A worker killed while sending reminders leaves its claim: after STUCK_AFTER the reminders
    are sent (once), and the next runs send nothing more."""
    today = MONDAY.date()
    partnership = partnerships(world["program"], 1, started_on=today - timedelta(days=30))[0]
    with time_machine.travel(MONDAY, tick=False):
        services.run_feedback_job(today=today)
    asks = set(Solicitation.objects.filter(partnership=partnership))
    assert len(asks) == 2
    mail.outbox.clear()
    # The reminders' batch claimed both, then its worker died.
    Solicitation.objects.filter(partnership=partnership).update(reminder_claimed_at=MONDAY + timedelta(days=6))
    with time_machine.travel(MONDAY + timedelta(days=6, minutes=1), tick=False):
        assert services.send_reminders() == 0  # it may still be sending
    later = MONDAY + timedelta(days=6) + services.STUCK_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert services.send_reminders() == 2
        assert services.send_reminders() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(s.respondent.email for s in asks)


def test_the_celery_task_retried_after_a_database_error_sends_no_second_email(world, monkeypatch):
    """The task retries on OperationalError (autoretry_for); eagerly applied, Celery runs the
    retry at once. The retry only sends what the first attempt had not."""
    monkeypatch.setattr(services, "CHUNK", 5)
    today = MONDAY.date()
    due = partnerships(world["program"], 6, started_on=today - timedelta(days=30))
    real_deliver, calls = services._deliver, []

    def deliver(ids, *, reminder, **run):
        calls.append(list(ids))
        sent = real_deliver(ids, reminder=reminder, **run)
        if len(calls) == 2:
            raise OperationalError("server closed the connection unexpectedly")
        return sent

    monkeypatch.setattr(services, "_deliver", deliver)
    with time_machine.travel(MONDAY, tick=False):
        result = tasks.run_feedback_job.apply()
    assert result.successful(), result.traceback
    assert result.get()["sent"] == 2  # the retry's own count: the last chunk
    assert [len(ids) for ids in calls] == [5, 5, 2]
    assert recipients() == Counter({p.mentee.email: 1 for p in due} | {p.mentor.email: 1 for p in due})
    assert statuses() == {"sent": 12}


# --- Approvals and the outbox ----------------------------------------------------------------------------


def test_an_approval_in_a_transaction_that_rolls_back_queues_no_email(world, django_capture_on_commit_callbacks):
    program, chair = world["program"], world["people"]["chair"]
    mentee = applicant(program, "rolled.back@example.org", "mentee")
    mentor = applicant(program, "rolled.mentor@example.org", "mentor", years=20)
    proposal = propose(mentee, mentor, score=80)
    OutgoingEmail.objects.all().delete()

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            approve_proposal(proposal, by=chair)
            assert OutgoingEmail.objects.count() == 2  # queued inside the transaction ...
            raise RuntimeError("something later in the same transaction failed")
    assert callbacks == []  # ... nothing enqueued for after the commit ...
    assert not OutgoingEmail.objects.exists() and not Partnership.objects.exists()  # ... and gone with it
    assert send_pending_emails() == 0 and mail.outbox == []

    approve_proposal(proposal, by=chair)  # the same approval, committed, does queue the two introductions
    assert send_pending_emails() == 2


# --- Celery configuration, checked in the code itself -------------------------------------------------------


def _project_sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            yield path, ast.parse(path.read_text(), filename=str(path))


def test_no_code_schedules_a_task_ahead_with_eta_or_countdown():
    """With Redis, a task delayed past the visibility timeout is delivered twice: reminders are
    state in the database, picked up by the periodic job, never scheduled days ahead."""
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno} {keyword.arg}="
        for path, tree in _project_sources()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for keyword in node.keywords
        if keyword.arg in {"eta", "countdown"}
    ]
    assert found == []


def _task_decorators():
    for path, tree in _project_sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
                if name in {"shared_task", "task"}:
                    yield f"{path.relative_to(ROOT)}:{node.name}", decorator


def test_every_task_is_acknowledged_late_and_requeued_if_its_worker_dies():
    decorators = dict(_task_decorators())
    assert "feedback/tasks.py:run_feedback_job" in decorators
    not_late = [
        where
        for where, decorator in decorators.items()
        if not isinstance(decorator, ast.Call)
        or not any(
            k.arg == "acks_late" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in decorator.keywords
        )
    ]
    assert not_late == []
    # And as Celery sees them once registered.
    from celery import current_app as app  # the project's app (config.celery)

    for module in APPS:
        if (ROOT / module / "tasks.py").exists():
            __import__(f"{module}.tasks")
    ours = [task for name, task in app.tasks.items() if name.split(".")[0] in APPS]
    assert len(ours) == len(decorators)
    assert all(task.acks_late for task in ours)
    assert django_settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    assert app.conf.task_reject_on_worker_lost is True and app.conf.task_acks_late is True


def test_the_redis_visibility_timeout_outlasts_every_retry_delay():
    """A retry waits in Redis as a delayed message; if the wait were longer than the visibility
    timeout, Redis would hand it to a second worker. Read with REDIS_URL set, as in production."""
    code = (
        "import json, config.settings as s;"
        "print(json.dumps([s.CELERY_BROKER_URL, s.CELERY_BROKER_TRANSPORT_OPTIONS, s.CELERY_TASK_ACKS_LATE]))"
    )
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:6379/15", "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    broker, options, acks_late = json.loads(out.stdout.strip().splitlines()[-1])
    assert broker.startswith("redis://") and acks_late is True
    visibility_timeout = options["visibility_timeout"]

    from celery import current_app as app  # the project's app (config.celery)

    __import__("feedback.tasks")
    longest = 0
    for name, task in app.tasks.items():
        if name.split(".")[0] not in APPS or not getattr(task, "autoretry_for", ()):
            continue
        backoff = getattr(task, "retry_backoff", False)
        if backoff:
            factor = 1 if backoff is True else backoff
            cap = getattr(task, "retry_backoff_max", 600)
            longest = max(longest, min(cap, factor * 2 ** (task.max_retries or 0)))
        else:
            longest = max(longest, task.default_retry_delay)
    assert 0 < longest <= visibility_timeout
    # The beat table never queues a run that could wait longer than that either.
    for entry in django_settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["options"]["expires"] <= visibility_timeout


# --- Nudges ------------------------------------------------------------------------------------------------


def test_a_quiet_partnership_is_nudged_once_per_quiet_spell(world):
    program = world["program"]
    assert program.nudge_after_days == 45
    start = date(2026, 1, 5)
    quiet, busy = partnerships(program, 2, started_on=start)
    Meeting.objects.create(partnership=busy, met_on=start + timedelta(days=40), logged_by=busy.mentee)

    def keys(partnership):
        return sorted(
            OutgoingEmail.objects.filter(key__startswith=f"nudge:{partnership.pk}:").values_list("key", flat=True)
        )

    def nudge(day):
        services.nudge_quiet_partnerships(today=start + timedelta(days=day))

    nudge(44)
    assert keys(quiet) == []
    nudge(45)
    assert keys(quiet) == sorted(f"nudge:{quiet.pk}:{person.pk}:{start}" for person in (quiet.mentee, quiet.mentor))
    nudge(46)  # the next day
    nudge(60)
    assert len(keys(quiet)) == 2 and keys(busy) == []  # the busy pair met on day 40
    assert send_pending_emails() == 2 and send_pending_emails() == 0
    assert recipients() == Counter({quiet.mentee.email: 1, quiet.mentor.email: 1})

    # They meet on day 61: a new quiet spell starts there and earns one new nudge each, once.
    met = start + timedelta(days=61)
    Meeting.objects.create(partnership=quiet, met_on=met, logged_by=quiet.mentor)
    nudge(61 + 44)
    assert len(keys(quiet)) == 2
    nudge(61 + 45)
    nudge(61 + 46)
    assert len(keys(quiet)) == 4 and sum(key.endswith(f":{met}") for key in keys(quiet)) == 2
    assert len(keys(busy)) == 2 and all(key.endswith(f":{start + timedelta(days=40)}") for key in keys(busy))
    # An ended partnership is never nudged again.
    Partnership.objects.filter(pk=busy.pk).update(status=Partnership.Status.COMPLETED)
    Meeting.objects.create(partnership=busy, met_on=start + timedelta(days=120), logged_by=busy.mentee)
    nudge(200)
    assert len(keys(busy)) == 2 and len(keys(quiet)) == 4
    assert send_pending_emails() == 4


# --- One email per person per run --------------------------------------------------------------


def mentor_of_three(program, today):
    """A mentor with three mentees whose first rounds all fall today."""
    made = partnerships(program, 3, started_on=today - timedelta(days=30))
    mentor, application = made[0].mentor, made[0].mentor_application
    for partnership in made[1:]:
        Partnership.objects.filter(pk=partnership.pk).update(mentor=mentor, mentor_application=application)
    return mentor, [Partnership.objects.get(pk=p.pk) for p in made]


def test_what_is_due_to_one_person_in_a_run_goes_in_one_email(world):
    today = MONDAY.date()
    mentor, made = mentor_of_three(world["program"], today)
    with time_machine.travel(MONDAY, tick=False):
        assert services.run_feedback_job(today=today)["sent"] == 6
    assert recipients()[mentor.email] == 1 and len(mail.outbox) == 4  # the mentor once, each mentee once
    (email,) = [m for m in mail.outbox if m.to == [mentor.email]]
    assert email.subject == "How are your mentoring partnerships going?"
    tokens = [part.split("/")[0] for part in email.body.split("/feedback/")[1:]]
    with time_machine.travel(MONDAY, tick=False):
        asked = {services.solicitation_for_token(token).partnership for token in tokens}
    assert asked == set(Partnership.objects.filter(pk__in=[p.pk for p in made]))
    for partnership in made:
        assert partnership.mentee.get_full_name() in email.body
    # Their reminders, a week later, are one email too.
    mail.outbox.clear()
    later = MONDAY + timedelta(days=world["program"].reminder_after_days, hours=1)
    with time_machine.travel(later, tick=False):
        assert services.send_reminders() == 6
    assert recipients()[mentor.email] == 1
    assert next(m for m in mail.outbox if m.to == [mentor.email]).subject.startswith("A reminder: ")


def test_a_death_in_the_middle_of_a_persons_email_resends_it_once_saying_so(world, settings, monkeypatch):
    """The rows of one person's email are marked together: killed while it was in hand, the
    whole email is in doubt and sent again once, saying so; nobody else gets anything twice."""
    use_backend(settings, DiesAtTheSeventh)
    monkeypatch.setattr(DiesAtTheSeventh, "count", 5)  # dies at the second email
    today = MONDAY.date()
    mentor, made = mentor_of_three(world["program"], today)
    with time_machine.travel(MONDAY, tick=False), pytest.raises(WorkerLost):
        services.run_feedback_job(today=today)
    use_backend(settings, LocmemBackend)
    with time_machine.travel(MONDAY + services.STUCK_AFTER + timedelta(minutes=1), tick=False):
        services.run_feedback_job(today=today)
        services.run_feedback_job(today=today)
    assert statuses() == {"sent": 6}
    everyone = {p.mentee.email for p in made} | {mentor.email}
    received = recipients()
    assert set(received) == everyone and all(n == 1 for n in received.values())


def test_someone_asked_in_a_run_is_reminded_and_nudged_at_the_next_one(world):
    """A mentor whose second mentee's first round falls on the day the first mentee's round is
    reminded: one email in that run (the ask), the reminder at the next, the nudge after."""
    program = world["program"]
    days = program.reminder_after_days
    Program.objects.filter(pk=program.pk).update(nudge_after_days=30)
    program.refresh_from_db()
    today = MONDAY.date()
    (first,) = partnerships(program, 1, started_on=today - timedelta(days=30))
    (second,) = partnerships(program, 1, started_on=today - timedelta(days=30 - days))
    mentor = first.mentor
    Partnership.objects.filter(pk=second.pk).update(mentor=mentor, mentor_application=first.mentor_application)
    with time_machine.travel(MONDAY, tick=False):
        services.run_feedback_job(today=today)
    mail.outbox.clear()
    run_day = MONDAY + timedelta(days=days, hours=1)
    with time_machine.travel(run_day, tick=False):
        services.run_feedback_job(today=run_day.date())
    assert recipients()[mentor.email] == 1  # the ask for the second partnership only
    assert not OutgoingEmail.objects.filter(key__startswith="nudge:", to=mentor.email).exists()
    assert recipients()[first.mentee.email] == 1  # the first mentee's reminder went
    mail.outbox.clear()
    with time_machine.travel(run_day + timedelta(hours=1), tick=False):
        result = services.run_feedback_job(today=run_day.date())
    assert result["reminded"] >= 1 and recipients()[mentor.email] == 1
    assert next(m for m in mail.outbox if m.to == [mentor.email]).subject.startswith("A reminder: ")
    assert not OutgoingEmail.objects.filter(key__startswith="nudge:", to=mentor.email).exists()  # one per run
    for hours in (2, 3, 4):  # one nudge per run, each partnership's once per quiet spell
        with time_machine.travel(run_day + timedelta(hours=hours), tick=False):
            services.run_feedback_job(today=run_day.date())
        assert OutgoingEmail.objects.filter(key__startswith="nudge:", to=mentor.email).count() == min(hours - 1, 2)


def test_the_emails_read_as_the_templates_render_them_with_the_whole_records(world):
    """The job builds its emails from the few columns they show, not from model instances (a
    first round asks tens of thousands): each email, ask and reminder, one partnership's and
    several listed in one, a final round among them, reads word for word as its template
    renders with the whole records. (A template that starts to show something the job does
    not load fails here.)"""
    program = world["program"]
    today = MONDAY.date()
    mentor, made = mentor_of_three(program, today)
    (ending,) = partnerships(program, 1, started_on=today - timedelta(days=100), length_days=100)
    with time_machine.travel(MONDAY, tick=False):
        assert services.run_feedback_job(today=today)["sent"] == 8
    later = MONDAY + timedelta(days=program.reminder_after_days, hours=1)
    with time_machine.travel(later, tick=False):
        assert services.send_reminders() == 8
    assert len(mail.outbox) == 12  # asks and reminders: the mentor of three once each, the others once each
    for message in mail.outbox:
        reminder = message.subject.startswith("A reminder: ")
        asked = Solicitation.objects.filter(respondent__email=message.to[0]).select_related(
            "partnership__program", "partnership__mentee", "partnership__mentor", "respondent"
        )
        tokens = [part.split("/")[0] for part in message.body.split("/feedback/")[1:]]
        with time_machine.travel(later, tick=False):
            links = {services.solicitation_for_token(token): services._url_for_token(token) for token in tokens}
        asks = [
            {
                "person": s.respondent,
                "partner": s.partnership.partner_of(s.respondent),
                "program": s.partnership.program,
                "solicitation": s,
                "link": links[s],
                "reminder": reminder,
                "days": s.partnership.program.feedback_link_days,
            }
            for s in sorted(asked, key=lambda s: s.pk)
        ]
        if len(asks) == 1:
            expected = render_email("feedback", asks[0])
        else:
            several = {"person": asks[0]["person"], "asks": asks, "reminder": reminder, "days": asks[0]["days"]}
            expected = render_email("feedback-several", several)
        assert (message.subject, message.body) == expected
    assert {m.to[0] for m in mail.outbox} == {mentor.email, ending.mentee.email, ending.mentor.email} | {
        p.mentee.email for p in made
    }


def test_the_emails_built_from_an_outline_read_as_the_whole_template_for_every_kind_of_name(world, monkeypatch):
    """The job renders a kind of email once and puts each person's words in (its own time was
    mostly rendering): names with markup, quotes, accents and blanks, French and English
    readers, each email still reads word for word as its template renders it whole, and the
    body template is rendered once per kind, not once per email."""
    from django.test.signals import template_rendered

    program = world["program"]
    today = MONDAY.date()
    made = partnerships(program, 20, started_on=today - timedelta(days=program.feedback_first_after_days))
    names = [
        ("<b>Ana</b>", "O'Neil & Sons"),
        ("", "Lee"),
        ("Zoë", ""),
        ("", ""),
        ("{{ link }}", "%(name)s"),
        ("https://evil.example/x", "- Dash"),  # a link in a name is a link in the HTML: made whole
        ("{0}", "}{x}"),  # braces, in names and in the program's name (the outline is a format string)
    ]
    program.name = "Leaders {2026} }{"
    program.save()
    for k, p in enumerate(made):
        for who, (first, last) in ((p.mentee, names[k % len(names)]), (p.mentor, names[(k + 2) % len(names)])):
            who.first_name, who.last_name, who.language = first, last, ("fr" if k % 2 else "en")
            who.save()
    rendered = []

    def seen(sender, template, context, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(seen)
    made_whole = []
    blocks = html_module._blocks
    monkeypatch.setattr(html_module, "_blocks", lambda body, style: made_whole.append(body) or blocks(body, style))
    try:
        with time_machine.travel(MONDAY, tick=False):
            assert services.run_feedback_job(today=today)["sent"] == 40
    finally:
        template_rendered.disconnect(seen)
        monkeypatch.undo()
    made_whole = len(made_whole)
    assert len(mail.outbox) == 40
    for message in mail.outbox:
        (s,) = Solicitation.objects.filter(respondent__email=message.to[0]).select_related(
            "partnership__program", "partnership__mentee", "partnership__mentor", "respondent"
        )
        (token,) = [part.split("/")[0] for part in message.body.split("/feedback/")[1:]]
        context = {
            "person": s.respondent,
            "partner": s.partnership.partner_of(s.respondent),
            "program": s.partnership.program,
            "solicitation": s,
            "link": services._url_for_token(token),
            "reminder": False,
            "days": program.feedback_link_days,
        }
        assert (message.subject, message.body) == render_email("feedback", context, s.respondent.language)
        # The HTML part, made from the outline's, is the one made from the whole body.
        ((html, _),), brand = message.alternatives, brand_by_id(brand_id_for(program=program))
        language = s.respondent.language
        assert html == html_version(subject=message.subject, body=message.body, language=language, brand=brand)
    bodies = rendered.count("emails/feedback-body.txt")
    # Once whole and once as an outline per kind (language, and which first names are blank: 8).
    assert bodies <= 16, bodies
    # The HTML likewise, but whole for each email with a link in a name (the kind's first is
    # made both ways).
    linked = sum("https://evil" in m.body for m in mail.outbox)
    assert linked and made_whole <= 2 * 8 + linked, made_whole  # 8 kinds, as above
