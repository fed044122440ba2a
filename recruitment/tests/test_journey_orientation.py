"""A mentor completes the required orientation and only then enters vetting, in a real headless
Chromium: the chair sets the orientation up, the candidate sends the questionnaire and sees the
orientation with its progress, the vetting queue keeps them apart until both items are done, then
offers the decision."""

import re

import pytest
from playwright.sync_api import expect

from conftest import make_member, screenshot, sign_in
from mentoring.models import Application, OrientationCompletion

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def send_mentor_questionnaire(page):
    page.get_by_label("What you hope to give and gain as a mentor*").fill("Pass on twenty years of claims work")
    page.get_by_label("Claims", exact=True).first.check()
    page.get_by_label("Where you are in your career*").select_option("senior")
    page.get_by_label("Years of experience in the profession*").fill("20")
    page.get_by_label("Video call").check()
    page.get_by_label("Weekday evenings").check()
    page.get_by_label("Time you can give*").select_option("2")
    page.get_by_label("How often you would like to meet*").select_option("monthly")
    page.get_by_label("Introduce yourself*").fill("Claims manager at Harbor Mutual, happy to help.")
    page.get_by_role("button", name="Send my application").click()


def test_a_mentor_finishes_the_orientation_and_only_then_enters_vetting(page, browser, live_server, world):
    program = world["program"]
    chair = world["people"]["chair"]
    mentor = make_member("rosa.mentor@example.org", program.association, first_name="Rosa", last_name="Reyes", years=20)

    # The chair adds a page and a statement to tick, both required, and requires them before vetting.
    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/")
    page.get_by_role("navigation", name="Committee").get_by_role("link", name="Orientation").click()
    expect(page.get_by_role("heading", name="Orientation", exact=True)).to_be_visible()
    page.get_by_label("A page of text to read").check()
    page.get_by_role("group", name="Title*", exact=True).get_by_label("English").fill("How our partnerships work")
    page.get_by_role("group", name="Text", exact=True).get_by_label("English").fill(
        "Meet your mentee once a month for a year.\n\nAgree on goals at the first meeting, and tell "
        "the committee early if something gets in the way."
    )
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_text("“How our partnerships work” is added to the orientation.")).to_be_visible()
    page.get_by_label("A statement the member ticks").check()
    page.get_by_role("group", name="Title*", exact=True).get_by_label("English").fill("Confidentiality")
    page.get_by_role("group", name="Text", exact=True).get_by_label("English").fill(
        "I will keep what my mentee tells me confidential."
    )
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_text("“Confidentiality” is added to the orientation.")).to_be_visible()
    page.get_by_label(re.compile("Before vetting")).check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved: Before vetting")).to_be_visible()
    screenshot(page, "orientation-01-chair")

    # The candidate sends the questionnaire and lands on the orientation.
    member_context = browser.new_context()
    member = member_context.new_page()
    sign_in(member, live_server, mentor.email)
    member.goto(f"{live_server.url}/programs/{program.pk}/apply/mentor/")
    send_mentor_questionnaire(member)
    expect(member.get_by_role("heading", name="Your orientation")).to_be_visible()
    expect(member.get_by_text("Thank you, your application is sent.")).to_be_visible()
    expect(member.get_by_role("heading", name="0 of 2 done")).to_be_visible()
    expect(member.get_by_text("2 required items left.")).to_be_visible()
    screenshot(member, "orientation-02-member")
    member.set_viewport_size({"width": 390, "height": 844})
    screenshot(member, "orientation-03-member-phone")
    assert member.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")  # nothing wider
    member.set_viewport_size({"width": 1280, "height": 720})
    application = Application.objects.get(user=mentor, program=program)
    assert application.status == Application.Status.AWAITING_VETTING

    # The committee's vetting queue shows her apart, waiting, with no decision to make.
    page.get_by_role("navigation", name="Committee").get_by_role("link", name="Vetting queue").click()
    expect(page.get_by_role("heading", name="Waiting for the orientation (1)")).to_be_visible()
    expect(page.get_by_text("Waiting for the orientation: 0 of 2 done")).to_be_visible()
    expect(page.get_by_text("No mentor is ready for a decision yet.")).to_be_visible()
    screenshot(page, "orientation-04-vetting-waiting")
    page.get_by_role("link", name="Rosa Reyes").click()
    expect(page.get_by_text("Waiting for the orientation: 0 of 2 done.")).to_be_visible()
    expect(page.get_by_label(re.compile("Approve: the candidate"))).to_have_count(0)
    screenshot(page, "orientation-04b-candidate-waiting")

    # She reads the page, then ticks the statement.
    member.get_by_role("button", name=re.compile("^I have read this")).click()
    expect(member.get_by_role("heading", name="1 of 2 done")).to_be_visible()
    member.get_by_role("button", name=re.compile("^I agree")).click()  # without the tick: the browser asks
    assert not OrientationCompletion.objects.filter(item__title="Confidentiality").exists()
    member.get_by_label("I will keep what my mentee tells me confidential.").check()
    member.get_by_role("button", name=re.compile("^I agree")).click()
    expect(
        member.get_by_text(
            "Thank you, your orientation is complete. The committee can now look at your mentor application."
        )
    ).to_be_visible()
    expect(member.get_by_role("heading", name="2 of 2 done")).to_be_visible()
    screenshot(member, "orientation-05-member-done")
    member.get_by_role("link", name="Back to my mentoring").click()
    expect(member.get_by_text("everything required is done")).to_be_visible()
    screenshot(member, "orientation-05b-my-mentoring")
    member_context.close()

    # Now the vetting queue offers the decision.
    page.get_by_role("navigation", name="Committee").get_by_role("link", name="Vetting queue").click()
    expect(page.get_by_role("heading", name=re.compile("Waiting for the orientation"))).to_have_count(0)
    page.get_by_role("link", name="Rosa Reyes").click()
    expect(page.get_by_text("Orientation finished (2 required items).")).to_be_visible()
    page.get_by_label(re.compile("Approve: the candidate")).check()
    screenshot(page, "orientation-06-vetting-ready")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text(re.compile("Decision recorded"))).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.IN_POOL
