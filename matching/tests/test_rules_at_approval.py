"""The run-time rules hold again when a pair is approved and when the mentor accepts, not only
when a run proposed it (issue 23, section 1): membership, association or region, account,
the orientation where the program requires it before matching."""

import pytest
from django.core.exceptions import ValidationError

from conftest import applicant, propose
from matching import services
from mentoring.models import Partnership
from mentoring.services import create_program
from recruitment.tests.factories import Required, item, require

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


@pytest.fixture
def leadership(world):
    return create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])


@pytest.fixture
def asked(world, leadership, chair):
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    mentee = applicant(leadership, "nico@example.org", "mentee", association=northport, employer="Firm N")
    mentor = applicant(leadership, "cody@example.org", "mentor", years=20, association=easton, employer="Firm C")
    proposal = propose(mentee, mentor)
    services.approve(proposal=proposal, by=chair)
    return proposal, mentee, mentor


def test_a_pinned_hand_made_pair_is_not_approved_after_the_mentees_membership_lapsed(program, chair):
    mentee = applicant(program, "nico@example.org", "mentee", employer="Firm N")
    mentor = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    proposal = services.replace_with_manual(program=program, mentee_app=mentee, mentor_app=mentor, by=chair)
    mentee.user.profile.membership_status = "lapsed"
    mentee.user.profile.save()

    with pytest.raises(ValidationError, match="can't be matched now: membership lapsed"):
        services.approve(proposal=proposal, by=chair)
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and not Partnership.objects.exists()


def test_a_proposal_is_not_approved_after_the_mentor_moved_away(world, program, chair):
    mentee = applicant(program, "nico@example.org", "mentee", employer="Firm N")
    mentor = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    proposal = propose(mentee, mentor)
    mentor.user.profile.association = world["associations"]["easton"]
    mentor.user.profile.save()

    with pytest.raises(ValidationError, match="now a member of Easton, not of Northport"):
        services.approve(proposal=proposal, by=chair)
    assert not Partnership.objects.exists()


def test_the_mentors_yes_starts_nothing_after_the_mentee_moved_region(world, asked):
    proposal, mentee, mentor = asked
    south = next(a for a in world["associations"].values() if a.region_id != mentee.user.profile.association.region_id)
    mentee.user.profile.association = south
    mentee.user.profile.save()

    with pytest.raises(ValidationError, match="can't be matched now: now a member of"):
        services.mentor_answers(proposal=proposal, accept=True)
    proposal.refresh_from_db()
    assert proposal.status == "cant_go_ahead" and not Partnership.objects.exists()


def test_a_yes_that_cannot_start_closes_the_pair_frees_the_place_and_the_chair_reads_why(
    client, world, asked, chair, leadership
):
    """Before, the pair stayed 'waiting for the mentor' for good: the mentor's place held, the
    mentee out of every run, and nothing on the chair's queue said so."""
    proposal, mentee, mentor = asked
    mentee.user.profile.membership_status = "lapsed"
    mentee.user.profile.save()

    with pytest.raises(ValidationError):
        services.mentor_answers(proposal=proposal, accept=True)

    proposal.refresh_from_db()
    assert proposal.status == "cant_go_ahead"
    assert f"{mentor.user} said yes" in proposal.closed_text and "membership lapsed" in proposal.closed_text
    assert services._places_held(mentor) == 0  # the mentor's place is free again
    assert list(proposal.events.values_list("kind", flat=True)) == ["approved", "mentor_accepted"]
    # The answer page, opened again, says it was answered; a second yes changes nothing.
    with pytest.raises(ValidationError, match="answered already"):
        services.mentor_answers(proposal=proposal, accept=True)
    # The next run: the mentee, back in good standing, comes first.
    mentee.user.profile.membership_status = "active"
    mentee.user.profile.save()
    pool = services.build_pool(leadership)
    assert next(m for m in pool.mentees if m.id == mentee.pk).priority


def test_the_mentors_yes_starts_nothing_after_the_mentee_closed_the_account(asked):
    proposal, mentee, mentor = asked
    mentee.user.is_active = False
    mentee.user.save()

    with pytest.raises(ValidationError, match="can't be matched now: their account is closed"):
        services.mentor_answers(proposal=proposal, accept=True)
    assert not Partnership.objects.exists()


def test_a_decline_is_still_taken_whatever_changed(asked):
    proposal, mentee, mentor = asked
    mentee.user.is_active = False
    mentee.user.save()
    services.mentor_answers(proposal=proposal, accept=False)
    proposal.refresh_from_db()
    assert proposal.status == "mentor_declined"


def test_a_proposal_is_not_approved_while_the_orientation_now_required_is_not_done(program, chair):
    mentee = applicant(program, "nico@example.org", "mentee", employer="Firm N")
    mentor = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    proposal = propose(mentee, mentor)
    require(program, Required.BEFORE_MATCHING)
    item(program, "Guidelines", audience="both")

    with pytest.raises(ValidationError, match="can't be matched now: waiting for the orientation: 0 of 1"):
        services.approve(proposal=proposal, by=chair)
    assert not Partnership.objects.exists()


def test_the_mentor_is_not_told_what_changed_for_the_mentee(client, asked):
    """The mentee's situation (a lapsed membership, a move) is not the mentor's to read: the
    answer page says only that the match can't go ahead."""
    proposal, mentee, mentor = asked
    mentee.user.profile.membership_status = "lapsed"
    mentee.user.profile.save()

    response = client.post(services.mentor_answer_url(proposal), {"answer": "accept", "note": ""})

    text = response.content.decode()
    assert response.status_code == 200
    assert "can’t go ahead" in text and "Nothing more is needed from you" in text
    assert "lapsed" not in text and "membership" not in text.lower()
    assert not Partnership.objects.exists()
