"""What the seeded demo holds, read from one seeding shared by the module's tests (seeding takes
seconds; test_seed_demo.py builds it from nothing). Every test here builds on the seeded demo,
so none of them runs beside a test that expects an empty database."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Profile, User
from conftest import FAST_HASHER
from devtools import demo
from feedback.models import Response
from mentoring.models import (
    Application,
    AssociationOfficer,
    CommitteeMembership,
    LocalAssociation,
    Partnership,
    Program,
    Region,
    VettingNote,
)
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for the tests below that read it or build on it, instead of
    once each (seeding takes seconds). Each test's own changes are rolled back to this point, as
    every test's are; the seed itself at the end of the module. The hasher is the tests' fast one
    (conftest), as it is for each test."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHER), transaction.atomic():
        demo.seed()
        yield
        transaction.set_rollback(True)


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Region, LocalAssociation, User, Profile, EmailAddress, Program, CommitteeMembership)
    }


def test_profiles_are_varied(seeded):
    profiles = Profile.objects.all()
    assert len({p.job_title for p in profiles}) >= 10
    assert len({p.employer for p in profiles}) >= 10
    years = [p.years_in_profession for p in profiles]
    assert min(years) <= 1 and max(years) >= 30
    assert {p.membership_status for p in profiles} == {"active", "grace", "lapsed"}
    per_local = [a.members.count() for a in LocalAssociation.objects.all()]
    assert min(per_local) >= 30


def test_programs_have_a_realistic_pool_of_questionnaires(seeded):
    for program in Program.objects.all():
        assert program.enrollment_open and program.questions.exists() and program.milestones.exists()
        assert program.committee.filter(role="chair", pledge_version=program.pledge_version).exists()
    sent = Application.objects.exclude(status="draft")
    assert 120 <= sent.count() <= 180
    mentors = sent.filter(role="mentor")
    assert mentors.filter(status="in_pool").count() > mentors.filter(status="awaiting_vetting").count() > 0
    assert sent.filter(role="mentee", status="in_pool").count() > mentors.count() / 2
    # Every decided mentor has the committee's note; the pool fits the program's rules.
    decided = mentors.exclude(status="awaiting_vetting")
    assert VettingNote.objects.filter(application__in=decided).count() == decided.count()
    for application in sent.select_related("program", "user__profile__association"):
        program, association = application.program, application.user.profile.association
        if program.kind == "new_member":
            assert association == program.association
        else:
            assert association.region == program.region
        assert set(application.topics) <= set(program.topics)
    # Partnerships under way, with feedback answered so far; some need the committee's attention.
    partnerships = Partnership.objects.filter(status="active")
    assert partnerships.count() >= 20
    for p in partnerships.select_related("mentee__profile__association", "mentor__profile__association"):
        if p.program.kind == "new_member":
            assert p.mentee.profile.association == p.mentor.profile.association
        else:
            assert p.mentee.profile.association != p.mentor.profile.association
    assert Response.objects.filter(working="no").exists() and Response.objects.filter(satisfaction__gte=4).exists()
    # Seeding sends nobody an email.
    assert not OutgoingEmail.objects.exists()


def test_it_is_idempotent_and_completes_a_partial_seed(seeded):
    first = counts()
    assert set(demo.seed().values()) == {0}
    assert counts() == first
    # A database that lost some of it gets back exactly what is missing.
    User.objects.filter(applications__isnull=True, email__regex=r"\.\d{3}@example\.org$").first().delete()
    CommitteeMembership.objects.filter(role="member").delete()
    assert demo.seed()["members"] == 1
    assert counts() == first


def test_members_find_the_demo_mentors_flash_slots(seeded, client):
    program = Program.objects.get(name=demo.NEW_MEMBER_PROGRAM[0])
    client.force_login(User.objects.get(email="partner@example.org"))
    page = client.get(f"/programs/{program.pk}/flash/").content.decode()
    assert "Morgan" in page and page.count(">Book</a>") >= 3


def test_the_demo_circle_meets_with_three_mentees_and_nico_may_join_it(seeded, client):
    program = Program.objects.get(name=demo.NEW_MEMBER_PROGRAM[0])
    client.force_login(User.objects.get(email="partner@example.org"))
    page = client.get("/mentoring/").content.decode()
    assert "My circles" in page and "New in claims" in page and "Next meeting" in page
    client.force_login(User.objects.get(email="newmember@example.org"))
    page = client.get(f"/programs/{program.pk}/circles/").content.decode()
    assert "New in claims" in page and "Mentor: Morgan Mentor" in page


def test_lakeshores_president_appoints_its_chair_and_reads_its_report(seeded, client):
    president = User.objects.get(email="president@example.org")
    assert {(o.association.name, o.role) for o in AssociationOfficer.objects.select_related("association")} == {
        ("Lakeshore", "president"),
        ("Cascade", "membership"),
    }
    client.force_login(president)
    home = client.get("/").content.decode()
    assert "Read Lakeshore's report" in home and "Lakeshore new-member mentoring" in home
    lakeshore = LocalAssociation.objects.get(name="Lakeshore")
    assert client.get(f"/reports/associations/{lakeshore.pk}/").status_code == 200


def test_the_leadership_pipeline_can_be_tried(seeded, client):
    from leadership.models import LeadershipRecommendation

    demo.seed()  # again on the seeded demo: nothing recommended twice
    pat = User.objects.get(email="partner@example.org")
    assert LeadershipRecommendation.objects.get(mentee=pat).status == "asked"
    agreed = LeadershipRecommendation.objects.filter(status="consented")
    assert agreed.count() >= 2
    assert not OutgoingEmail.objects.filter(key__startswith="leadership-").exists()
    vp = User.objects.get(email="vp.great-lakes@example.org")
    client.force_login(vp)
    page = client.get(f"/regions/{agreed[0].region_id}/pipeline/").content.decode()
    assert agreed[0].mentee.get_full_name() in page and pat.get_full_name() not in page
    client.force_login(User.objects.get(email="mentor@example.org"))
    assert "Committee chair" in client.get("/profile/roles/").content.decode()


@pytest.mark.parametrize("login", demo.LOGINS, ids=lambda login: login.email)
def test_named_logins_work(seeded, login):
    assert authenticate(email=login.email, password=demo.PASSWORD) is not None


def test_the_chair_copies_the_program_for_next_year(seeded, client):
    """The README's "Copy for the next cycle": the demo chair's set-up has the button, and the copy
    takes the program's questions, objectives, resources and committee, none of its questionnaires."""
    from mentoring.models import Objective, Question, Resource

    program = Program.objects.get(name=demo.NEW_MEMBER_PROGRAM[0])
    client.force_login(User.objects.get(email="chair@example.org"))
    assert f"/programs/{program.pk}/next-cycle/" in client.get(f"/committee/{program.pk}/setup/").content.decode()
    page = client.get(f"/programs/{program.pk}/next-cycle/").content.decode()
    name = re.search(r'name="name" value="([^"]+)"', page).group(1)
    assert name == f"{program.name} {timezone.localdate().year + 1}"

    response = client.post(f"/programs/{program.pk}/next-cycle/", {"name": name, "months": "12", "action": "copy"})

    copy = Program.objects.get(copied_from=program)
    assert response.url == f"/committee/{copy.pk}/setup/" and copy.name == name and not copy.enrollment_open
    for model in (Question, Objective, Resource):
        assert model.objects.filter(program=copy).count() == model.objects.filter(program=program).count() > 0
    assert set(copy.committee.values_list("user__email", "role")) == set(
        program.committee.values_list("user__email", "role")
    )
    assert not Application.objects.filter(program=copy).exists()


def test_a_rising_leader_chooses_a_mentor_and_has_asked_one(seeded, client):
    """The README's Riley Rising: the leadership program lets members choose; Riley sees the
    mentors with a free place and one request waiting for its mentor's answer, and asks another
    (whose email, with the mentor's link, the emails page shows)."""
    from matching.models import Proposal

    program = Program.objects.get(name=demo.LEADERSHIP_PROGRAM[0])
    assert program.members_choose
    riley = User.objects.get(email="rising@example.org")
    [request] = Proposal.objects.filter(mentee_application__user=riley, origin="member")
    assert request.status == "awaiting_mentor"
    client.force_login(riley)
    assert f"/programs/{program.pk}/mentors/" in client.get("/mentoring/").content.decode()
    page = client.get(f"/programs/{program.pk}/mentors/").content.decode()
    assert "Your requests" in page and request.mentor_application.user.get_full_name() in page
    asks = re.findall(rf'href="(/programs/{program.pk}/mentors/\d+/ask/)"', page)
    assert len(asks) >= 3
    client.post(asks[0], {"note": "Hello"})
    another = Proposal.objects.filter(mentee_application__user=riley, origin="member").exclude(pk=request.pk).get()
    assert OutgoingEmail.objects.filter(key=f"mentor-ask:{another.pk}", to=another.mentor_application.user.email)
