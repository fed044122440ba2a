"""Two partners confirm their agreement, in a real headless Chromium: the mentee follows the link
in the introduction email, reads the agreement, confirms it and adds a term of her own; the mentor
sees the notice that he still has to confirm, reads her term and confirms; the notice is gone;
he marks the kickoff done; the chair's pages show the agreement confirmed by both and the
milestone done, and another pair whose mentor has not confirmed after six weeks needs attention.
Also at a phone's width."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from playwright.sync_api import expect

from conftest import applicant, approved, partnership_for, screenshot, sign_in
from mentoring.models import Partnership
from outbox.emails import send_pending_emails
from partnerships import agreements
from partnerships.models import Agreement, MilestoneProgress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TERM = "We meet on the first Tuesday of the month, and say so a day ahead if we can't."


def test_two_partners_confirm_the_agreement_and_mark_a_milestone(page, live_server, world, settings, csp_violations):
    program, chair = world["program"], world["people"]["chair"]
    settings.SITE_URL = live_server.url  # the links in the emails point at this server
    dana = applicant(program, "dana.reyes@example.org", "mentee", employer="Harbor Mutual")
    oliver = applicant(program, "oliver.grant@example.org", "mentor", years=22, employer="Keystone")
    partnership = approved(dana, oliver, by=chair, score=80)
    Partnership.objects.filter(pk=partnership.pk).update(started_on=partnership.started_on - timedelta(days=3))
    mail.outbox.clear()
    send_pending_emails()
    [email] = [m for m in mail.outbox if m.to == ["dana.reyes@example.org"] and "Meet your mentor" in m.subject]
    assert "please read and confirm it on your partnership page" in email.body
    link = re.search(r"https?://\S+/partnerships/\d+/", email.body).group(0)

    # --- The mentee reads and confirms, and adds a term of her own.
    sign_in(page, live_server, "dana.reyes@example.org")
    page.goto(link)
    notice = page.locator("#agreement-notice")
    expect(notice).to_contain_text("Your agreement is not confirmed by both of you yet.")
    expect(notice).to_contain_text("Neither of you has confirmed it")
    expect(page.get_by_text("Every month, for 12 months")).to_be_visible()
    expect(page.get_by_role("term").filter(has_text="Ending early")).to_be_visible()
    screenshot(page, "agreement-01-mentee-reads")
    page.get_by_role("button", name="I have read it and confirm the agreement").click()
    expect(
        page.get_by_text("Thank you: you confirmed your agreement. Oliver is asked to confirm it too.")
    ).to_be_visible()
    expect(notice).to_contain_text("Waiting for Oliver to confirm it.")
    page.get_by_text("Add terms of your own").click()
    page.get_by_label("Your own terms (optional)").fill(TERM)
    page.get_by_role("button", name="Save my terms").click()
    expect(page.get_by_text("Your terms are saved.")).to_be_visible()
    expect(page.get_by_role("definition").filter(has_text=TERM)).to_be_visible()
    screenshot(page, "agreement-02-mentee-confirmed")

    # --- The mentor sees the notice, reads her term, and confirms.
    page.context.clear_cookies()
    sign_in(page, live_server, "oliver.grant@example.org")
    page.goto(link)
    expect(notice).to_contain_text("Dana confirmed it on")
    expect(notice).to_contain_text("Please read it below and confirm it too.")
    expect(page.get_by_text(TERM)).to_be_visible()
    page.get_by_role("button", name="I have read it and confirm the agreement").click()
    expect(page.get_by_text("Thank you: you have both confirmed your agreement.")).to_be_visible()
    expect(page.locator("#agreement-notice")).to_have_count(0)
    expect(page.get_by_text("Dana confirmed it on")).to_be_visible()
    assert Agreement.objects.get(partnership=partnership).is_confirmed

    # --- A milestone marked done (the date is today unless changed).
    timeline = page.get_by_role("region", name=re.compile("^Timeline"))
    expect(timeline).to_contain_text("0 of 5 done")
    page.get_by_role("button", name=re.compile("^Mark done.*Kickoff")).click()
    expect(page.get_by_text(re.compile("“Kickoff” is marked done on"))).to_be_visible()
    expect(timeline).to_contain_text("1 of 5 done")
    expect(timeline.get_by_text(re.compile("^Done on"))).to_be_visible()
    assert MilestoneProgress.objects.filter(partnership=partnership).count() == 1
    screenshot(page, "agreement-03-both-confirmed")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    screenshot(page, "agreement-04-phone")
    page.get_by_text("Read the agreement again").click()
    expect(page.get_by_text(TERM)).to_be_visible()
    screenshot(page, "agreement-05-phone-read-again")
    page.set_viewport_size({"width": 1280, "height": 900})

    # --- The committee's pages show both confirmations and the milestone; and another pair, six
    # weeks in, whose mentor has not confirmed, in the attention queue.
    late = partnership_for(program, chair, "late", days_ago=42, agreed=False)
    agreements.confirm_agreement(partnership=late, user=late.mentee)
    page.context.clear_cookies()
    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/partnerships/")
    row = page.get_by_role("row").filter(has_text="Dana")
    expect(row).to_contain_text("Confirmed by both")
    expect(row).to_contain_text("1 of 5 milestones")
    late_row = page.get_by_role("row").filter(has_text="Mentee Late")
    expect(late_row).to_contain_text("Waiting for the mentor")
    expect(late_row).to_contain_text("0 of 5 milestones; behind on: Kickoff, First month")
    expect(page.get_by_role("region", name=re.compile("^Needs attention"))).to_contain_text(
        "The agreement is not confirmed after 42 days"
    )
    screenshot(page, "agreement-06-committee-list")
    row.get_by_role("link").first.click()
    section = page.get_by_role("region", name="Agreement and timeline")
    expect(section).to_contain_text("Confirmed by both")
    expect(section).to_contain_text("Kickoff · done on")
    expect(page.get_by_text(TERM)).to_have_count(0)  # the partners' own terms are theirs
    screenshot(page, "agreement-07-committee-partnership")
    assert csp_violations == []
