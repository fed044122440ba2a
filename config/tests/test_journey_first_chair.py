"""A chair who never saw the app, in a real headless Chromium: from the link in the email that
appointed them to the first approved match. They accept the pledge, complete the program's
essentials, vet two mentors, propose matches and approve the first pair. Every click is
counted and printed (the target: under 15), and on every page with a form the button that
saves it is on the screen without scrolling."""

import re

import pytest
from playwright.sync_api import expect

from conftest import applicant, make_member, screenshot, sign_in
from mentoring import services
from mentoring.models import Application, Partnership, Program

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = 15


class Clicks:
    """Clicks and ticks, counted as a person makes them."""

    def __init__(self):
        self.log = []

    def __call__(self, locator, why):
        expect(locator).to_be_in_viewport()  # found without scrolling
        locator.click()
        self.log.append(why)


def test_a_first_time_chair_reaches_the_first_approved_match_in_under_15_clicks(page, live_server, world):
    program = world["program"]
    Program.objects.filter(pk=program.pk).update(summary="", require_two_factor=False)
    chair = make_member("new.chair@example.org", world["associations"]["northport"], first_name="Nina", years=15)
    services.appoint_chair(program=program, user=chair, by=world["people"]["staff"])
    for k, employer in enumerate(["Harbor", "Keystone"]):
        applicant(program, f"candidate.{k}@example.org", "mentor", years=20, employer=employer)
    Application.objects.filter(program=program, role="mentor").update(status=Application.Status.AWAITING_VETTING)
    for k in range(2):
        applicant(program, f"newcomer.{k}@example.org", "mentee", employer=f"Firm {k}")
    click = Clicks()

    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/")  # the link in the appointment email

    # The pledge first: the dashboard says so.
    click(page.get_by_role("link", name="Read the pledge"), "open the pledge")
    click(page.get_by_label("I have read the pledge and I accept it."), "tick the pledge")
    click(page.get_by_role("button", name="Accept the pledge"), "accept the pledge")

    # What to do next, in order: the program's essentials.
    steps = page.get_by_role("region", name="What to do next")
    expect(steps).to_contain_text("Finish the program's set-up: 1 thing to do before members can apply")
    screenshot(page, "first-chair-01-next-steps")
    click(steps.get_by_role("link", name=re.compile("^Do it now")), "open the essentials")
    page.get_by_role("group", name="Summary", exact=True).get_by_label("English").fill(
        "A year beside an experienced Northport member."
    )
    screenshot(page, "first-chair-02-essentials")
    click(page.get_by_role("button", name="Save essentials"), "save the essentials")

    # Vet the two candidates, one page each.
    click(steps.get_by_role("link", name=re.compile("^Vet them")), "open the vetting queue")
    click(page.get_by_role("link", name=re.compile("^Candidate")).first, "open the first candidate")
    for k in range(2):
        expect(page.get_by_role("heading", name=re.compile("Candidate"))).to_be_visible()
        click(page.get_by_label("Approve: the candidate enters the matching pool"), "approve the candidate")
        if k == 0:
            screenshot(page, "first-chair-03-vetting")
        click(page.get_by_role("button", name="Record"), "record the decision")

    # Back on the dashboard: propose matches, then approve the first pair from its row.
    expect(steps).to_contain_text("2 mentees are waiting and 2 mentors ready: propose matches")
    click(steps.get_by_role("button", name=re.compile("^Propose matches")), "propose matches")
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    screenshot(page, "first-chair-04-proposals")
    page.set_viewport_size({"width": 390, "height": 844})  # the same queue on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "first-chair-04-proposals-phone")
    page.set_viewport_size({"width": 1280, "height": 720})
    # One way to approve: tick the pair in the "Choose" column, then approve the ticked pairs.
    expect(page.get_by_role("columnheader", name="Choose")).to_be_visible()
    click(page.get_by_role("checkbox", name=re.compile("^Choose Newcomer")).first, "tick the first pair")
    click(page.get_by_role("button", name="Approve the ticked pairs"), "approve the ticked pair")
    expect(page.get_by_text("1 partnership approved")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Next: Newcomer \d with Candidate \d \(the last one\)\."))).to_be_visible()
    screenshot(page, "first-chair-05-approved-next")

    assert Partnership.objects.filter(program=program).count() == 1
    print(f"\nFirst-time chair: {len(click.log)} clicks to the first approved match")
    for k, why in enumerate(click.log, 1):
        print(f"  {k:2}. {why}")
    assert len(click.log) < TARGET
