"""Closing on time, end to end in a real headless Chromium: the committee sees a partnership
past its planned end and the day it will complete; the grace period passes and the hourly job
completes it; both partners follow their close-out links (the final feedback round) and answer;
the committee sees it completed automatically, with both answers."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from conftest import applicant, approved, axe_violations, screenshot, sign_in
from feedback import closing, tasks
from feedback.models import Response
from mentoring.models import Partnership
from outbox.emails import send_pending_emails
from partnerships.agreements import confirm_agreement

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def close_out_link(email, live_server):
    [message] = [m for m in mail.outbox if m.to == [email] and "How did your partnership go?" in m.subject]
    link = re.search(r"https?://\S+/feedback/\S+/", message.body).group(0)
    assert link.startswith(live_server.url)
    return link


def answer(page, link, *, satisfaction, progress, words):
    page.goto(link)
    expect(page.get_by_role("heading", name="How did it go?")).to_be_visible()
    page.get_by_role("radio", name=satisfaction, exact=True).check()
    page.get_by_role("radio", name="About once a month").check()
    page.get_by_role("radio", name=progress).check()
    page.get_by_role("radio", name="Yes", exact=True).check()
    page.get_by_label("Anything the committee should know?").fill(words)


def test_a_partnership_past_its_end_completes_on_time_and_both_partners_answer_the_close_out(
    page, live_server, world, settings, csp_violations
):
    program, chair = world["program"], world["people"]["chair"]
    settings.SITE_URL = live_server.url  # the links in the emails point at this server
    dana = applicant(program, "dana.reyes@example.org", "mentee", employer="Harbor Mutual")
    oliver = applicant(program, "oliver.grant@example.org", "mentor", years=22, employer="Keystone")
    partnership = approved(dana, oliver, by=chair)
    for person in (partnership.mentee, partnership.mentor):
        confirm_agreement(partnership=partnership, user=person)
    send_pending_emails()  # the introductions
    # A year and 20 days on: the planned end was 20 days ago (the grace period is 30 days).
    today = timezone.localdate()
    Partnership.objects.filter(pk=partnership.pk).update(
        started_on=today - timedelta(days=385), planned_end_on=today - timedelta(days=20)
    )

    # --- The chair finds the two settings in the set-up's feedback section (kept as they are).
    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/setup/?section=feedback")
    expect(page.get_by_label("Complete automatically after the planned end (days)")).to_have_value("30")
    expect(page.get_by_label("Tell waiting mentees we are still looking every (days)")).to_have_value("30")
    page.get_by_label("Complete automatically after the planned end (days)").focus()
    expect(page.get_by_text("A kind note to mentees without a mentor yet. Leave empty to send none.")).to_be_visible()
    assert axe_violations(page) == []
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": 1000})  # the save bar sticks below the fields
    screenshot(page, "closeout-00-settings")
    page.set_viewport_size(size)

    # --- The committee sees it in the attention queue, with the day it completes.
    page.goto(f"{live_server.url}/committee/{program.pk}/partnerships/")
    attention = page.locator("section[aria-labelledby=attention]")
    on = today + timedelta(days=10)
    expect(
        attention.get_by_text(
            f"Past its planned end (20 days); completes automatically on {on:%B} {on.day}, {on.year} unless extended"
        )
    ).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "closeout-01-attention")
    attention.get_by_role("link", name="Dana Reyes with Oliver Grant").click()
    expect(page.get_by_text("Unless it is extended, it completes automatically 30 days after")).to_be_visible()

    # --- Ten days later nobody extended it: the hourly job completes it (a second run does nothing).
    Partnership.objects.filter(pk=partnership.pk).update(
        started_on=today - timedelta(days=395), planned_end_on=today - timedelta(days=30)
    )
    mail.outbox.clear()
    assert closing.complete_overdue_partnerships() == 1
    assert closing.complete_overdue_partnerships() == 0
    tasks.send_feedback_asks()  # the minute task: asks the final round of what completed, sends it
    send_pending_emails()
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert subjects == [
        ("dana.reyes@example.org", "Congratulations on completing Northport new members"),
        ("dana.reyes@example.org", "How did your partnership go? (Northport new members)"),
        ("oliver.grant@example.org", "Congratulations on completing Northport new members"),
        ("oliver.grant@example.org", "How did your partnership go? (Northport new members)"),
    ]

    # --- Both partners follow their own close-out link, without signing in (in a browser of their
    # own: the chair's stays signed in), and answer.
    chair_page, page = page, page.context.browser.new_page()
    answer(
        page,
        close_out_link("dana.reyes@example.org", live_server),
        satisfaction="5 · Very satisfied",
        progress="Good progress",
        words="Oliver helped me find my feet in the association. Thank you!",
    )
    assert axe_violations(page) == []
    screenshot(page, "closeout-02-mentee-answers")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    screenshot(page, "closeout-03-thanks")

    answer(
        page,
        close_out_link("oliver.grant@example.org", live_server),
        satisfaction="4",
        progress="Some progress",
        words="Dana is ready to mentor someone herself next year.",
    )
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    answers = {r.role: (r.satisfaction, r.round) for r in Response.objects.filter(partnership=partnership)}
    assert set(answers) == {"mentee", "mentor"} and answers["mentee"][0] == 5 and answers["mentor"][0] == 4

    # --- The committee: completed automatically, both answers in, nothing left to attend to.
    page.close()
    page = chair_page
    page.goto(f"{live_server.url}/committee/{program.pk}/partnerships/")
    expect(page.locator("section[aria-labelledby=attention]").get_by_text("Nothing needs attention.")).to_be_visible()
    page.get_by_role("link", name="Completed").click()
    page.get_by_role("link", name="Dana Reyes").click()
    expect(page.get_by_text("Completed · since")).to_be_visible()
    expect(
        page.get_by_text("Completed automatically after the grace period (30 days after the planned end).")
    ).to_be_visible()
    expect(page.get_by_text("the program · completed")).to_be_visible()
    expect(page.get_by_text("Oliver helped me find my feet")).to_be_visible()
    expect(page.get_by_text("ready to mentor someone herself")).to_be_visible()
    expect(page.get_by_text("(final), the mentee: answered")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "closeout-04-completed-automatically")
    assert csp_violations == []
