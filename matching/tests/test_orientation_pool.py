"""The matching pool and queue when a program requires its orientation before matching: members
with required items left are left out, and the queue says who and why."""

import pytest
from django.urls import reverse

from conftest import applicant
from matching.services import build_pool
from mentoring.services import held_back_words
from recruitment import orientation
from recruitment.tests.factories import Required, item, require


@pytest.fixture
def gated(program):
    """Two required items for mentors (one of them for mentees too), required before matching."""
    require(program, Required.BEFORE_MATCHING)
    return {
        "page": item(program, "Guidelines"),
        "pledge": item(program, "Confidentiality", kind="acknowledgement", audience="both"),
        "mentees": item(program, "For mentees", audience="mentee"),
    }


@pytest.fixture
def chair_client(client, world):
    client.force_login(world["people"]["chair"])
    return client


def test_the_matching_pool_leaves_out_members_with_required_items_left(program, gated):
    mentee = applicant(program, "men.tee@example.org", "mentee")
    mentor = applicant(program, "men.tor@example.org", "mentor", years=20)
    ready = applicant(program, "rea.dy@example.org", "mentor", years=20)
    for key in ("page", "pledge"):
        orientation.complete_item(item=gated[key], user=ready.user)
    orientation.complete_item(item=gated["pledge"], user=mentee.user)
    pool = build_pool(program)
    assert [m.id for m in pool.mentors] == [ready.pk]
    assert pool.mentees == []
    assert {pk: held_back_words(why) for pk, why in pool.left_out.items()} == {
        mentee.pk: "waiting for the orientation: 1 of 2 required items done",
        mentor.pk: "waiting for the orientation: 0 of 2 required items done",
    }


def test_before_vetting_does_not_hold_back_matching(program, gated):
    require(program, Required.BEFORE_VETTING)
    mentee = applicant(program, "men.tee@example.org", "mentee")
    assert mentee.pk not in build_pool(program).left_out


def test_the_matching_queue_says_who_waits_for_the_orientation(chair_client, program, gated):
    mentee = applicant(program, "men.tee@example.org", "mentee")
    text = chair_client.get(reverse("committee:matching", args=[program.pk])).content.decode()
    assert "Waiting for the orientation (1)" in text
    assert f"<strong>{mentee.user}</strong> (mentee) · 0 of 2 required items done" in text


def test_the_matching_queue_has_a_fixed_number_of_queries(chair_client, program, gated, django_assert_max_num_queries):
    url = reverse("committee:matching", args=[program.pk])
    applicant(program, "men.tee@example.org", "mentee")
    chair_client.get(url)
    with django_assert_max_num_queries(40) as first:
        chair_client.get(url)
    for n in range(10):
        applicant(program, f"more.{n}@example.org", "mentee")
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert "Waiting for the orientation (11)" in chair_client.get(url).content.decode()
