"""The matching queue's "approved, waiting for the mentor" says when the mentor's address
bounced: the ask will not reach them, and the committee reaches them another way."""

from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import applicant, propose, read
from matching import services
from mentoring.models import CommitteeMembership
from mentoring.services import create_program
from outbox.suppression import suppress

pytestmark = pytest.mark.django_db


def test_the_queue_says_the_mentors_address_bounced_while_it_waits(client, world, django_assert_max_num_queries):
    chair = world["people"]["chair"]
    leadership = create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])
    CommitteeMembership.objects.create(
        program=leadership,
        user=chair,
        role="chair",
        pledge_accepted_at=timezone.now(),
        pledge_version=leadership.pledge_version,
    )
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    pairs = []
    for n in range(2):
        mentee = applicant(leadership, f"nico{n}@example.org", "mentee", association=northport, employer=f"N{n}")
        mentor = applicant(leadership, f"cody{n}@example.org", "mentor", years=20, association=easton, employer=f"C{n}")
        services.approve(proposal=propose(mentee, mentor), by=chair)
        pairs.append(mentor)
    url = reverse("committee:matching", args=[leadership.pk])
    client.force_login(chair)
    with django_assert_max_num_queries(60) as before:
        assert "bounced" not in read(client.get(url))

    on = datetime(2026, 11, 30, 15, tzinfo=timezone.get_current_timezone())
    suppress(address="Cody0@example.org", reason="bounced", occurred_at=on, provider="Postmark", event_id="1")
    with django_assert_max_num_queries(len(before.captured_queries)):
        page = read(client.get(url))

    mentor = pairs[0].user
    assert f"emails to {mentor} bounced on November 30, 2026: the ask will not reach them" in page
    assert page.count("bounced on") == 1  # the other mentor's emails arrive
