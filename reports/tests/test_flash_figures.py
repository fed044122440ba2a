"""Flash conversations in the reports (flash/): those held, and their hours, per program and local
association."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from conftest import applicant
from flash import services
from flash.models import FlashFeedback
from reports import figures as reports

pytestmark = pytest.mark.django_db

QUESTION = "How do I prepare for my first claims review?"


def offer(program, mentor, days):
    starts = timezone.now() + timedelta(days=days)
    return services.offer_slot(program=program, mentor=mentor, starts_at=starts, mode="video")


@pytest.fixture
def mentor(world):
    program = world["program"]
    program.offers_flash = True
    program.save(update_fields=["offers_flash"])
    return applicant(program, "flash.mentor@example.org", "mentor", years=20).user


@pytest.fixture
def booked(world, mentor):
    slot = offer(world["program"], mentor, 3)
    return services.book_slot(slot=slot, member=world["people"]["member"], question=QUESTION)


def test_the_reports_count_conversations_held_and_their_hours(client, world, mentor, booked):
    not_held = services.book_slot(
        slot=offer(world["program"], mentor, 4), member=world["people"]["officer"], question="Another question"
    )
    with time_machine.travel(not_held.ends_at + timedelta(minutes=1)):
        services.ask_for_feedback()
        reports.take_snapshot()  # nothing said yet; what follows reaches the next one by the triggers
        for answer in FlashFeedback.objects.filter(slot=booked):
            services.submit_feedback(feedback=answer, held=answer.role == "member", useful=4)
        for answer in FlashFeedback.objects.filter(slot=not_held):
            services.submit_feedback(feedback=answer, held=False, useful=None)
        reports.take_snapshot()
        program = booked.program
        client.force_login(world["people"]["chair"])
        export = client.get(reverse("committee:report", args=[program.pk]) + "?export=programs").content.decode()
        header, row = export.splitlines()[:2]
        columns = dict(zip(header.split(","), row.split(","), strict=False))
        assert (columns["Flash conversations held"], columns["Flash conversation hours"]) == ("1", "1")
        client.force_login(world["people"]["officer"])
        page = client.get(reverse("association_report", args=[program.association_id])).content.decode()
        assert "Flash conversations held" in page
