"""A mentoring circle with three mentees meets and answers feedback (issue 29), in a real headless
Chromium: the chair turns circles on in the set-up and forms a circle (a vetted mentor, three
mentees from the accepted applications); the mentor schedules a meeting from My mentoring and
every member has their own invitation in the outbox; once it has taken place the job asks each
member, they answer by their links, the committee reads what they said, and the chair's report
counts one circle meeting, its four members and one meeting held."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from circles import services
from circles.models import Circle, CircleFeedback, CircleMeeting
from conftest import applicant, screenshot, sign_in
from outbox.models import OutgoingEmail
from reports import figures as reports

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_circle_with_three_mentees_meets_answers_feedback_and_is_counted(page, live_server, world, csp_violations):
    program, chair = world["program"], world["people"]["chair"]
    mentor = applicant(program, "morgan.mentor@example.org", "mentor", years=20, employer="Harbour Insurance").user
    mentees = [
        applicant(program, f"{name}.new@example.org", "mentee", employer=f"{name.title()} Agency").user
        for name in ("alex", "bea", "chris")
    ]
    url = live_server.url

    sign_in(page, live_server, chair.email)
    page.goto(f"{url}/committee/{program.pk}/setup/?section=matching")
    page.get_by_label("Mentoring circles").check()
    page.get_by_label("Mentees in a circle, at most").fill("5")
    page.get_by_role("button", name="Save matching").click()
    page.get_by_role("link", name="Mentoring circles").click()  # the committee's menu
    page.get_by_label("Name").fill("New in claims")
    page.get_by_label("What the circle is about (optional)").fill("Claims careers, and a first designation.")
    screenshot(page, "circles-01-committee-new")
    page.get_by_role("button", name="Make the circle").click()
    expect(page.get_by_text("The circle is made. Now add its mentor and mentees.")).to_be_visible()
    page.get_by_label("Add a mentor").select_option(label=mentor.get_full_name())
    page.get_by_role("button", name="Add this mentor").click()
    for mentee in mentees:
        page.get_by_label("Add a mentee").select_option(label=mentee.get_full_name())
        page.get_by_role("button", name="Add this mentee").click()
        expect(page.get_by_text(f"{mentee.get_full_name()} is in the circle, and told by email.")).to_be_visible()
    screenshot(page, "circles-02-committee-circle")
    circle = Circle.objects.get(name="New in claims")
    assert circle.members.count() == 4
    page.context.clear_cookies()

    sign_in(page, live_server, mentor.email)
    page.goto(f"{url}/mentoring/")
    page.get_by_role("link", name="New in claims").click()
    day = timezone.localdate() + timedelta(days=3)
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("How you will meet").select_option("video")
    page.get_by_label("Video link").fill("https://meet.example.org/new-in-claims")
    page.get_by_label("Agenda").fill("Introductions, and what each of you wants from the circle.")
    page.get_by_role("button", name="Schedule and invite everyone").click()
    expect(page.get_by_text("The meeting is scheduled. Every member gets a calendar invitation.")).to_be_visible()
    screenshot(page, "circles-03-circle-page")
    page.context.clear_cookies()

    meeting = CircleMeeting.objects.get(circle=circle)
    invitations = {e.to: e for e in OutgoingEmail.objects.filter(key__startswith=f"circle-meeting:{meeting.pk}:")}
    assert set(invitations) == {mentor.email, *(m.email for m in mentees)}
    for address, email in invitations.items():
        calendar = email.attachments[0]["content"].replace("\r\n ", "")
        assert "BEGIN:VEVENT" in calendar and f"mailto:{address}" in calendar

    sign_in(page, live_server, mentees[0].email)
    page.goto(f"{url}/mentoring/")
    expect(page.get_by_role("heading", name="My circles")).to_be_visible()
    expect(page.get_by_text("Next meeting:")).to_be_visible()
    screenshot(page, "circles-04-my-mentoring")
    page.context.clear_cookies()

    with time_machine.travel(meeting.ends_at + timedelta(minutes=5)):
        assert services.ask_for_feedback() == 4  # the job, as beat runs it
        for k, mentee in enumerate(mentees):
            answer = CircleFeedback.objects.get(meeting=meeting, respondent=mentee)
            assert OutgoingEmail.objects.filter(key=f"circle-feedback:{answer.pk}", to=mentee.email).exists()
            page.goto(f"{url}/circles/feedback/{services.feedback_token(answer)}/")
            page.get_by_label(str(5 - k)).check()
            page.get_by_label("Anything to add (optional)").fill(f"Note from {mentee.first_name}: helpful.")
            if k == 0:
                screenshot(page, "circles-05-feedback")
            page.get_by_role("button", name="Send").click()
            expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        page.context.clear_cookies()

        reports.take_snapshot()
        sign_in(page, live_server, chair.email)
        page.goto(f"{url}/committee/{program.pk}/circles/")
        page.get_by_role("link", name="What members said after meetings (confidential)").click()
        for mentee in mentees:
            expect(page.get_by_text(f"Note from {mentee.first_name}: helpful.")).to_be_visible()
        screenshot(page, "circles-06-committee-feedback")
        page.goto(f"{url}/committee/{program.pk}/report/")
        table = page.locator("#h-programs").locator("xpath=../..").locator("table")
        names = table.locator("thead tr").nth(1).locator("th").all_inner_texts()[1:]
        values = dict(zip(names, table.locator("tbody tr").first.locator("td").all_inner_texts(), strict=True))
        assert (values["Circles meeting"], values["Members in circles"], values["Circle meetings held"]) == (
            "1",
            "4",
            "1",
        )
        screenshot(page, "circles-07-report")
    assert csp_violations == []
