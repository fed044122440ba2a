"""Feedback emails against a real SMTP server on loopback (outbox/tests/smtp.py): a connection
cut once the message was handed over leaves the ask in doubt, sent again once with the one
in-doubt note, and failed (never a third copy) if it is in doubt twice."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from feedback import services
from feedback.models import Solicitation
from outbox.emails import IN_DOUBT_NOTE, in_doubt_note

from .factories import many_due_partnerships

pytestmark = pytest.mark.django_db


def next_run():
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        return services.send_solicitations()


def test_an_ask_cut_off_after_its_message_went_is_sent_again_once_saying_so(world, smtp_server):
    (partnership,) = many_due_partnerships(world["program"], 1, "cut")
    services.create_due_solicitations()
    smtp_server.cut = "after data"

    assert services.send_solicitations() == 1  # the other partner's went over a new connection

    mentee = partnership.mentee.email
    cut_off = Solicitation.objects.get(respondent=partnership.mentee)
    assert (cut_off.status, cut_off.in_doubt, cut_off.attempts) == (Solicitation.Status.PENDING, True, 1)
    assert next_run() == 1
    first, again = smtp_server.received[mentee]
    assert not first.startswith(IN_DOUBT_NOTE.split("\n")[0]) and again.startswith(IN_DOUBT_NOTE.split("\n")[0])
    assert len(smtp_server.received[partnership.mentor.email]) == 1
    assert set(Solicitation.objects.values_list("status", "in_doubt")) == {(Solicitation.Status.SENT, False)}
    assert next_run() == 0


@pytest.mark.french
def test_an_ask_sent_again_to_a_french_member_says_so_in_french(world, smtp_server):
    (partnership,) = many_due_partnerships(world["program"], 1, "cut-fr")
    mentee = partnership.mentee
    mentee.language = "fr"
    mentee.save(update_fields=["language"])
    services.create_due_solicitations()
    smtp_server.cut = "after data"
    services.send_solicitations()
    assert next_run() == 1
    _, again = smtp_server.received[mentee.email]
    note = in_doubt_note("fr").split("\n")[0]
    assert note != IN_DOUBT_NOTE.split("\n")[0] and again.startswith(note)


def test_an_ask_in_doubt_twice_is_failed_never_a_third_copy(world, smtp_server):
    (partnership,) = many_due_partnerships(world["program"], 1, "twice")
    Solicitation.objects.create(
        partnership=partnership, round=1, respondent=partnership.mentee, role="mentee", due_on=timezone.localdate()
    )
    smtp_server.cut = "after data"
    services.send_solicitations()
    smtp_server.cut = "after data"

    assert next_run() == 0

    row = Solicitation.objects.get()
    assert (row.status, row.in_doubt) == (Solicitation.Status.FAILED, True)
    assert "twice" in row.last_error
    assert next_run() == 0
    assert len(smtp_server.received[partnership.mentee.email]) == 2


def test_a_reminder_cut_off_after_its_message_went_is_sent_again_once_saying_so(world, smtp_server):
    (partnership,) = many_due_partnerships(world["program"], 1, "remind")
    sent_at = timezone.now() - timedelta(days=world["program"].reminder_after_days + 1)
    Solicitation.objects.create(
        partnership=partnership,
        round=1,
        respondent=partnership.mentee,
        role="mentee",
        due_on=sent_at.date(),
        status=Solicitation.Status.SENT,
        sent_at=sent_at,
    )
    smtp_server.cut = "after data"

    assert services.send_reminders() == 0

    row = Solicitation.objects.get()
    assert (row.reminders_sent, row.in_doubt, row.reminder_claimed_at) == (0, True, None)
    assert services.send_reminders() == 1
    first, again = smtp_server.received[partnership.mentee.email]
    assert again.startswith(IN_DOUBT_NOTE.split("\n")[0]) and not first.startswith(IN_DOUBT_NOTE.split("\n")[0])
    row.refresh_from_db()
    assert (row.reminders_sent, row.in_doubt) == (1, False)


def test_an_ask_left_in_hand_by_a_dead_worker_twice_is_failed_never_a_third_copy(world):
    """The same rule when the worker dies with it in hand: sent again once, saying so; left in
    hand a second time, failed for the committee to see."""
    (partnership,) = many_due_partnerships(world["program"], 1, "dead")
    long_ago = timezone.now() - services.STUCK_AFTER - timedelta(minutes=1)
    ask = Solicitation.objects.create(
        partnership=partnership,
        round=1,
        respondent=partnership.mentee,
        role="mentee",
        due_on=timezone.localdate(),
        status=Solicitation.Status.SENDING,
        claimed_at=long_ago,
    )
    services.requeue_in_doubt()
    ask.refresh_from_db()
    assert (ask.status, ask.in_doubt) == (Solicitation.Status.PENDING, True)

    Solicitation.objects.filter(pk=ask.pk).update(status=Solicitation.Status.SENDING, claimed_at=long_ago)
    services.requeue_in_doubt()

    ask.refresh_from_db()
    assert (ask.status, ask.in_doubt, ask.claimed_at) == (Solicitation.Status.FAILED, True, None)
    assert ask.refusals and "twice" in ask.last_error
