"""The pages every person opens cost a fixed, small number of queries: the navigation's roles
are read once per request, in one query, however many seats and offices a person holds."""

import pytest
from django.urls import reverse

from mentoring.models import AssociationOfficer, CommitteeMembership, LocalAssociation
from mentoring.services import create_program

pytestmark = pytest.mark.django_db


def home_queries(client, user, django_assert_max_num_queries, ceiling):
    client.force_login(user)
    with django_assert_max_num_queries(ceiling) as counted:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(counted.captured_queries), response.content.decode()


def test_a_members_home_page_takes_at_most_nine_queries(client, world, django_assert_max_num_queries):
    """Nine: the session, the user, the profile, the roles, the mentor's asks, the feedback
    waiting, the meetings and the agreement waiting (issue 25 put them on the home page), the
    applications."""
    home_queries(client, world["people"]["member"], django_assert_max_num_queries, 9)


def test_more_seats_and_offices_add_no_query_to_the_home_page(client, world, django_assert_max_num_queries):
    user = world["people"]["officer"]
    before, _ = home_queries(client, user, django_assert_max_num_queries, 11)
    region = world["regions"]["north"]
    for i in range(5):
        association = LocalAssociation.objects.create(name=f"Extra {i}", region=region, city="Extra")
        program = create_program(name=f"Extra program {i}", kind="new_member", association=association)
        CommitteeMembership.objects.create(program=program, user=user, role=CommitteeMembership.Role.MEMBER)
    AssociationOfficer.objects.create(
        association=world["associations"]["northport"], user=user, role=AssociationOfficer.Role.MEMBERSHIP
    )
    after, body = home_queries(client, user, django_assert_max_num_queries, before)
    assert after == before
    # The navigation and the page still name every committee and office.
    for i in range(5):
        assert body.count(f"Extra program {i}") >= 2  # the menu and the "My committees" card
    assert "Membership officer" in body and "President" in body
