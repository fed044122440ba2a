"""Ties are decided fairly and the same way whatever the order of the rows: of mentees who score
the same with the one mentor left, the earliest application gets the place."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import applicant
from matching import services
from matching.models import Proposal
from mentoring.models import Application

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("later_first", [True, False])
def test_a_tie_goes_to_who_has_waited_longest_whatever_the_order_of_the_rows(program, world, later_first):
    chair = world["people"]["chair"]
    emails = ["later@example.org", "earlier@example.org"]
    if not later_first:
        emails.reverse()
    apps = {e: applicant(program, e, "mentee", employer=f"Firm {e}") for e in emails}
    Application.objects.filter(pk=apps["earlier@example.org"].pk).update(
        submitted_at=timezone.now() - timedelta(days=30)
    )
    Application.objects.filter(pk=apps["later@example.org"].pk).update(submitted_at=timezone.now() - timedelta(days=2))
    applicant(program, "only.mentor@example.org", "mentor", years=20, employer="Mentor Co")
    run = services.start_run(program=program, by=chair)
    (proposal,) = Proposal.objects.filter(run=run)
    assert proposal.mentee_application == apps["earlier@example.org"]


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_of_three_equal_mentees_the_earliest_application_gets_the_one_place(program, world, order):
    chair = world["people"]["chair"]
    days = [40, 20, 5]  # how long ago each applied
    apps = {}
    for i in order:
        apps[i] = applicant(program, f"m{i}@example.org", "mentee", employer=f"Firm {i}")
        Application.objects.filter(pk=apps[i].pk).update(submitted_at=timezone.now() - timedelta(days=days[i]))
    applicant(program, "only.mentor@example.org", "mentor", years=20, employer="Mentor Co")
    run = services.start_run(program=program, by=chair)
    (proposal,) = Proposal.objects.filter(run=run)
    assert proposal.mentee_application == apps[0]
