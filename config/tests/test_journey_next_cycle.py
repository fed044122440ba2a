"""Next year's cycle in one click (issue 29), in a real headless Chromium: the chair copies the
program from its set-up, reads what will be copied and the new dates, copies it, finds the next
cycle with its dates moved on and the same questions, and this cycle's partnership as it was."""

import datetime

import pytest
from playwright.sync_api import expect

from conftest import partnership_for, screenshot, sign_in
from feedback import surveys
from mentoring.models import Partnership, Program, Question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_chair_copies_the_program_for_its_next_cycle(page, live_server, world, csp_violations):
    program, chair = world["program"], world["people"]["chair"]
    Program.objects.filter(pk=program.pk).update(
        name="Northport new members 2028",
        summary_en="A year beside an experienced member.",
        summary_fr="Une année aux côtés d’un membre d’expérience.",
        enrollment_opens_on=datetime.date(2028, 2, 29),
        enrollment_closes_on=datetime.date(2028, 3, 31),
    )
    Question.objects.create(
        program=program,
        text_en="Which line of business do you work in?",
        text_fr="Dans quel secteur travaillez-vous?",
        kind="single",
        choices=["Personal lines", "Claims"],
        choice_labels_en=["Personal lines", "Claims"],
        choice_labels_fr=["Assurance des particuliers", "Sinistres"],
        weight=2,
    )
    surveys.add_question(program=program, survey="periodic", audience="both", kind="scale", text="How useful?")
    partnership = partnership_for(program, chair)

    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/setup/")
    page.get_by_role("link", name="Copy for the next cycle").click()

    expect(page.get_by_role("heading", name="The next cycle of Northport new members 2028")).to_be_visible()
    expect(page.get_by_test_id("opens-on")).to_contain_text("Feb. 28, 2029")  # 29 February, a year on
    expect(page.get_by_test_id("closes-on")).to_contain_text("March 31, 2029")
    expect(page.get_by_role("row", name="Questions of the questionnaire 1")).to_be_visible()
    expect(page.get_by_role("row", name="Survey questions 1")).to_be_visible()
    expect(page.get_by_label("Name of the next cycle")).to_have_value("Northport new members 2029")
    screenshot(page, "next-cycle-01-confirm")

    page.get_by_role("button", name="Copy the program").click()
    expect(page.get_by_text("Northport new members 2029 is ready, with enrollment closed.")).to_be_visible()
    copy = Program.objects.get(copied_from=program)
    assert page.url.endswith(f"/committee/{copy.pk}/setup/")
    screenshot(page, "next-cycle-02-copied")

    # The next cycle's dates, moved on, in its essentials; enrollment closed until the chair opens it.
    page.get_by_role("link", name="Edit essentials").click()
    expect(page.get_by_label("Opens on (optional)")).to_have_value("2029-02-28")
    expect(page.get_by_label("Closes on (optional)")).to_have_value("2029-03-31")
    expect(page.get_by_label("Enrollment open")).not_to_be_checked()
    # The same questions, in both languages.
    page.goto(f"{live_server.url}/committee/{copy.pk}/questions/")
    expect(
        page.get_by_role("cell", name="Which line of business do you work in? Personal lines · Claims")
    ).to_be_visible()
    assert Question.objects.get(program=copy).choice_labels_fr == ["Assurance des particuliers", "Sinistres"]

    # This cycle's partnership is where it was, with its partners, active.
    page.goto(f"{live_server.url}/committee/{program.pk}/partnerships/")
    expect(page.get_by_text(partnership.mentee.get_full_name()).first).to_be_visible()
    assert Partnership.objects.get(pk=partnership.pk).status == Partnership.Status.ACTIVE
    assert not Partnership.objects.filter(program=copy).exists()

    # A second try is refused, naming the copy.
    page.goto(f"{live_server.url}/programs/{program.pk}/next-cycle/")
    expect(page.get_by_text("This program was copied for its next cycle already")).to_be_visible()
    expect(page.get_by_role("link", name="Northport new members 2029")).to_be_visible()
    expect(page.get_by_role("button", name="Copy the program")).to_have_count(0)
    assert Program.objects.filter(copied_from=program).count() == 1
    assert csp_violations == []
