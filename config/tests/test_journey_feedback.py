"""A partnership that is not working, end to end in a real headless Chromium: the mentee answers
the emailed feedback link, the chair finds the partnership in the attention queue, reads the
answer, ends the partnership with a reason and re-matching, and the next matching run proposes
the mentee first, with a new mentor and never the old one."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import applicant, axe_violations, screenshot, sign_in
from feedback.models import Response
from feedback.services import run_feedback_job
from matching.models import Proposal
from matching.services import approve
from mentoring.models import ConfidentialAccess, Partnership
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONCERNS = "We have met once in two months. Oliver cancels at the last minute and I don't feel heard."
REASON = "Oliver's new job leaves no time; Dana needs someone who can meet monthly."


def test_a_partnership_that_is_not_working_is_ended_and_the_mentee_rematched(
    page, live_server, world, settings, csp_violations
):
    program, chair = world["program"], world["people"]["chair"]
    settings.SITE_URL = live_server.url  # the links in the emails point at this server
    dana = applicant(program, "dana.reyes@example.org", "mentee", employer="Harbor Mutual")
    oliver = applicant(program, "oliver.grant@example.org", "mentor", years=22, employer="Keystone")
    partnership = approve(
        proposal=Proposal.objects.create(program=program, mentee_application=dana, mentor_application=oliver, score=80),
        by=chair,
    )
    # A month in: the first feedback round is due.
    Partnership.objects.filter(pk=partnership.pk).update(
        started_on=partnership.started_on - timedelta(days=program.feedback_first_after_days + 1),
        planned_end_on=partnership.planned_end_on - timedelta(days=program.feedback_first_after_days + 1),
    )
    nina = applicant(program, "nina.patel@example.org", "mentor", years=12, employer="Summit", topics=["Claims"])
    applicant(program, "sam.lee@example.org", "mentee", employer="Blue Agency")
    mail.outbox.clear()

    # The job asks both partners, each by their own email with their own link.
    assert run_feedback_job()["sent"] == 2
    [email] = [m for m in mail.outbox if m.to == ["dana.reyes@example.org"]]
    assert "Oliver Grant" in email.body and "confidential" in email.body
    link = re.search(r"https?://\S+/feedback/\S+/", email.body).group(0)
    assert link.startswith(live_server.url)

    # --- The mentee answers, without signing in.
    page.goto(link)
    expect(page.get_by_role("heading", name="How is it going?")).to_be_visible()
    expect(page.get_by_text("Oliver never sees them")).to_be_visible()
    page.get_by_role("radio", name="2", exact=True).check()
    page.get_by_role("radio", name="Less than once a month").check()
    page.get_by_role("radio", name="No progress yet").check()
    page.get_by_role("radio", name="No", exact=True).check()
    page.get_by_label("I would like a new partner").check()
    page.get_by_label("Anything the committee should know?").fill(CONCERNS)
    assert axe_violations(page) == []
    screenshot(page, "feedback-01-form")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    screenshot(page, "feedback-02-thanks")
    response = Response.objects.get()
    assert (response.satisfaction, response.working, response.wants_new_partner, response.concerns) == (
        2,
        "no",
        True,
        CONCERNS,
    )
    # The link has done its work.
    page.goto(link)
    expect(page.get_by_role("heading", name="Already sent")).to_be_visible()

    # --- The chair: the attention queue, the answer, the ending.
    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/")
    page.get_by_role("navigation", name="Committee").get_by_role("link", name="Partnerships").click()
    attention = page.locator("section[aria-labelledby=attention]")
    expect(attention.get_by_text("A partner's feedback says it is not going well")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "feedback-03-attention-queue")
    attention.get_by_role("link", name="Dana Reyes with Oliver Grant").click()

    expect(page.get_by_text("Satisfaction 2/5")).to_be_visible()
    expect(page.get_by_text("wants a new partner")).to_be_visible()
    expect(page.get_by_text(CONCERNS)).to_be_visible()
    assert any(
        response.pk in row.items.get("feedback response", [])
        for row in ConfidentialAccess.objects.filter(user=chair, what="partnership record")
    )
    assert axe_violations(page) == []
    screenshot(page, "feedback-04-partnership")

    page.get_by_label("Why does it end?").select_option("schedules")
    page.get_by_label("What happened (the committee only)").fill(REASON)
    rematch = page.get_by_label("Find the mentee a new mentor")
    expect(rematch).to_be_checked()  # ticked by default
    # Forgetting the confirmation loses nothing: the page says so and keeps what was written.
    page.get_by_role("button", name="End the partnership").click()
    expect(page.get_by_role("alert").filter(has_text="Tick the box to confirm.")).to_be_visible()
    expect(page.get_by_label("What happened (the committee only)")).to_have_value(REASON)
    expect(page.get_by_label("Why does it end?")).to_have_value("schedules")
    assert axe_violations(page) == []
    screenshot(page, "feedback-05-confirm-missing")
    assert Partnership.objects.get(pk=partnership.pk).status == "active"
    page.get_by_label("Yes, end this partnership").check()
    page.get_by_role("button", name="End the partnership").click()
    expect(page.get_by_text("The mentee is back in the matching pool, first in line.")).to_be_visible()
    screenshot(page, "feedback-06-ended")
    partnership.refresh_from_db()
    assert (partnership.status, partnership.end_reason, partnership.end_note) == ("dissolved", "schedules", REASON)

    # Each partner is told once, kindly, without the reason.
    assert send_pending_emails() == OutgoingEmail.objects.filter(status="sent").count()
    ended = [m for m in mail.outbox if "About your partnership" in m.subject]
    assert sorted(m.to[0] for m in ended) == ["dana.reyes@example.org", "oliver.grant@example.org"]
    assert all(REASON not in m.body and "new job" not in m.body for m in ended)

    # --- The next matching run: Dana first, with a new mentor, never Oliver again.
    page.get_by_role("button", name="Propose matches").click()
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    first_row = page.locator("table tbody tr").first
    expect(first_row).to_contain_text("Dana Reyes")
    expect(first_row).to_contain_text("re-matching")
    expect(first_row).to_contain_text("Nina Patel")
    assert axe_violations(page) == []
    screenshot(page, "feedback-07-rematch-proposals")
    proposals = list(Proposal.objects.filter(status="proposed"))
    assert proposals[0].mentee_application == dana and proposals[0].mentor_application == nina
    assert not [p for p in proposals if p.mentee_application == dana and p.mentor_application == oliver]
    assert csp_violations == []
