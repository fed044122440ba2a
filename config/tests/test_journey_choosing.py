"""Members choose their mentor (issue 29), in a real headless Chromium: the chair lets members
choose in the set-up, a mentee browses the mentors from My mentoring, filters them and asks one
with a note; the mentor opens the emailed link, reads the note and accepts; the chair approves the
member's choice in the queue (the committee variant), or the partnership starts at once."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import applicant, screenshot, sign_in
from matching.models import Proposal
from mentoring.models import Partnership
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Your talk on claims at the spring meeting made me want to ask you."


@pytest.mark.parametrize("committee", [True, False], ids=["committee-approves", "starts-at-once"])
def test_a_mentee_chooses_a_mentor_who_accepts(page, live_server, world, settings, csp_violations, committee):
    settings.SITE_URL = live_server.url  # the links in the emails point at this server
    program, chair = world["program"], world["people"]["chair"]
    mentee = applicant(program, "maya.mentee@example.org", "mentee", employer="Harbor Mutual", topics=["Claims"])
    mentor = applicant(
        program, "cody.claims@example.org", "mentor", years=20, employer="Keystone", topics=["Claims", "Leadership"]
    )
    applicant(program, "lee.leader@example.org", "mentor", years=15, employer="Summit", topics=["Leadership"])
    OutgoingEmail.objects.all().delete()
    url = live_server.url
    shots = "choosing" if committee else "choosing-at-once"

    # The chair lets members choose (and, in the second variant, trusts the mentor's yes).
    sign_in(page, live_server, chair.email)
    page.goto(f"{url}/committee/{program.pk}/setup/?section=matching")
    page.get_by_label("Members choose their mentor").check()
    page.get_by_label("Mentors a mentee may ask at once").fill("2")
    if not committee:
        page.get_by_label("The committee approves a request the mentor accepts").uncheck()
    if committee:
        screenshot(page, f"{shots}-01-setup")
    page.get_by_role("button", name="Save matching").click()
    program.refresh_from_db()
    assert program.members_choose and program.member_choice_needs_committee == committee
    page.context.clear_cookies()

    # The mentee browses from My mentoring, filters, and asks one mentor with a note.
    sign_in(page, live_server, mentee.user.email)
    page.goto(f"{url}/mentoring/")
    page.get_by_role("link", name="Choose your mentor").first.click()
    expect(page.get_by_role("heading", name="Choose your mentor", exact=True)).to_be_visible()
    expect(page.get_by_text("2 mentors you can ask.")).to_be_visible()
    page.get_by_label("Way to meet").select_option("video")
    page.get_by_label("Goal area").select_option("Claims")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 mentor you can ask.")).to_be_visible()
    page.get_by_text("What the score is made of").click()
    if committee:
        screenshot(page, f"{shots}-02-browse")
    page.get_by_role("link", name="Ask Cody Claims").click()
    page.get_by_label("A note to the mentor (optional)").fill(NOTE)
    if committee:
        screenshot(page, f"{shots}-03-ask")
    page.get_by_role("button", name="Send my request").click()
    expect(page.get_by_text("Your request is sent. Cody Claims answers within 7 days")).to_be_visible()
    expect(page.get_by_text("Waiting for the mentor's answer, until")).to_be_visible()
    screenshot(page, f"{shots}-04-requests")
    request = Proposal.objects.get(origin="member")
    assert (request.mentor_application, request.status) == (mentor, "awaiting_mentor")

    # The mentor answers from the email, without signing in; they read the note.
    assert send_pending_emails() == 1
    [ask] = mail.outbox
    assert ask.to == [mentor.user.email] and NOTE in ask.body
    link = re.search(r"(http\S+/match/\S+/)", ask.body).group(1)
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", name="Will you mentor Maya Mentee?")).to_be_visible()
    expect(page.get_by_text(NOTE)).to_be_visible()
    screenshot(page, f"{shots}-05-mentor-reads")
    page.get_by_label("Yes, I will mentor them").check()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    if committee:
        expect(page.get_by_text("The committee confirms the pair next")).to_be_visible()
        screenshot(page, f"{shots}-06-mentor-thanked")
        assert not Partnership.objects.exists()
        # The chair approves the member's choice in the queue: then both are introduced.
        sign_in(page, live_server, chair.email)
        page.goto(f"{url}/committee/{program.pk}/matching/")
        expect(page.get_by_text("the member's choice")).to_be_visible()
        screenshot(page, f"{shots}-07-queue")
        page.get_by_role("checkbox", name=re.compile("^Choose Maya")).check()
        page.get_by_role("button", name="Approve the ticked pairs").click()
        expect(page.get_by_text("1 partnership approved. The partners are introduced by email.")).to_be_visible()
    else:
        expect(page.get_by_text("You and Maya Mentee are introduced by email now")).to_be_visible()

    partnership = Partnership.objects.get()
    assert (partnership.mentee, partnership.mentor, partnership.status) == (mentee.user, mentor.user, "active")
    assert OutgoingEmail.objects.filter(key__startswith=f"introduction:{partnership.pk}:").count() == 2
    assert csp_violations == []
