"""What a first-time walk tripped on (issue 25), walked again in a real headless Chromium: the
chair's next step is the filled button and the vetting step says whether it comes first; the
queue has one way to approve, with a headed tick-box column, and says what comes next; a member
is told an optional question helps the match, and "Save draft and leave" leaves; a meeting waiting
for a partner is on their home page; the sign-in page says what a link leads to; the emails page
shows the calendar file attached to a meeting invitation, downloadable."""

import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conftest import applicant, partnership_for, screenshot, sign_in
from feedback.services import raise_concern
from mentoring.models import Application, Program, Question
from outbox import devmail
from outbox.emails import send_pending_emails
from partnerships import meetings
from recruitment.services import announce_enrollment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(tempfile.gettempdir()) / "walk-shots"


def shot(page, name):
    """A screenshot for people to look at (under /tmp/walk-shots/ too), checked by axe first."""
    SHOTS.mkdir(exist_ok=True)
    screenshot(page, name)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def test_a_chair_takes_the_first_match_as_the_first_step_and_is_told_what_comes_next(page, live_server, world):
    program, chair = world["program"], world["people"]["chair"]
    Program.objects.filter(pk=program.pk).update(summary="A year beside an experienced Northport member.")
    program.refresh_from_db()
    raise_concern(partnership=partnership_for(program, chair, "old"), by=chair, text="Hard to reach")
    applicant(program, "candidate.0@example.org", "mentor", years=20, employer="Harbor")
    Application.objects.filter(user__email="candidate.0@example.org").update(status="awaiting_vetting")
    for k, employer in enumerate(["Keystone", "Lakeside"]):
        applicant(program, f"ready.{k}@example.org", "mentor", years=20, employer=employer)
    for k in range(2):
        applicant(program, f"newcomer.{k}@example.org", "mentee", employer=f"Firm {k}")
    announce_enrollment(program=program, by=chair)

    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/")
    steps = page.get_by_role("region", name="What to do next")
    rows = steps.get_by_role("listitem")
    expect(rows.nth(0)).to_contain_text("2 mentees are waiting and 2 mentors ready: propose matches")
    expect(rows.nth(1)).to_contain_text("1 partnership needs attention")
    expect(rows.nth(2)).to_contain_text("1 mentor to vet; matching need not wait: enough mentors are ready")
    expect(steps.locator(".btn-primary")).to_have_count(1)
    expect(steps.locator(".btn-primary")).to_contain_text("Propose matches")
    expect(page.get_by_text("You are a chair ·")).to_be_visible()
    shot(page, "walk-01-dashboard-next-steps")

    steps.get_by_role("button", name=re.compile("^Propose matches")).click()
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Choose")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Approve Newcomer"))).to_have_count(0)  # one way only
    shot(page, "walk-02-queue-one-way")
    page.get_by_role("checkbox", name=re.compile("^Choose Newcomer")).first.check()
    page.get_by_role("button", name="Approve the ticked pairs").click()
    expect(page.get_by_text("1 partnership approved")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Next: Newcomer \d with Ready \d \(the last one\)\."))).to_be_visible()
    shot(page, "walk-03-approved-next")


def test_a_member_is_told_an_optional_question_helps_and_leaves_with_a_draft(page, live_server, world):
    program, member = world["program"], world["people"]["member"]
    Question.objects.create(
        program=program, text="Which events would you attend?", kind="multiple", choices=["Breakfasts", "Webinars"]
    )
    Question.objects.filter(program=program).update(weight=2)
    sign_in(page, live_server, member.email)
    page.goto(f"{live_server.url}/programs/{program.pk}/apply/mentee/")
    expect(page.get_by_text("Optional, but it helps your match:")).to_be_visible()
    page.get_by_label("Your goals").fill("Find my feet")
    page.get_by_text("Optional, but it helps your match:").scroll_into_view_if_needed()
    shot(page, "walk-04-optional-helps")
    page.get_by_role("button", name="Save draft and leave").click()
    expect(page).to_have_url(f"{live_server.url}/mentoring/")
    expect(page.get_by_text("Your draft is saved.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"draft saved (now|\d+ seconds? ago)"))).to_be_visible()
    shot(page, "walk-05-draft-saved-and-left")


def test_a_meeting_waiting_for_a_partner_is_on_their_home_page_and_its_calendar_file_downloads(
    page, live_server, world, settings, tmp_path
):
    settings.SITE_URL = live_server.url
    partnership = partnership_for(world["program"], world["people"]["chair"], "walk")
    send_pending_emails()
    day = timezone.localdate() + timedelta(days=3)
    starts = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo("America/New_York")) + timedelta(hours=10)
    meeting = meetings.propose_meeting(
        partnership=partnership, by=partnership.mentor, starts_at=starts, minutes=45, mode="video"
    )

    # The sign-in page says what the emailed link leads to.
    page.goto(f"{live_server.url}/partnerships/{partnership.pk}/")
    expect(page.get_by_text("Sign in to open your partnership's page.")).to_be_visible()
    shot(page, "walk-06-sign-in-says-why")
    sign_in(page, live_server, partnership.mentee.email)
    alert = page.get_by_role("status").filter(has_text="proposes a meeting")
    expect(alert).to_contain_text(f"Mentor Walk proposes a meeting on {day:%A, %B} {day.day} at 10:00 AM.")
    shot(page, "walk-07-home-meeting-waiting")
    alert.get_by_role("link", name=re.compile("^Answer")).click()
    page.get_by_role("button", name=re.compile("^Accept")).click()
    expect(page.get_by_text("You both get a calendar invitation")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.status == "accepted"

    settings.DEBUG = True  # the dev mailbox, as on a computer running `make run`
    settings.MAILERS = {"default": {"BACKEND": devmail.BACKEND, "OPTIONS": {}}}
    settings.DEV_MAIL_DIR = str(tmp_path / "mail")
    send_pending_emails()  # the invitations, with their calendar files, into the dev mailbox
    page.goto(f"{live_server.url}/dev/emails/")
    attached = page.get_by_role("link", name="invitation.ics").first
    expect(attached).to_be_visible()
    attached.scroll_into_view_if_needed()
    shot(page, "walk-08-dev-emails-attachment")  # the demo banner too: inside the page's header landmark
    with page.expect_download() as download:
        attached.click()
    assert "BEGIN:VCALENDAR" in Path(download.value.path()).read_text()
