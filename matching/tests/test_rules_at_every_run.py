"""The program's rules hold at every matching run, as things stand today, not only as they stood
when people applied: a lapsed membership, a move to another local association, a pair dissolved
in another program, an employer spelled another way, a pair the chair rejected. Everyone left out
of a run is listed with the reason in words."""

import datetime

import pytest
from django.urls import reverse

from conftest import applicant
from matching import services
from matching.models import MatchRun, Proposal

pytestmark = pytest.mark.django_db


def run_for(program, chair):
    run = services.start_run(program=program, by=chair)
    assert run.status == MatchRun.Status.DONE, run.error
    return run


def pairs(run):
    return {(p.mentee_application_id, p.mentor_application_id) for p in Proposal.objects.filter(run=run)}


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


def test_a_member_whose_membership_lapsed_after_applying_is_left_out_with_the_reason(program, chair):
    mentee = applicant(program, "lapsing.mentee@example.org", "mentee")
    mentor = applicant(program, "steady.mentor@example.org", "mentor", years=20)
    profile = mentee.user.profile
    profile.membership_status, profile.renewal_date = "lapsed", datetime.date(2026, 10, 12)
    profile.save()

    run = run_for(program, chair)

    assert pairs(run) == set()
    assert run.left_out == [{"application": mentee.pk, "text": "membership lapsed on 12 October 2026"}]
    assert mentor.pk not in {u["application"] for u in run.left_out}


def test_members_who_moved_to_another_association_are_not_paired_in_the_old_ones_program(world, program, chair):
    """Both moved to Easton (a membership-list import): Northport's new-member program must not
    pair them with each other, though they now share an association."""
    easton = world["associations"]["easton"]
    mentee = applicant(program, "moved.mentee@example.org", "mentee")
    mentor = applicant(program, "moved.mentor@example.org", "mentor", years=20)
    for application in (mentee, mentor):
        application.user.profile.association = easton
        application.user.profile.save()

    run = run_for(program, chair)

    assert pairs(run) == set()
    assert sorted(u["text"] for u in run.left_out) == ["now a member of Easton, not of Northport"] * 2


def test_the_queue_lists_who_was_left_out_and_why(client, program, chair):
    mentee = applicant(program, "lapsing.mentee@example.org", "mentee")
    mentee.user.profile.membership_status = "lapsed"
    mentee.user.profile.save()
    run_for(program, chair)
    client.force_login(chair)
    page = client.get(reverse("matching:queue", args=[program.pk])).content.decode()
    assert "Left out of the last run" in page and "membership lapsed" in page and str(mentee.user) in page


def test_a_hand_made_pair_with_a_member_left_out_is_refused_with_the_reason(program, chair):
    mentee = applicant(program, "lapsing.mentee@example.org", "mentee")
    mentor = applicant(program, "steady.mentor@example.org", "mentor", years=20)
    mentee.user.profile.membership_status = "lapsed"
    mentee.user.profile.save()
    with pytest.raises(Exception, match="can't be matched now: membership lapsed"):
        services.replace_with_manual(program=program, mentee_app=mentee, mentor_app=mentor, by=chair, confirmed=True)
