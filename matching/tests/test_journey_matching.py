"""The chair's matching session in a real headless Chromium: propose, read why, approve two,
replace one by hand after confirming a warning; the partners are introduced by email."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import applicant, axe_violations, screenshot, sign_in
from matching.models import Proposal
from mentoring.models import Partnership
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chair_proposes_approves_and_replaces_by_hand(page, live_server, world, csp_violations):
    program = world["program"]
    chair = world["people"]["chair"]
    mentees = [
        applicant(program, "ana@example.org", "mentee", employer="North Mutual", topics=["Leadership", "Claims"]),
        applicant(program, "ben@example.org", "mentee", employer="East Mutual", topics=["Underwriting"]),
        applicant(program, "cy@example.org", "mentee", employer="Blue Agency", topics=["Claims"]),
    ]
    applicant(program, "mentor.one@example.org", "mentor", years=22, employer="Harbor", topics=["Leadership", "Claims"])
    applicant(program, "mentor.two@example.org", "mentor", years=15, employer="Keystone", topics=["Underwriting"])
    applicant(program, "mentor.three@example.org", "mentor", years=18, employer="Summit", topics=["Claims"])
    colleague = applicant(program, "colleague@example.org", "mentor", years=25, employer="Blue Agency")
    OutgoingEmail.objects.all().delete()

    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/")
    page.get_by_role("link", name="Matching").click()
    page.get_by_role("button", name="Propose matches").click()
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    screenshot(page, "matching-01-proposals")
    # Each pair says in one sentence what it rests on (its goal areas, all shared, first).
    expect(page.get_by_text(re.compile(r"^Strengths: goal areas \(\d of \d shared: "))).to_have_count(3)
    assert axe_violations(page) == []

    # Why was Ana proposed with her mentor? The details say it in words and in figures.
    page.get_by_role("link", name=re.compile("Details and comments on Ana")).click()
    expect(page.get_by_role("heading", name="What the score is made of")).to_be_visible()
    expect(page.locator("table.breakdown")).to_contain_text("Goal areas")
    page.get_by_label("Comment").fill("Good fit, they both started in claims.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_text("Good fit, they both started in claims.")).to_be_visible()
    page.get_by_role("navigation", name="Committee").get_by_role("link", name="Matching").click()

    # Approve two.
    page.get_by_role("checkbox", name=re.compile("^Choose Ana")).check()
    page.get_by_role("checkbox", name=re.compile("^Choose Ben")).check()
    page.get_by_role("button", name="Approve the ticked pairs").click()
    expect(page.get_by_text("2 partnerships approved")).to_be_visible()
    assert Partnership.objects.count() == 2

    # Replace the last one by hand with a mentor from the mentee's own employer: a warning first.
    remaining = Proposal.objects.get(status="proposed")
    page.get_by_role("link", name=re.compile("Replace the mentor of Cy")).click()
    page.get_by_label("Mentor*").select_option(str(colleague.pk))
    page.get_by_role("button", name="Put the pair in the queue").click()
    expect(page.get_by_text("Please check this pair before it goes in the queue")).to_be_visible()
    screenshot(page, "matching-02-warning")
    page.get_by_label("I have read the warnings and want this pair anyway.").check()
    page.get_by_role("button", name="Put the pair in the queue").click()
    expect(page.get_by_text("The pair is in the queue")).to_be_visible()
    expect(page.get_by_text("by hand", exact=True)).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("^Choose")).check()
    page.get_by_role("button", name="Approve the ticked pairs").click()
    expect(page.get_by_text("1 partnership approved")).to_be_visible()
    screenshot(page, "matching-03-approved")

    manual = Partnership.objects.get(mentee_application=remaining.mentee_application)
    assert manual.mentor_application == colleague
    assert {p.mentee_application_id for p in Partnership.objects.all()} == {m.pk for m in mentees}

    # The introductions go out once, two per partnership.
    assert send_pending_emails() == 6
    assert send_pending_emails() == 0
    assert len(mail.outbox) == 6
    to_colleague = next(m for m in mail.outbox if m.to == ["colleague@example.org"])
    assert manual.mentee.email in to_colleague.body
    assert csp_violations == []
