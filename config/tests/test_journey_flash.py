"""A flash conversation booked, held and logged (issue 29), in a real headless Chromium: the chair
turns flash conversations on in the set-up, a vetted mentor offers a slot from My mentoring, a
member books it with a question, both have the invitation in the outbox; once the hour has
passed the job asks each side, the member answers, and the chair's report counts one
conversation and one hour."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from conftest import applicant, screenshot, sign_in
from flash import services
from flash.models import FlashFeedback, Slot
from outbox.models import OutgoingEmail
from reports import figures as reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_flash_conversation_is_offered_booked_held_and_counted(page, live_server, world, csp_violations):
    program, chair, member = world["program"], world["people"]["chair"], world["people"]["member"]
    mentor = applicant(program, "flash.mentor@example.org", "mentor", years=20).user
    url = live_server.url

    sign_in(page, live_server, chair.email)
    page.goto(f"{url}/committee/{program.pk}/setup/?section=matching")
    page.get_by_label("Flash conversations").check()
    page.get_by_role("button", name="Save matching").click()
    expect(page.get_by_role("link", name="Flash conversations")).to_be_visible()  # the committee's menu
    page.context.clear_cookies()

    sign_in(page, live_server, mentor.email)
    page.goto(f"{url}/mentoring/")
    page.get_by_role("link", name="Flash conversations: one hour with a mentor, about one question").click()
    day = timezone.localdate() + timedelta(days=3)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("12:00")
    page.get_by_label("Way to meet").select_option("video")
    page.get_by_label("Note (optional)").fill("Claims careers and first designations.")
    page.get_by_role("button", name="Offer this slot").click()
    expect(page.get_by_text("Your slot is offered. Members can book it now.")).to_be_visible()
    screenshot(page, "flash-01-mentor-offers")
    page.context.clear_cookies()

    sign_in(page, live_server, member.email)
    page.goto(f"{url}/programs/{program.pk}/flash/")
    expect(page.get_by_text("Claims careers and first designations.")).to_be_visible()
    screenshot(page, "flash-02-open-slots")
    page.get_by_role("link", name="Book").click()
    page.get_by_label("Your question").fill("How do I choose between claims and underwriting?")
    screenshot(page, "flash-03-book")
    page.get_by_role("button", name="Book this conversation").click()
    expect(page.get_by_text("Booked. You both get a calendar invitation by email")).to_be_visible()

    slot = Slot.objects.get(mentor=mentor)
    assert (slot.status, slot.member) == ("booked", member)
    invitations = {e.to: e for e in OutgoingEmail.objects.filter(key__startswith=f"flash:{slot.pk}:")}
    assert set(invitations) == {member.email, mentor.email}
    assert all("BEGIN:VEVENT" in e.attachments[0]["content"] for e in invitations.values())

    with time_machine.travel(slot.ends_at + timedelta(minutes=5)):
        assert services.ask_for_feedback() == 2  # the job, as beat runs it
        answer = FlashFeedback.objects.get(slot=slot, role="member")
        assert OutgoingEmail.objects.filter(key=f"flash-feedback:{answer.pk}", to=member.email).exists()
        page.goto(f"{url}/flash/feedback/{services.feedback_token(answer)}/")
        page.get_by_label("Yes").check()
        page.get_by_label("5").check()
        page.get_by_label("Anything to add (optional)").fill("Clear and kind advice.")
        screenshot(page, "flash-04-feedback")
        page.get_by_role("button", name="Send").click()
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        page.context.clear_cookies()

        reports.take_snapshot()
        sign_in(page, live_server, chair.email)
        page.goto(f"{url}/committee/{program.pk}/report/")
        header = page.locator("#h-programs").locator("xpath=../..").locator("table")
        cells = header.locator("tbody tr").first.locator("td")
        columns = header.locator("thead tr").nth(1).locator("th")
        names = columns.all_inner_texts()[1:]
        values = dict(zip(names, cells.all_inner_texts(), strict=True))
        assert (values["Flash conversations held"], values["Flash conversation hours"]) == ("1", "1")
        page.goto(f"{url}/committee/{program.pk}/flash/")
        expect(page.get_by_text("Clear and kind advice.")).to_be_visible()
        screenshot(page, "flash-05-committee")
    assert csp_violations == []
