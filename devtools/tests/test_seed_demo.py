import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Profile, User
from devtools import demo
from feedback.models import Response, Solicitation
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
from outbox import devmail
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Region, LocalAssociation, User, Profile, EmailAddress, Program, CommitteeMembership)
    }


def test_it_builds_the_demo_association(capsys):
    call_command("seed_demo")
    assert Region.objects.count() == 2
    assert LocalAssociation.objects.count() == 6
    assert User.objects.count() == demo.MEMBER_COUNT + len(demo.LOGINS)
    assert not Region.objects.filter(vice_president__isnull=True).exists()
    # Every member can sign in: verified primary address, complete profile.
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == User.objects.count()
    assert all(p.is_complete for p in Profile.objects.all())
    assert Program.objects.filter(kind="new_member").count() == 1
    assert Program.objects.filter(kind="leadership").count() == 1
    assert CommitteeMembership.objects.filter(role="chair").count() == 2
    assert Application.objects.count() > 100
    out = capsys.readouterr().out
    for login in demo.LOGINS:
        assert login.email in out
    assert demo.PASSWORD in out


def test_profiles_are_varied():
    demo.seed()
    profiles = Profile.objects.all()
    assert len({p.job_title for p in profiles}) >= 10
    assert len({p.employer for p in profiles}) >= 10
    years = [p.years_in_profession for p in profiles]
    assert min(years) <= 1 and max(years) >= 30
    assert {p.membership_status for p in profiles} == {"active", "grace", "lapsed"}
    per_local = [a.members.count() for a in LocalAssociation.objects.all()]
    assert min(per_local) >= 30


def test_programs_have_a_realistic_pool_of_questionnaires():
    demo.seed()
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


def test_it_is_idempotent_and_completes_a_partial_seed():
    demo.seed()
    first = counts()
    assert set(demo.seed().values()) == {0}
    assert counts() == first
    # A database that lost some of it gets back exactly what is missing.
    User.objects.filter(applications__isnull=True, email__regex=r"\.\d{3}@example\.org$").first().delete()
    CommitteeMembership.objects.filter(role="member").delete()
    assert demo.seed()["members"] == 1
    assert counts() == first


@pytest.mark.parametrize("login", demo.LOGINS, ids=lambda login: login.email)
def test_named_logins_work(login):
    demo.seed(members=0)
    assert authenticate(email=login.email, password=demo.PASSWORD) is not None


def test_logins_only_prints_without_seeding(capsys):
    call_command("seed_demo", "--logins-only")
    assert "newmember@example.org" in capsys.readouterr().out
    assert User.objects.count() == 0


def test_the_logins_name_the_chairs_as_they_are_now(capsys):
    demo.seed(members=0)
    call_command("seed_demo", "--logins-only")
    assert re.search(r"chair@example\.org +Chris Chair, chairs Lakeshore new-member mentoring", capsys.readouterr().out)
    program = Program.objects.get(name="Lakeshore new-member mentoring")
    CommitteeMembership.objects.filter(program=program, role="chair").update(
        user=User.objects.get(email="mentor@example.org")
    )
    call_command("seed_demo", "--logins-only")
    out = capsys.readouterr().out
    assert re.search(r"mentor@example\.org +Morgan Mentor, chairs Lakeshore new-member mentoring", out)
    assert "Chris Chair, chairs" not in out


def test_the_logins_wait_for_the_site(capsys, settings, live_server):
    settings.SITE_URL = live_server.url
    call_command("seed_demo", "--logins-only", "--when-up")
    assert f"The site is up: {live_server.url}/" in capsys.readouterr().out


def test_feedback_can_be_tried_at_once(client):
    demo.seed(members=0)
    demo.ask_what_is_due()
    pat = User.objects.get(email="partner@example.org")
    asked = Solicitation.objects.get(respondent=pat)
    assert (asked.round, asked.due_on, asked.status) == (1, timezone.localdate(), "sent")
    assert any(m.to == [pat.email] for m in mail.outbox)
    client.force_login(pat)
    assert (
        "would like to know how your partnership with <strong>Morgan Mentor</strong> is going"
        in client.get("/").content.decode()
    )
    demo.ask_what_is_due()  # run again: nothing asked twice
    assert Solicitation.objects.filter(respondent=pat).count() == 1


def test_lakeshores_president_appoints_its_chair_and_reads_its_report(client):
    demo.seed()
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


def test_the_chair_copies_the_program_for_next_year(client):
    """The README's "Copy for the next cycle": the demo chair's set-up has the button, and the copy
    takes the program's questions, objectives, resources and committee, none of its questionnaires."""
    from mentoring.models import Objective, Question, Resource

    demo.seed()
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


def test_the_leadership_pipeline_can_be_tried(client):
    from leadership.models import LeadershipRecommendation

    demo.seed()
    demo.seed()  # twice: nothing recommended twice
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


def test_the_demo_shows_what_the_readme_promises_with_consistent_data(client, settings, tmp_path):
    """Lakeshore's announcement was already sent (so the chair could not try it), no "keep my
    history" warning waited in the outbox, invitations were opened before they were sent, and
    Pat Partner, a new-member mentee, was a member since 2014."""
    from recruitment.models import Invitation
    from recruitment.services import announcement_problem

    settings.DEBUG = True  # a computer with the dev mailbox, as `make run` has
    settings.MAILERS = {"default": {"BACKEND": devmail.BACKEND, "OPTIONS": {}}}
    settings.DEV_MAIL_DIR = str(tmp_path / "mail")
    demo.seed()
    lakeshore = Program.objects.get(kind="new_member")
    assert announcement_problem(lakeshore) is None  # the chair can announce it
    invitations = Invitation.objects.filter(program=lakeshore, kind="invitation")
    assert invitations.count() == 4 and invitations.exclude(opened_at=None).count() == 1
    assert all(i.opened_at is None or i.opened_at > i.created_at for i in invitations)
    assert Application.objects.filter(program=lakeshore, role="mentee", status="in_pool").exists()
    [kept] = devmail.recent()  # shown on "Emails the site sent"; the seed still emails nobody
    assert "Keep my history" in kept["body"] or "keep" in kept["body"].lower()
    assert not OutgoingEmail.objects.exists()
    pat = Profile.objects.get(user__email="partner@example.org")
    months = (timezone.localdate() - pat.member_since).days / 30
    assert months < lakeshore.mentee_joined_within_months
