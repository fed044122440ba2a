"""The program journeys in a real headless Chromium: a member fills in a questionnaire with the
program's own questions, leaves and comes back to an intact draft; a chair sets the program up;
a committee member accepts the pledge, sets up two-factor sign-in and vets a candidate."""

import re
import time

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, axe_violations, make_member, screenshot, sign_in, totp_code
from mentoring.models import Application, CommitteeMembership, Question, VettingNote
from mentoring.services import start_application, submit_application
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_questions(program):
    return [
        Question.objects.create(
            program=program,
            text="Which line of business do you work in?",
            kind="single",
            choices=["Personal lines", "Commercial lines", "Claims"],
            required=True,
            weight=2,
        ),
        Question.objects.create(program=program, text="How comfortable are you speaking to a group?", kind="scale"),
        Question.objects.create(
            program=program,
            text="What would you like to do together?",
            kind="multiple",
            choices=["Shadowing", "Events"],
        ),
    ]


def test_member_fills_in_the_questionnaire_leaves_and_finds_the_draft(page, live_server, world, csp_violations):
    program = world["program"]
    questions = add_questions(program)
    sign_in(page, live_server, world["people"]["member"].email)
    page.get_by_role("link", name="My mentoring").first.click()
    expect(page.get_by_role("heading", name="Programs you can join")).to_be_visible()
    page.get_by_role("link", name="Apply as mentee").first.click()

    # Half of the questionnaire, then the member walks away without pressing anything.
    page.get_by_label("Your goals*").fill("Find my feet in commercial lines and meet people")
    page.get_by_label("Claims", exact=True).first.check()
    page.get_by_label("Leadership").check()
    page.get_by_label("Where you are in your career*").select_option("early")
    page.get_by_label("Commercial lines").check()
    page.get_by_label("Years of experience in the profession*").fill("2")
    expect(page.locator("#draft-status")).to_have_text("Saving…")
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    screenshot(page, "questionnaire-01-draft-saved")
    page.goto(live_server.url + "/")

    page.goto(live_server.url + "/mentoring/")
    expect(page.get_by_text("Draft, not sent yet").first).to_be_visible()
    page.get_by_role("link", name="Continue", exact=True).click()
    expect(page.get_by_label("Your goals*")).to_have_value("Find my feet in commercial lines and meet people")
    expect(page.get_by_label("Leadership")).to_be_checked()
    expect(page.get_by_label("Commercial lines")).to_be_checked()
    expect(page.get_by_label("Where you are in your career*")).to_have_value("early")
    expect(page.get_by_label("Years of experience in the profession*")).to_have_value("2")

    # Sending it incomplete: plain-language errors, nothing typed is lost.
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("Some answers need another look")).to_be_visible()
    expect(page.get_by_label("Your goals*")).to_have_value("Find my feet in commercial lines and meet people")
    assert axe_violations(page) == []
    screenshot(page, "questionnaire-02-errors")

    page.get_by_label("Video call").check()
    page.get_by_label("Weekday evenings").check()
    page.get_by_label("Time you can give*").select_option("2")
    page.get_by_label("How often you would like to meet*").select_option("monthly")
    page.locator(f"#div_id_q{questions[1].pk}").get_by_label("4").check()
    page.get_by_label("Introduce yourself*").fill("I joined last spring after ten years in retail.")
    page.get_by_role("button", name="Send my application").click()

    expect(page.get_by_text("your application is sent")).to_be_visible()
    expect(page.get_by_text("Waiting to be matched").first).to_be_visible()
    screenshot(page, "questionnaire-03-sent")
    application = Application.objects.get(user=world["people"]["member"], program=program)
    assert application.status == "in_pool"
    assert set(application.topics) == {"Claims", "Leadership"}
    assert sorted(application.extra_answers.values(), key=str) == sorted(["Commercial lines", 4, []], key=str)
    assert application.draft == {}
    assert OutgoingEmail.objects.filter(to="member@example.org").count() == 1
    assert csp_violations == []


def test_chair_sets_up_the_program_and_its_extra_questions(page, live_server, world, csp_violations):
    program = world["program"]
    sign_in(page, live_server, world["people"]["chair"].email)
    page.get_by_role("button", name="Committees").click()
    page.get_by_role("link", name="Northport new members Chair").click()
    page.get_by_role("link", name="Program set-up").click()

    # The set-up opens on its checklist; each section opens and saves on its own.
    expect(page.get_by_role("heading", name="Before members can apply")).to_be_visible()
    screenshot(page, "setup-00-checklist")
    page.get_by_role("link", name="Edit essentials").click()
    page.get_by_role("group", name="Summary", exact=True).get_by_label("English").fill(
        "A year beside an experienced Northport member."
    )
    page.get_by_label("Goal areas*").fill("Claims\nUnderwriting\nLeadership\n\nClaims\nAgency management")
    assert axe_violations(page) == []
    screenshot(page, "setup-01-essentials")
    page.get_by_role("button", name="Save essentials").click()
    expect(page.get_by_text("Saved: essentials.")).to_be_visible()
    page.get_by_role("link", name="Edit who can take part").click()
    page.get_by_label("Mentees joined within (months)").fill("18")
    page.get_by_role("button", name="Save who can take part").click()
    expect(page.get_by_text("Saved: who can take part.")).to_be_visible()
    page.get_by_role("link", name="Edit objectives and timeline").click()
    page.locator("#id_objectives-0-description").fill("New members feel at home")
    page.locator("#id_objectives-0-target").fill("4.5")
    page.get_by_role("button", name="Save objectives and timeline").click()
    expect(page.get_by_text("Saved: objectives and timeline.")).to_be_visible()
    program.refresh_from_db()
    assert program.summary == "A year beside an experienced Northport member."
    assert program.mentee_joined_within_months == 18
    assert program.topics == ["Claims", "Underwriting", "Leadership", "Agency management"]
    assert program.objectives.get().description == "New members feel at home"

    page.get_by_role("link", name="Extra questions").click()
    page.get_by_role("group", name="Question*", exact=True).get_by_label("English").fill(
        "Which line of business do you work in?"
    )
    page.get_by_label("Kind*").select_option("single")
    page.get_by_role("group", name="Answers to choose from").get_by_label("English").fill("Personal lines")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_text("A choice question needs at least two answers")).to_be_visible()
    expect(page.get_by_role("group", name="Question*", exact=True).get_by_label("English")).to_have_value(
        "Which line of business do you work in?"
    )
    page.get_by_role("group", name="Answers to choose from").get_by_label("English").fill(
        "Personal lines\nCommercial lines"
    )
    page.get_by_label("Matching weight*").fill("3")
    page.get_by_role("button", name="Save question").click()
    expect(page.get_by_role("cell", name=re.compile("^Which line of business"))).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "setup-02-questions")
    question = program.questions.get()
    assert (question.choices, float(question.weight)) == (["Personal lines", "Commercial lines"], 3.0)

    # A new member sees the new question on the questionnaire.
    newcomer = make_member("newcomer@example.org", world["associations"]["northport"], years=1)
    page.context.clear_cookies()
    sign_in(page, live_server, newcomer.email)
    page.goto(live_server.url + f"/programs/{program.pk}/apply/mentee/")
    expect(page.get_by_text("Which line of business do you work in?")).to_be_visible()
    assert csp_violations == []


def test_committee_member_accepts_the_pledge_sets_up_two_factor_and_vets(page, live_server, world, csp_violations):
    program = world["program"]
    candidate = make_member("candidate@example.org", world["associations"]["northport"], first_name="Cam", years=20)
    application = start_application(program=program, user=candidate, role="mentor")
    submit_application(application=application, answers={"goals": "Give back to Northport"}, extra_answers={})
    secretary = world["people"]["unpledged_member"]

    sign_in(page, live_server, secretary.email)
    page.goto(live_server.url + f"/committee/{program.pk}/vetting/")
    # Closed until the pledge: the queue leads to it, saying why.
    expect(page.get_by_text("You will see this once you have accepted the pledge")).to_be_visible()
    screenshot(page, "vetting-00-pledge-first")
    page.get_by_label("I have read the pledge and I accept it.").check()
    page.get_by_role("button", name="Accept the pledge").click()
    expect(page.get_by_text("Your pledge is recorded")).to_be_visible()
    seat = CommitteeMembership.objects.get(program=program, user=secretary)
    assert seat.has_current_pledge

    # Two-factor sign-in is required by the program: the queue sends the member to set it up.
    page.get_by_role("link", name="Vetting queue").click()
    expect(page.get_by_text("need two-factor sign-in")).to_be_visible()
    if page.get_by_role("heading", name="Confirm Access").is_visible():  # allauth checks the password first
        page.get_by_label("Password*", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Activate Authenticator App")).to_be_visible()
    screenshot(page, "vetting-01-two-factor")
    secret = page.locator("#authenticator_secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Activate").click()

    page.goto(live_server.url + f"/committee/{program.pk}/vetting/")
    page.get_by_role("link", name="Cam Member").click()
    expect(page.get_by_text("Give back to Northport")).to_be_visible()
    page.get_by_label("Approve: the candidate enters the matching pool").check()
    page.get_by_label("Internal note (the committee only)").fill("Called two references: glowing.")
    page.get_by_label("Message to the candidate").fill("Welcome aboard!")
    screenshot(page, "vetting-02-decide")
    page.get_by_role("button", name="Record").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    expect(page.get_by_text("Nobody else waits for vetting")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "vetting-03-done")

    application.refresh_from_db()
    assert application.status == "in_pool"
    assert VettingNote.objects.get(application=application).text == "Called two references: glowing."
    send_pending_emails()

    # The candidate sees the decision and the message, never the internal note.
    page.context.clear_cookies()
    sign_in(page, live_server, candidate.email)
    page.goto(live_server.url + "/mentoring/")
    expect(page.get_by_text("Waiting to be matched").first).to_be_visible()
    expect(page.get_by_text("Welcome aboard!")).to_be_visible()
    assert "references" not in page.content()
    assert csp_violations == []


def test_what_is_typed_just_before_leaving_is_saved_too(page, live_server, world):
    """No wait for the autosave: the page sends the unsaved answers as it is left."""
    program = world["program"]
    sign_in(page, live_server, world["people"]["member"].email)
    page.goto(live_server.url + f"/programs/{program.pk}/apply/mentee/")
    page.get_by_label("Your goals*").fill("Typed in a hurry")
    page.goto(live_server.url + "/")
    for _ in range(50):
        application = Application.objects.filter(user=world["people"]["member"], program=program).first()
        if application and application.draft.get("goals") == ["Typed in a hurry"]:
            break
        time.sleep(0.1)
    else:
        pytest.fail("The draft typed just before leaving was not saved")
