"""A partner whose address bounced: feedback's own sending holds their asks and reminders (never
tried again), the partner's still go, and the committee of that program sees "emails to Ana Lee
bounced" in its attention queue and on the partnership's record instead of waiting for an answer
that will not come."""

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import partnership_for, read
from feedback import services
from feedback.models import MAX_SEND_ATTEMPTS, Solicitation
from outbox.models import Suppression
from outbox.suppression import lift, suppress

pytestmark = pytest.mark.django_db

BOUNCED_ON = datetime(2026, 11, 30, 15, tzinfo=timezone.get_current_timezone())


def bounce(address, reason=Suppression.Reason.BOUNCED):
    return suppress(address=address, reason=reason, occurred_at=BOUNCED_ON, provider="Postmark", event_id=address)


def first_round_due(partnership):
    program = partnership.program
    services.create_due_solicitations(today=partnership.started_on + timedelta(days=program.feedback_first_after_days))


def test_an_ask_to_a_bounced_address_is_held_and_the_partners_goes(world):
    partnership = partnership_for(world["program"], world["people"]["chair"])
    bounce(partnership.mentee.email.upper())
    first_round_due(partnership)
    mail.outbox = []

    assert services.send_solicitations() == 1

    assert [m.to for m in mail.outbox] == [[partnership.mentor.email]]
    held = Solicitation.objects.get(partnership=partnership, role="mentee")
    assert held.status == Solicitation.Status.FAILED
    assert held.last_error == "Not sent: this address bounced on 30 November 2026."
    assert mail.outbox[0].metadata == {"email": f"feedback-{Solicitation.objects.get(role='mentor').pk}"}
    # Never tried again by itself; once the address is fixed, the committee sends it again.
    assert services.send_solicitations() == 0
    assert len(mail.outbox) == 1
    lift(addresses=[partnership.mentee.email])
    services.send_again(solicitation=held, by=world["people"]["chair"])
    assert services.send_solicitations() == 1
    assert mail.outbox[-1].to == [partnership.mentee.email]


def test_a_reminder_to_a_bounced_address_is_held(world):
    partnership = partnership_for(world["program"], world["people"]["chair"])
    first_round_due(partnership)
    services.send_solicitations()
    bounce(partnership.mentor.email)
    mail.outbox = []

    later = timezone.now() + timedelta(days=partnership.program.reminder_after_days + 1)
    assert services.send_reminders(now=later) == 1

    assert [m.to for m in mail.outbox] == [[partnership.mentee.email]]
    held = Solicitation.objects.get(partnership=partnership, role="mentor")
    assert (held.reminders_sent, held.reminder_failures) == (0, MAX_SEND_ATTEMPTS)
    assert held.last_error.startswith("Not sent: this address bounced")
    services.send_reminders(now=later + timedelta(days=30))  # never tried again
    assert all(m.to != [partnership.mentor.email] for m in mail.outbox)


def test_the_committee_sees_whose_emails_bounced_in_the_queue_and_the_record(client, world):
    program, chair = world["program"], world["people"]["chair"]
    partnership = partnership_for(program, chair)
    partnership_for(program, chair, "b")  # a partnership whose partners' emails arrive
    bounce(partnership.mentee.email)
    bounce(partnership.mentor.email, Suppression.Reason.COMPLAINED)
    mentee, mentor = partnership.mentee.get_full_name(), partnership.mentor.get_full_name()

    attention = {a.partnership.pk: a.reasons for a in services.partnerships_needing_attention(program)}

    assert attention[partnership.pk][:2] == (
        f"Emails to {mentee} bounced on November 30, 2026: nothing is sent to them until they check their address",
        f"{mentor} marked our emails as spam on November 30, 2026: nothing is sent to them until they "
        "confirm their address",
    )
    assert not any("bounced" in r or "spam" in r for pk, rs in attention.items() if pk != partnership.pk for r in rs)
    client.force_login(chair)
    page = read(client.get(reverse("committee:partnerships", args=[program.pk])))
    assert f"Emails to {mentee} bounced on November 30, 2026" in page
    record = read(client.get(reverse("committee:partnership", args=[program.pk, partnership.pk])))
    assert f"Emails to {mentee} bounced on November 30, 2026" in record
    assert f"{mentor} marked our emails as spam on November 30, 2026" in record


def test_another_programs_chair_sees_nothing_of_it(client, world):
    program, chair = world["program"], world["people"]["chair"]
    partnership = partnership_for(program, chair)
    bounce(partnership.mentee.email)

    client.force_login(world["people"]["other_chair"])
    response = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk]))

    assert response.status_code == 404
    assert "bounced" not in read(response)


def test_the_queue_and_record_stay_constant_query_with_bounces(client, world, django_assert_max_num_queries):
    program, chair = world["program"], world["people"]["chair"]
    first, second = partnership_for(program, chair), partnership_for(program, chair, "b")
    bounce(second.mentee.email)
    client.force_login(chair)
    url = reverse("committee:partnerships", args=[program.pk])
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for tag in "cde":
        bounce(partnership_for(program, chair, tag).mentee.email)
    bounce(first.mentor.email)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert "bounced on" in read(client.get(url))
