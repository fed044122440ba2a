"""The core's services write their emails to the outbox in the caller's transaction: nothing is
sent by the service itself, and what a rolled-back transaction queued is gone with it."""

import pytest
from django.db import transaction

from conftest import make_member
from mentoring import services
from mentoring.models import CommitteeMembership
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

Status = OutgoingEmail.Status


def test_queuing_sends_nothing_by_itself(world, mailoutbox):
    program, people = world["program"], world["people"]
    services.add_committee_member(program=program, user=people["member"], role="member", by=people["chair"])

    assert OutgoingEmail.objects.filter(to="member@example.org", status=Status.PENDING).count() == 1
    assert mailoutbox == []
    assert send_pending_emails() == 1
    assert mailoutbox[0].to == ["member@example.org"]


def test_a_transaction_that_rolls_back_queues_nothing(world, mailoutbox):
    program, people = world["program"], world["people"]
    newcomer = make_member("newcomer@example.org", world["associations"]["northport"])

    with pytest.raises(RuntimeError), transaction.atomic():
        services.add_committee_member(program=program, user=newcomer, role="member", by=people["chair"])
        services.appoint_chair(program=program, user=newcomer, by=people["staff"])
        assert OutgoingEmail.objects.count() == 2
        raise RuntimeError("something later in the request failed")

    assert not OutgoingEmail.objects.exists()
    assert not CommitteeMembership.objects.filter(user=newcomer).exists()
    assert send_pending_emails() == 0
    assert mailoutbox == []


def test_a_failed_submission_queues_nothing(world, mailoutbox):
    member = world["people"]["member"]
    application = services.start_application(program=world["program"], user=member, role="mentee")

    with pytest.raises(RuntimeError), transaction.atomic():
        services.submit_application(application=application, answers={"goals": "x"}, extra_answers={})
        raise RuntimeError

    application.refresh_from_db()
    assert application.status == "draft"
    assert not OutgoingEmail.objects.exists()
