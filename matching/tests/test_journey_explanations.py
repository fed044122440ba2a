"""Scores that explain themselves, in a real headless Chromium: the chair runs matching, reads
"why not?" under a pair and for a mentee still waiting, and opens a pair's breakdown, in points
that add up to the score."""

import re

import pytest
from playwright.sync_api import expect

from conftest import applicant, axe_violations, screenshot, sign_in
from mentoring.models import Application, Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_reads_why_not_and_the_breakdown_in_points(page, live_server, world):
    program, chair = world["program"], world["people"]["chair"]
    question = Question.objects.create(
        program=program, text="Which line of business?", kind="single", choices=["Life", "Auto"], weight=2
    )
    applicant(program, "ana.lee@example.org", "mentee", employer="Firm A", topics=["Leadership"])
    ben = applicant(program, "ben.ortiz@example.org", "mentee", employer="Firm B", topics=["Leadership", "Claims"])
    applicant(program, "cleo.park@example.org", "mentee", employer="Firm E", topics=["Leadership"])
    cody = applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Firm C")
    applicant(
        program, "dana.wu@example.org", "mentor", years=12, employer="Firm D", topics=["Claims"], languages=["French"]
    )
    for application in Application.objects.filter(program=program):
        application.extra_answers = {str(question.pk): "Life"}
        application.save(update_fields=["extra_answers"])
    Application.objects.filter(pk=ben.pk).update(availability=[])

    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/matching/")
    page.get_by_role("button", name="Propose matches").click()
    expect(page.get_by_text("proposals are ready")).to_be_visible()
    why = page.locator("td", has_text="Why not their best fit?")
    expect(why).to_have_count(1)
    expect(why).to_contain_text("Their best fit, Cody Foley")
    expect(why).to_contain_text(re.compile(r"pairing them instead would lower the total by \d+(\.\d)? points?\."))
    expect(why).to_contain_text("Incomplete questionnaire: Free at the same times (the mentee left it blank)")
    waiting = page.get_by_role("region", name="Still waiting after the last run")
    expect(waiting).to_contain_text(re.compile(r"Why not\? Their best fit, Cody Foley \(\d+ points\), went to "))
    assert axe_violations(page) == []
    screenshot(page, "matching-08-why-not")

    page.get_by_role("link", name=re.compile(f"^Details and comments on Ben Ortiz with (?!{cody.user})")).click()
    table = page.locator("table.breakdown")
    expect(table.get_by_role("rowheader", name="Which line of business?")).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"^Goal areas 1 of 2 shared: Claims \d+ of \d+$"))).to_be_visible()
    expect(
        table.get_by_role("row", name=re.compile(r"^Free at the same times the mentee did not answer 0 of \d+$"))
    ).to_be_visible()
    shown = [tuple(map(int, re.findall(r"\d+", text))) for text in table.locator("tbody td.text-end").all_inner_texts()]
    score = int(re.search(r"(\d+) of 100", table.locator("tfoot").inner_text()).group(1))
    assert sum(a for a, _ in shown) == score and sum(b for _, b in shown) == 100
    assert axe_violations(page) == []
    screenshot(page, "matching-09-breakdown")
