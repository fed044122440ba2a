"""Where the mentor accepts first, a mentor's "no" is remembered (issue 23, section 1): a pair the
mentor declined is not proposed again, like a pair the committee rejected; a pair the mentor let
expire is not proposed at the next run. The warnings on a hand-made pair say why."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import applicant
from matching import services
from matching.models import MatchRun, Proposal
from mentoring.services import create_program

pytestmark = pytest.mark.django_db


@pytest.fixture
def leadership(world):
    return create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


@pytest.fixture
def pair(world, leadership):
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    mentee = applicant(leadership, "nico@example.org", "mentee", association=northport, employer="Firm N")
    mentor = applicant(leadership, "cody@example.org", "mentor", years=20, association=easton, employer="Firm C")
    return mentee, mentor


def run_for(program, chair):
    run = services.start_run(program=program, by=chair)
    assert run.status == MatchRun.Status.DONE, run.error
    return run


def pairs(run):
    return {(p.mentee_application_id, p.mentor_application_id) for p in Proposal.objects.filter(run=run)}


def asked(program, chair, mentee, mentor):
    proposal = Proposal.objects.get(run=run_for(program, chair), mentee_application=mentee)
    assert proposal.mentor_application == mentor
    services.approve(proposal=proposal, by=chair)
    return proposal


def test_a_pair_the_mentor_declined_is_not_proposed_again(leadership, chair, pair):
    mentee, mentor = pair
    proposal = asked(leadership, chair, mentee, mentor)
    services.mentor_answers(proposal=proposal, accept=False, note="Not this year")

    assert pairs(run_for(leadership, chair)) == set()
    assert pairs(run_for(leadership, chair)) == set()  # and not at the run after either
    warnings = services.manual_pair_warnings(program=leadership, mentee_app=mentee, mentor_app=mentor)[0]
    assert "The mentor declined this pair before." in warnings


def test_a_declined_mentee_is_first_in_line_with_another_mentor(world, leadership, chair, pair):
    mentee, mentor = pair
    proposal = asked(leadership, chair, mentee, mentor)
    services.mentor_answers(proposal=proposal, accept=False)
    other = applicant(
        leadership, "mira@example.org", "mentor", years=20, association=world["associations"]["easton"], employer="F"
    )
    again = Proposal.objects.get(run=run_for(leadership, chair))
    assert (again.mentee_application, again.mentor_application, again.priority) == (mentee, other, True)


def test_a_pair_the_mentor_let_expire_is_not_proposed_at_the_next_run(leadership, chair, pair):
    mentee, mentor = pair
    proposal = asked(leadership, chair, mentee, mentor)
    Proposal.objects.filter(pk=proposal.pk).update(asked_mentor_at=timezone.now() - timedelta(days=30))
    assert services.expire_mentor_asks() == 1

    warnings = services.manual_pair_warnings(program=leadership, mentee_app=mentee, mentor_app=mentor)[0]
    assert "The mentor did not answer in time when last asked about this pair." in warnings
    assert pairs(run_for(leadership, chair)) == set()
    # Silence is not a refusal: the run after may propose them again.
    assert pairs(run_for(leadership, chair)) == {(mentee.pk, mentor.pk)}


def test_a_pair_the_committee_rejected_stays_out(leadership, chair, pair):
    mentee, mentor = pair
    services.reject(proposal=Proposal.objects.get(run=run_for(leadership, chair)), by=chair, reason="No")
    assert pairs(run_for(leadership, chair)) == set()
    assert pairs(run_for(leadership, chair)) == set()
