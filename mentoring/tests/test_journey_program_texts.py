"""In a real headless Chromium: the chair writes the program's summary and a question in
English and French side by side, and a French member reads them in French (issue 26)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import screenshot, sign_in
from mentoring.models import Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_chair_writes_both_languages_side_by_side_and_a_french_member_reads_french(
    page, browser, live_server, world, csp_violations
):
    program = world["program"]
    sign_in(page, live_server, world["people"]["chair"].email)

    page.goto(f"{live_server.url}/committee/{program.pk}/setup/?section=essentials")
    summary = page.get_by_role("group", name="Summary", exact=True)
    summary.get_by_label("English").fill("A year beside an experienced Northport member.")
    summary.get_by_label("Français").fill("Une année aux côtés d’un membre d’expérience de Northport.")
    screenshot(page, "program-texts-01-summary-side-by-side")
    page.get_by_role("button", name="Save essentials").click()
    expect(page.get_by_text("Saved: essentials.")).to_be_visible()

    page.goto(f"{live_server.url}/committee/{program.pk}/questions/")
    question = page.get_by_role("group", name="Question*", exact=True)
    question.get_by_label("English").fill("Which line of business do you work in?")
    page.get_by_label("Kind*").select_option("single")
    answers = page.get_by_role("group", name="Answers to choose from")
    answers.get_by_label("English").fill("Personal lines\nCommercial lines")
    answers.get_by_label("Français").fill("Assurance des particuliers")
    page.get_by_role("button", name="Save question").click()
    # Not as many answers in French: refused in words, and both boxes keep what was typed.
    expect(page.get_by_text("The English and French answers are the same answers")).to_be_visible()
    expect(answers.get_by_label("English")).to_have_value("Personal lines\nCommercial lines")
    question.get_by_label("Français").fill("Dans quel secteur travaillez-vous ?")
    answers.get_by_label("Français").fill("Assurance des particuliers\nAssurance des entreprises")
    screenshot(page, "program-texts-02-question-side-by-side")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_role("cell", name=re.compile("^Which line of business do you work in?"))).to_be_visible()
    saved = Question.objects.get(program=program)
    assert saved.choices == ["Personal lines", "Commercial lines"]
    assert saved.text_fr == "Dans quel secteur travaillez-vous ?"

    member = world["people"]["member"]
    member.language = "fr"
    member.save(update_fields=["language"])
    context = browser.new_context()
    french = context.new_page()
    sign_in(french, live_server, member.email)
    french.goto(f"{live_server.url}/programs/{program.pk}/")
    expect(french.get_by_text("Une année aux côtés d’un membre d’expérience de Northport.")).to_be_visible()
    french.goto(f"{live_server.url}/programs/{program.pk}/apply/mentee/")
    expect(french.get_by_text("Dans quel secteur travaillez-vous ?")).to_be_visible()
    expect(french.get_by_label("Assurance des entreprises")).to_be_visible()
    screenshot(french, "program-texts-03-questionnaire-in-french")
    context.close()
    assert csp_violations == []
