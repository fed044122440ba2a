"""The committee's dashboard says what to do next, with counts: the set-up, the enrollment to
announce (recruitment), the mentors to vet and the matches to propose. (Moved from
mentoring/tests/test_committee.py: it reads the recruitment app, above mentoring.)"""

import re

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from conftest import applicant, give_two_factor, partnership_for, propose
from feedback.services import raise_concern
from mentoring.models import Application, CommitteeMembership, OrientationItem, Program
from recruitment.services import announce_enrollment


@pytest.fixture
def people(world):
    return world["people"]


def url(name, program, *args):
    return reverse("committee:dashboard" if name == "dashboard" else f"committee:{name}", args=[program.pk, *args])


def test_the_dashboard_says_what_to_do_next_with_counts(client, world, people, program):
    chair, member = people["chair"], people["committee_member"]
    Program.objects.filter(pk=program.pk).update(summary="")
    for k in range(2):
        applicant(program, f"new.mentor.{k}@example.org", "mentor", years=12, employer=f"Firm {k}")
    Application.objects.filter(program=program, role="mentor").update(status=Application.Status.AWAITING_VETTING)
    for k in range(3):
        applicant(program, f"waiting.{k}@example.org", "mentee", employer=f"Mentee Firm {k}")
    client.force_login(chair)
    page = client.get(url("dashboard", program)).content.decode()
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    assert steps == [
        "Finish the program&#x27;s set-up: 1 thing to do before members can apply "
        "(a summary members read before they apply)",
        "Enrollment is open and not announced yet (2 members to tell)",
        "2 mentors to vet: those you approve join the next matching run",
    ]
    Application.objects.filter(program=program, role="mentor").update(status=Application.Status.IN_POOL)
    Program.objects.filter(pk=program.pk).update(summary="A year beside an experienced member.")
    page = client.get(url("dashboard", program)).content.decode()
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    assert steps == [
        "Enrollment is open and not announced yet (2 members to tell)",
        "3 mentees are waiting and 2 mentors ready: propose matches",
    ]
    announce_enrollment(program=program, by=chair)  # announced: the step is done
    page = client.get(url("dashboard", program)).content.decode()
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    assert steps == ["3 mentees are waiting and 2 mentors ready: propose matches"]
    # A committee member sees what is theirs to do; the chair's own steps are not offered.
    client.force_login(member)
    page = client.get(url("dashboard", program)).content.decode()
    assert "Nothing waits for you right now." in page


def steps_and_filled(page):
    """The steps' texts in order, and the action of the one filled button."""
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    filled = re.findall(r'class="btn btn-sm btn-primary"[^>]*>([^<]+)<', page)
    return steps, filled


def test_a_chairs_first_match_leads_and_vetting_says_whether_it_comes_first(client, world, people, program):
    """A first-time chair saw "See them" (partnerships needing attention) as the only filled button
    while their first match was the third row, and could not tell whether to vet first."""
    Program.objects.filter(pk=program.pk).update(summary="A year beside an experienced member.")
    partnership = partnership_for(program, people["chair"], "old")
    raise_concern(partnership=partnership, by=partnership.mentee, text="Hard to reach")
    for k in range(3):
        applicant(program, f"cand.{k}@example.org", "mentor", years=12, employer=f"Cand {k}")
    Application.objects.filter(program=program, role="mentor", user__email__startswith="cand.").update(
        status=Application.Status.AWAITING_VETTING
    )
    applicant(program, "ready.mentor@example.org", "mentor", years=12, employer="Ready Firm")
    for k in range(2):
        applicant(program, f"newbie.{k}@example.org", "mentee", employer=f"Newbie {k}")
    announce_enrollment(program=program, by=people["chair"])
    client.force_login(people["chair"])

    # Two mentees wait and one mentor is ready: vetting first places both.
    steps, filled = steps_and_filled(client.get(url("dashboard", program)).content.decode())
    assert steps == [
        "3 mentors to vet first: 2 mentees are waiting and only 1 mentor is ready",
        "2 mentees are waiting and 1 mentor ready: propose matches",
        "1 partnership needs attention",
    ]
    assert filled == ["Vet them"]

    # Enough mentors ready: the first match leads, vetting can wait, attention is still listed.
    Application.objects.filter(program=program, user__email="cand.0@example.org").update(
        status=Application.Status.IN_POOL
    )
    steps, filled = steps_and_filled(client.get(url("dashboard", program)).content.decode())
    assert steps == [
        "2 mentees are waiting and 2 mentors ready: propose matches",
        "1 partnership needs attention",
        "2 mentors to vet; matching need not wait: enough mentors are ready",
    ]
    assert filled == ["Propose matches"]


def test_the_dashboard_says_a_chair(client, world, people, program):
    client.force_login(people["chair"])
    page = client.get(url("dashboard", program)).content.decode()
    assert "You are a chair ·" in page
    client.force_login(people["committee_member"])
    assert "You are a committee member ·" in client.get(url("dashboard", program)).content.decode()


def fill_dashboard(program, chair, tag, n):
    """n of everything the dashboard counts: mentors awaiting vetting (one still doing the
    orientation), mentees waiting, proposed pairs, partnerships, committee members."""
    for k in range(n):
        applicant(program, f"vet.{tag}{k}@example.org", "mentor", years=12, employer=f"Vet Firm {tag}{k}")
        mentee = applicant(program, f"wait.{tag}{k}@example.org", "mentee", employer=f"Wait Firm {tag}{k}")
        mentor = applicant(program, f"ready.{tag}{k}@example.org", "mentor", years=15, employer=f"Ready {tag}{k}")
        propose(mentee, mentor)
        partnership_for(program, chair, f"{tag}{k}")
        seat = applicant(program, f"seat.{tag}{k}@example.org", "mentee", employer=f"Seat Firm {tag}{k}").user
        CommitteeMembership.objects.create(program=program, user=seat, role=CommitteeMembership.Role.MEMBER)
    Application.objects.filter(program=program, user__email__startswith=f"vet.{tag}").update(
        status=Application.Status.AWAITING_VETTING
    )


def test_the_dashboard_takes_ten_queries_however_much_it_counts(client, people, program, django_assert_max_num_queries):
    """Ten for a chair of a program that asks for two-factor sign-in and the orientation before
    vetting, with enrollment open and not announced (the most the page reads): the session, the
    user, the seat, the counts (and the chair's authenticator) in one query, the partnerships
    needing attention, the announcement and the members to tell, the set-up's committee, the
    navigation's roles, the committee. The same with many of each."""
    chair = people["chair"]  # has set up two-factor sign-in (the world's committee have)
    Program.objects.filter(pk=program.pk).update(require_two_factor=True, orientation_required_before="vetting")
    OrientationItem.objects.create(program=program, title="Read the handbook", audience="mentor", required=True)
    client.force_login(chair)
    fill_dashboard(program, chair, "a", 1)
    with django_assert_max_num_queries(10):
        page = client.get(url("dashboard", program)).content.decode()
    assert "Enrollment is open and not announced yet" in page
    assert "two-factor" not in page  # the chair has set it up
    fill_dashboard(program, chair, "b", 6)
    with django_assert_max_num_queries(10):
        page = client.get(url("dashboard", program)).content.decode()
    assert '<div class="display-6">7</div><div>mentors awaiting vetting <span class="small">(7 still doing' in page
    assert '<div class="display-6">7</div><div>proposed pairs waiting for the chair' in page
    assert '<div class="display-6">7</div><div>active partnerships' in page


def test_the_dashboard_asks_for_two_factor_sign_in_where_the_program_requires_it(client, people, program):
    member = people["committee_member"]
    client.force_login(member)
    ask = "This program's confidential pages need two-factor sign-in"
    Program.objects.filter(pk=program.pk).update(require_two_factor=True)
    Authenticator.objects.filter(user=member).delete()
    assert ask in client.get(url("dashboard", program)).content.decode()
    Program.objects.filter(pk=program.pk).update(require_two_factor=False)
    assert ask not in client.get(url("dashboard", program)).content.decode()
    Program.objects.filter(pk=program.pk).update(require_two_factor=True)
    give_two_factor(member)
    assert ask not in client.get(url("dashboard", program)).content.decode()
