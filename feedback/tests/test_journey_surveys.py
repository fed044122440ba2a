"""Surveys the chair designs, end to end in a real headless Chromium: the chair adds a "would you
recommend" question and a single-choice question to the close-out survey and previews it;
partners answer through their emailed links; the chair's report shows the results where enough
partners answered and "too few to report" where not, in this program and in another one."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import link, partnership_for, screenshot, sign_in
from feedback import services, surveys
from feedback.models import Response, Solicitation, SurveyAnswer, SurveyQuestion
from mentoring.models import SiteSettings
from partnerships import life

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NPS = "How likely are you to recommend this program to a colleague?"
CHOICE = "What helped you most?"


def close_out(program, chair, tag):
    """A partnership the chair completes: the close-out survey goes to both partners."""
    partnership = partnership_for(program, chair, tag)
    life.complete(partnership=partnership, by=chair)
    services.create_due_solicitations()  # the feedback job asks the final round
    services.send_solicitations()
    return {s.role: s for s in Solicitation.objects.filter(partnership=partnership, is_final=True)}


def answer_by_link(page, live_server, solicitation, nps, choice=None):
    page.goto(live_server.url + link(solicitation))
    expect(page.get_by_role("heading", name="How did it go?")).to_be_visible()
    page.locator('input[name="satisfaction"][value="4"]').check()
    page.get_by_role("radio", name="About once a month").check()
    page.get_by_role("radio", name="Goals reached").check()
    page.locator('input[name="working"][value="yes"]').check()
    program = solicitation.partnership.program
    questions = {q.versions.get().text: q for q in SurveyQuestion.objects.filter(program=program)}
    page.locator(f'input[name="{questions[NPS].field_name}"][value="{nps}"]').check()
    if choice and CHOICE in questions:
        page.get_by_role("radio", name=choice).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()


def test_the_chair_designs_a_close_out_survey_partners_answer_it_and_the_report_shows_it(
    page, live_server, world, csp_violations
):
    program, chair = world["program"], world["people"]["chair"]
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 3})

    # --- The chair adds two questions to the close-out survey.
    sign_in(page, live_server, chair.email)
    page.goto(live_server.url + reverse("committee:dashboard", args=[program.pk]))
    page.get_by_role("link", name="Surveys").click()
    expect(page.get_by_role("heading", name="Surveys", exact=True)).to_be_visible()
    page.locator("#id_text_en").fill(NPS)
    page.locator("#id_survey").select_option("closeout")
    page.locator("#id_kind").select_option("nps")
    page.get_by_label("An answer is required").check()
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("The question is added")).to_be_visible()
    # A choice question without its answers is refused in words, and what was typed stays.
    page.locator("#id_text_en").fill(CHOICE)
    page.locator("#id_survey").select_option("closeout")
    page.locator("#id_audience").select_option("mentee")
    page.locator("#id_kind").select_option("single")
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("A choice question needs at least two answers").first).to_be_visible()
    expect(page.locator("#id_text_en")).to_have_value(CHOICE)
    page.get_by_role("group", name="Answers to choose from").get_by_label("English").fill(
        "Regular meetings\nSetting goals\nMeeting people in the trade"
    )
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_text("The question is added")).to_be_visible()
    screenshot(page, "surveys-01-chair-page")
    page.get_by_role("link", name="as a mentee (Close-out survey (the final round))").click()
    expect(page.get_by_text(CHOICE)).to_be_visible()
    screenshot(page, "surveys-02-preview")

    # --- Partners answer through their links: three mentees and a mentor here.
    rounds = [close_out(program, chair, tag) for tag in "abc"]
    answer_by_link(page, live_server, rounds[0]["mentee"], 10, "Regular meetings")
    answer_by_link(page, live_server, rounds[1]["mentee"], 9, "Setting goals")
    answer_by_link(page, live_server, rounds[2]["mentee"], 6)  # leaves the optional choice out
    # One answer shown as the partner sees it, before sending.
    page.goto(live_server.url + link(rounds[0]["mentor"]))
    expect(page.get_by_text(NPS)).to_be_visible()
    expect(page.get_by_text(CHOICE)).to_have_count(0)  # asked of mentees only
    screenshot(page, "surveys-03-partner-form")
    answer_by_link(page, live_server, rounds[0]["mentor"], 8)
    assert Response.objects.filter(partnership__program=program).count() == 4
    assert SurveyAnswer.objects.filter(version__text=CHOICE).count() == 2

    # --- The report: the recommendation question has enough answers, the choice does not.
    page.goto(live_server.url + reverse("committee:report", args=[program.pk]))
    results = page.locator("#h-surveys").locator("xpath=..")
    nps_card = results.locator("article", has=page.get_by_role("heading", name=NPS))
    # 2 promoters (9, 10), 1 detractor (6) of 4: (2 - 1) / 4 = 25.
    expect(nps_card.get_by_text("Net promoter score 25")).to_be_visible()
    expect(nps_card.get_by_role("row", name="10 1 25.0 %")).to_be_visible()
    choice_card = results.locator("article", has=page.get_by_role("heading", name=CHOICE))
    expect(choice_card.get_by_text("Too few to report: fewer than 3 partners answered.")).to_be_visible()
    results.scroll_into_view_if_needed()
    screenshot(page, "surveys-04-report")
    # The table as CSV.
    with page.expect_download() as download:
        nps_card.get_by_role("link", name="CSV").click()
    csv = open(download.value.path(), encoding="utf-8").read()
    assert "Net promoter score" in csv and "10,1,25.0" in csv

    # --- Another program, another chair: one partner answered, too few to report.
    other, other_chair = world["other_program"], world["people"]["other_chair"]
    surveys.add_question(program=other, survey="closeout", audience="both", kind="nps", text=NPS)
    answer_by_link(page, live_server, close_out(other, other_chair, "south")["mentee"], 10)
    page.context.clear_cookies()
    sign_in(page, live_server, other_chair.email)
    page.goto(live_server.url + reverse("committee:report", args=[other.pk]))
    card = page.locator("article", has=page.get_by_role("heading", name=NPS))
    expect(card.get_by_text("Too few to report: fewer than 3 partners answered.")).to_be_visible()
    expect(card.get_by_text("Net promoter score")).to_have_count(0)
    screenshot(page, "surveys-05-too-few")
    assert csp_violations == []
