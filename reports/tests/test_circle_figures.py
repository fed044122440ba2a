"""Mentoring circles in the reports (circles/), apart from pairs: the circles meeting and their
members now, and the circle meetings held, per program and local association."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from circles import services
from conftest import applicant
from reports import figures as reports
from reports.models import ReportChange

pytestmark = pytest.mark.django_db


def exported(client, program):
    export = client.get(reverse("committee:report", args=[program.pk]) + "?export=programs").content.decode()
    header, row = export.splitlines()[:2]
    return dict(zip(header.split(","), row.split(","), strict=False))


@pytest.fixture
def circle(world):
    program, chair = world["program"], world["people"]["chair"]
    program.offers_circles = True
    program.save(update_fields=["offers_circles"])
    circle = services.create_circle(program=program, by=chair, name="New in claims")
    mentor = applicant(program, "circle.mentor@example.org", "mentor", years=20, employer="Mentor Firm").user
    services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    for n in range(3):
        mentee = applicant(program, f"circle.mentee{n}@example.org", "mentee", employer=f"Firm {n}").user
        services.add_member(circle=circle, user=mentee, role="mentee", by=chair)
    return circle


def test_the_reports_count_circles_their_members_and_meetings_held(client, world, circle):
    program, chair = circle.program, world["people"]["chair"]
    mentor = circle.members.get(role="mentor").user
    reports.take_snapshot()
    client.force_login(chair)
    forming = exported(client, program)
    assert (forming["Today: Circles meeting"], forming["Today: Members in circles"]) == ("0", "0")  # still forming
    first = services.schedule_meeting(
        circle=circle, by=mentor, starts_at=timezone.now() + timedelta(days=2), minutes=60, mode="video"
    )
    later = services.schedule_meeting(
        circle=circle, by=mentor, starts_at=timezone.now() + timedelta(days=9), minutes=60, mode="video"
    )
    cancelled = services.schedule_meeting(
        circle=circle, by=mentor, starts_at=timezone.now() + timedelta(days=3), minutes=60, mode="video"
    )
    services.cancel_meeting(meeting=cancelled, by=mentor)
    with time_machine.travel(first.ends_at + timedelta(days=2)):
        reports.take_snapshot()
        services.ask_for_feedback()  # the members are asked: a change the next snapshot sees
        reports.take_snapshot()
        columns = exported(client, program)
        assert (columns["Today: Circles meeting"], columns["Today: Members in circles"]) == ("1", "4")
        assert columns["Circle meetings held"] == "1"  # not the one to come, nor the cancelled one
        client.force_login(world["people"]["officer"])  # the association's report: the mentor's association
        page = client.get(reverse("association_report", args=[program.association_id])).content.decode()
        assert "Circles meeting" in page and "Circle meetings held" in page
    assert later.status == "scheduled"


def test_a_change_to_a_circle_reaches_the_next_snapshot_by_the_triggers(client, world, circle):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no triggers here: every snapshot recounts everything")
    program, chair = circle.program, world["people"]["chair"]
    mentor = circle.members.get(role="mentor").user
    services.schedule_meeting(
        circle=circle, by=mentor, starts_at=timezone.now() + timedelta(days=2), minutes=60, mode="video"
    )
    reports.take_snapshot()
    ReportChange.objects.all().delete()
    mentee = circle.members.filter(role="mentee").first()
    services.remove_member(circle=circle, member_id=mentee.pk, by=chair)
    assert ReportChange.objects.filter(program_id=program.pk).exists()
    reports.take_snapshot()
    client.force_login(chair)
    assert exported(client, program)["Today: Members in circles"] == "3"
    services.end_circle(circle=circle, by=chair)
    reports.take_snapshot()
    columns = exported(client, program)
    assert (columns["Today: Circles meeting"], columns["Today: Members in circles"]) == ("0", "0")
