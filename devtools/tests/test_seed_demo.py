import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from accounts.models import Profile, User
from devtools import demo
from feedback.models import Solicitation
from mentoring.models import (
    Application,
    CommitteeMembership,
    LocalAssociation,
    Program,
    Region,
)
from outbox import devmail
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


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
