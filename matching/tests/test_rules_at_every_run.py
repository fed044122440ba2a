"""The program's rules hold at every matching run, as things stand today, not only as they stood
when people applied: a lapsed membership, a move to another local association, a pair dissolved
in another program, an employer spelled another way, a pair the chair rejected. Everyone left out
of a run is listed with the reason in words."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts.models import User
from conftest import applicant
from matching import services
from matching.models import MatchRun, Proposal
from mentoring.models import Application
from mentoring.services import create_program, held_back_words, start_application, submit_application
from outbox.emails import send_pending_emails
from partnerships import life

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
    assert run.left_out == [{"application": mentee.pk, "why": {"key": "lapsed", "date": "2026-10-12"}}]
    assert held_back_words(run.left_out[0]["why"]) == "membership lapsed on 12 October 2026"
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
    assert sorted(held_back_words(u["why"]) for u in run.left_out) == ["now a member of Easton, not of Northport"] * 2


def test_the_queue_lists_who_was_left_out_and_why(client, program, chair):
    mentee = applicant(program, "lapsing.mentee@example.org", "mentee")
    mentee.user.profile.membership_status = "lapsed"
    mentee.user.profile.save()
    run_for(program, chair)
    client.force_login(chair)
    page = client.get(reverse("committee:matching", args=[program.pk])).content.decode()
    assert "Left out of the last run" in page and "membership lapsed" in page and str(mentee.user) in page


def test_a_hand_made_pair_with_a_member_left_out_is_refused_with_the_reason(program, chair):
    mentee = applicant(program, "lapsing.mentee@example.org", "mentee")
    mentor = applicant(program, "steady.mentor@example.org", "mentor", years=20)
    mentee.user.profile.membership_status = "lapsed"
    mentee.user.profile.save()
    with pytest.raises(Exception, match="can't be matched now: membership lapsed"):
        services.replace_with_manual(program=program, mentee_app=mentee, mentor_app=mentor, by=chair, confirmed=True)


def test_a_pair_dissolved_in_another_program_is_never_proposed_again(world, program, chair):
    """They were partners in an earlier cohort (another program of the association) and it was
    dissolved: this program's runs never propose them together."""
    earlier = create_program(name="Northport 2025", kind="new_member", association=program.association)
    mentee = applicant(earlier, "dana@example.org", "mentee", employer="Harbor Mutual")
    mentor = applicant(earlier, "oliver@example.org", "mentor", years=20, employer="Keystone")
    old = life.start(mentee_application=mentee, mentor_application=mentor, by=chair)
    life.dissolve(partnership=old, by=None, reason="fit")
    again = {}
    for application in (mentee, mentor):  # both apply to the new cohort
        fresh = start_application(program=program, user=application.user, role=application.role)
        again[application.role] = submit_application(
            application=fresh, answers={"goals": "Again", "years_experience": 1, "capacity": 1}, extra_answers={}
        )
    Application.objects.filter(pk=again["mentor"].pk).update(status="in_pool")

    run = run_for(program, chair)

    assert (again["mentee"].pk, again["mentor"].pk) not in pairs(run)
    assert run.unmatched and run.unmatched[0]["application"] == again["mentee"].pk


def test_a_rejected_pair_is_not_proposed_again_until_the_rejection_is_undone(client, program, chair):
    mentee = applicant(program, "nico@example.org", "mentee", employer="Firm N")
    mentor = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    first = Proposal.objects.get(run=run_for(program, chair))
    services.reject(proposal=first, by=chair, reason="They work together on a board")

    assert pairs(run_for(program, chair)) == set()  # the only pair is the rejected one

    client.force_login(chair)
    url = reverse("committee:proposal", args=[program.pk, first.pk])
    assert "Let later runs propose this pair again" in client.get(url).content.decode()
    refused = client.post(url, {"action": "undo", "note": ""}, follow=True)
    assert "This field is required." in refused.content.decode()
    client.post(url, {"action": "undo", "note": "The board term ended"})
    first.refresh_from_db()
    assert first.status == "undone" and first.events.last().text == "The board term ended"
    assert pairs(run_for(program, chair)) == {(mentee.pk, mentor.pk)}


def test_a_hand_made_pair_keeps_its_place_when_matching_runs_again(program, chair):
    mentees = [applicant(program, f"m{i}@example.org", "mentee", employer=f"Firm {i}") for i in range(2)]
    mentor = applicant(program, "only.mentor@example.org", "mentor", years=20, employer="Mentor Co")
    run_for(program, chair)
    hand = services.replace_with_manual(
        program=program, mentee_app=mentees[1], mentor_app=mentor, by=chair, confirmed=True
    )

    run = run_for(program, chair)

    hand.refresh_from_db()
    assert hand.status == "proposed"  # pinned: the new run did not supersede it
    assert pairs(run) == set()  # the mentor's only place is kept for the hand-made pair
    assert [u["application"] for u in run.unmatched] == [mentees[0].pk]


def test_two_approvals_for_a_mentors_last_place_give_the_real_reason(client, program, chair):
    nico = applicant(program, "nico@example.org", "mentee", employer="Firm N")
    other = applicant(program, "olga@example.org", "mentee", employer="Firm O")
    cody = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    run = run_for(program, chair)
    winner = Proposal.objects.get(run=run)
    loser_mentee = other if winner.mentee_application == nico else nico
    loser = services.replace_with_manual(
        program=program, mentee_app=loser_mentee, mentor_app=cody, by=chair, confirmed=True
    )
    services.approve(proposal=winner, by=chair)

    with pytest.raises(
        Exception, match=f"{cody.user}'s last place went to {winner.mentee_application.user} a moment ago"
    ):
        services.approve(proposal=loser, by=chair)
    client.force_login(chair)
    queue = client.get(reverse("committee:matching", args=[program.pk]))
    waiting = {application.pk: u["text"] for application, u, _ in queue.context["unmatched"]}
    assert waiting == {
        loser_mentee.pk: f"{cody.user}'s last place went to {winner.mentee_application.user} a moment ago."
    }


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Acme Insurance", "ACME Insurance Inc."),
        ("Acme Insurance", "Acme Insurance, LLC"),
        ("Müller & Söhne GmbH", "Muller and Sohne"),
        ("The Hartford", "Hartford"),
        ("Smith & Co", "Smith and Co."),
        ("AXA SA", "axa"),
    ],
)
def test_the_same_employer_spelled_two_ways_is_one_employer(one, other):
    from matching.engine import employer_key

    assert employer_key(one) == employer_key(other) != ""


def test_different_employers_stay_different():
    from matching.engine import employer_key

    assert employer_key("Acme Insurance") != employer_key("Acme Reinsurance")
    assert employer_key("") == ""


def test_colleagues_spelled_two_ways_are_kept_apart(program, chair):
    mentee = applicant(program, "a@example.org", "mentee", employer="Acme Insurance")
    applicant(program, "b@example.org", "mentor", years=20, employer="ACME Insurance Inc.")
    run = run_for(program, chair)
    assert pairs(run) == set() and run.unmatched[0]["application"] == mentee.pk


def test_staff_merge_two_spellings_the_rules_cannot_see(program, chair):
    from matching.models import EmployerSpelling

    applicant(program, "a@example.org", "mentee", employer="Hartford Financial")
    mentor = applicant(program, "b@example.org", "mentor", years=20, employer="The Hartford")
    assert len(pairs(run_for(program, chair))) == 1  # different names: paired
    EmployerSpelling.objects.create(spelling="Hartford Financial", same_as="The Hartford")
    assert pairs(run_for(program, chair)) == set()
    problems, *_ = services.manual_pair_warnings(
        program=program, mentee_app=Application.objects.get(user__email="a@example.org"), mentor_app=mentor
    )
    assert "Both work for The Hartford; this program keeps colleagues apart." in problems


def test_a_do_not_match_entry_holds_when_the_mentor_changes_address(program, chair):
    mentor = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    mentee = applicant(program, "nico@example.org", "mentee", employer="Firm N", avoid_emails=["cody@example.org"])
    assert mentee.avoid_partner_ids == [mentor.user_id]
    # Cody's primary address changes: the avoided pair is still never proposed.
    user = mentor.user
    EmailAddress.objects.filter(user=user).update(email="cody.new@example.org")
    user.email = "cody.new@example.org"
    user.save(update_fields=["email"])
    assert pairs(run_for(program, chair)) == set()


def test_an_address_that_signs_up_later_is_resolved_when_confirmed(client, program, chair, mailoutbox):
    mentee = applicant(
        program, "nico@example.org", "mentee", employer="Firm N", preferred_partner_emails=["new@example.org"]
    )
    assert mentee.preferred_partner_ids == []
    client.post(
        reverse("account_signup"),
        {
            "first_name": "Nina",
            "last_name": "New",
            "email": "new@example.org",
            "password1": "a-long-and-unusual-passphrase",
            "password2": "a-long-and-unusual-passphrase",
        },
    )
    send_pending_emails()  # allauth's emails go through the outbox
    link = re.search(r"(/accounts/confirm-email/\S+)", mailoutbox[-1].body).group(1)
    client.post(link)
    mentee.refresh_from_db()
    assert mentee.preferred_partner_ids == [User.objects.get(email="new@example.org").pk]
