"""The committee's decisions last, in a real headless Chromium, in a leadership program where the
mentor accepts first: the chair rejects a pair and runs matching again (the pair is not back),
pairs one mentee by hand and runs again (the hand-made pair stays), approves it, and the mentor
accepts through the emailed link; only then are both introduced, each once."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conftest import applicant, axe_violations, screenshot, sign_in
from matching.models import Proposal
from mentoring.models import Application, CommitteeMembership, Partnership
from mentoring.services import create_program
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rejected_stays_rejected_hand_made_stays_and_the_mentor_accepts_first(page, live_server, world, settings):
    settings.SITE_URL = live_server.url  # the links in the emails point at this server
    north, chair = world["regions"]["north"], world["people"]["chair"]
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    program = create_program(name="North leaders", kind="leadership", region=north, enrollment_open=True)
    CommitteeMembership.objects.create(
        program=program,
        user=chair,
        role="chair",
        pledge_accepted_at=timezone.now(),
        pledge_version=program.pledge_version,
    )
    ana = applicant(program, "ana@example.org", "mentee", association=northport, employer="North Mutual")
    ben = applicant(program, "ben@example.org", "mentee", association=northport, employer="East Mutual")
    applicant(program, "mentor.one@example.org", "mentor", years=22, association=easton, employer="Harbor")
    two = applicant(program, "mentor.two@example.org", "mentor", years=15, association=easton, employer="Keystone")
    # Ben applied a week before Ana, with the same answers: he gets the mentor who fits them
    # both better (mentor two), Ana the other, whatever order the rows come in.
    Application.objects.filter(pk=ben.pk).update(submitted_at=timezone.now() - timedelta(days=7))
    OutgoingEmail.objects.all().delete()

    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/matching/")
    page.get_by_role("button", name="Propose matches").click()
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    rejected = Proposal.objects.get(status="proposed", mentee_application=ana)

    # Reject Ana's pair; a new run does not bring it back.
    page.get_by_role("checkbox", name=re.compile("^Choose Ana")).check()
    page.get_by_role("button", name="Reject the ticked pairs").click()
    expect(page.get_by_text("1 proposal rejected")).to_be_visible()
    page.get_by_role("button", name="Propose matches").click()
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    assert not Proposal.objects.filter(
        status="proposed",
        mentee_application=ana,
        mentor_application=rejected.mentor_application,
    ).exists()

    # Pair Ben by hand with mentor two; a new run keeps the hand-made pair.
    page.get_by_role("link", name=re.compile("Replace the mentor of Ben")).click()
    expect(page.get_by_label("I have read the warnings and want this pair anyway.")).to_have_count(0)
    page.get_by_label("Mentor*").select_option(str(two.pk))
    page.get_by_role("button", name="Put the pair in the queue").click()
    # Mentor two's only place went to Ana in the last run: the chair is told before confirming.
    expect(page.get_by_text("Mentor Two's last place is proposed to Ana Member in the queue")).to_be_visible()
    screenshot(page, "matching-04-place-proposed-elsewhere")
    page.get_by_label("I have read the warnings and want this pair anyway.").check()
    page.get_by_role("button", name="Put the pair in the queue").click()
    expect(page.get_by_text("The pair is in the queue")).to_be_visible()
    page.get_by_role("button", name="Propose matches").click()
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    hand = Proposal.objects.get(manual=True)
    assert hand.status == "proposed" and hand.mentor_application == two
    screenshot(page, "matching-05-decisions-kept")
    assert axe_violations(page) == []

    # Approve it: the mentor is asked first, nobody is introduced yet.
    page.get_by_role("checkbox", name=re.compile("^Choose Ben")).check()
    page.get_by_role("button", name="Approve the ticked pairs").click()
    expect(page.get_by_text("asked to accept first")).to_be_visible()
    # The last pair decided: back to what to do next, as after vetting the last candidate.
    expect(page.get_by_text("No proposal waits for a decision now.")).to_be_visible()
    page.goto(f"{live_server.url}/committee/{program.pk}/matching/")
    expect(page.get_by_role("heading", name="Approved, waiting for the mentor to accept")).to_be_visible()
    screenshot(page, "matching-06-waiting-for-the-mentor")
    assert send_pending_emails() == 1 and not Partnership.objects.exists()
    link = re.search(r"(http\S+/match/\S+/)", mail.outbox[0].body).group(1)

    # The mentor answers from the email, without signing in.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Will you mentor Ben Member?")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "matching-07-mentor-answers")
    page.get_by_label("Yes, I will mentor them").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("You and Ben Member are introduced")).to_be_visible()

    partnership = Partnership.objects.get()
    assert (partnership.mentee, partnership.mentor) == (ben.user, two.user)
    assert send_pending_emails() == 2 and send_pending_emails() == 0
    introductions = [m for m in mail.outbox if m.subject.startswith("Meet your")]
    assert sorted(m.to[0] for m in introductions) == sorted([ben.user.email, two.user.email])
