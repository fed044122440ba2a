"""The member's questionnaire: applying, drafts, editing, withdrawing, hostile answers and the
eligibility rules, through the views a member's browser calls (Django's test client)."""

import datetime
import html
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from conftest import make_member
from mentoring import services
from mentoring.models import Application, Question
from outbox.models import OutgoingEmail

Status = Application.Status
NEW_YORK = ZoneInfo("America/New_York")


# --- Helpers ------------------------------------------------------------------------------------


@pytest.fixture
def questions(program):
    """The program's own questions, one of each kind."""
    make = Question.objects.create
    return {
        "single": make(
            program=program,
            text="Which line of business?",
            kind="single",
            choices=["Personal lines", "Commercial lines"],
            required=True,
            position=1,
        ),
        "multiple": make(
            program=program,
            text="Which events would you attend?",
            kind="multiple",
            choices=["Breakfasts", "Webinars", "Conferences"],
            position=2,
        ),
        "scale": make(program=program, text="How at ease are you speaking in public?", kind="scale", required=True),
        "text": make(program=program, text="A book you would recommend?", kind="text", position=4),
    }


def test_an_optional_question_that_counts_in_matching_says_answering_helps(member_client, program, questions):
    """Members skipped the optional questions (no *) and the chair then read "Incomplete
    questionnaire ... earns no points" on half the proposals."""
    Question.objects.filter(pk=questions["multiple"].pk).update(weight=2, help_text="Pick <any>.")
    Question.objects.filter(pk=questions["scale"].pk).update(weight=2)  # required: nothing to add

    page = member_client.get(apply_url(program)).content.decode()

    helps = "<strong>Optional, but it helps your match:</strong> the matching counts your answer"
    assert page.count(helps) == 1  # the text question counts for nothing in matching: not told
    assert f"Pick &lt;any&gt;. {helps}" in page  # the chair's hint first, still escaped
    assert "1: not at all · 5: very much" in page


def apply_url(program, role="mentee"):
    return reverse("apply", args=[program.pk, role])


def autosave_url(program, role="mentee"):
    return reverse("autosave", args=[program.pk, role])


def answers(questions, role="mentee", **changes):
    """A complete, valid questionnaire as the browser posts it."""
    data = {
        "goals": "Get my CPCU and learn to lead a small team.",
        "topics": ["Claims", "Leadership"],
        "career_stage": "early",
        "years_experience": "4",
        "communication_modes": ["video", "in_person"],
        "availability": ["weekday_evenings"],
        "hours_per_month": "2",
        "meeting_frequency": "monthly",
        "languages": ["English", "Spanish"],
        "partner_preferences": "Someone who has run an agency.",
        "preferred_partner_emails": "",
        "avoid_emails": "",
        "introduction": "Hi, I joined the Northport association this spring.",
        questions["single"].field_name: "Commercial lines",
        questions["multiple"].field_name: ["Breakfasts", "Webinars"],
        questions["scale"].field_name: "4",
        questions["text"].field_name: "The Goal, by Goldratt",
        "action": "send",
    }
    if role == "mentor":
        data["capacity"] = "2"
    data.update(changes)
    return data


def says(response, text):
    """The page shows this text (as the template escapes it)."""
    return html.escape(text) in response.content.decode()


def saved(application):
    """What the committee and the matching see: the answers as sent, not the draft."""
    application = Application.objects.get(pk=application.pk)
    return {
        **{name: getattr(application, name) for name in services.QUESTIONNAIRE_FIELDS},
        "extra_answers": application.extra_answers,
        "status": application.status,
        "submitted_at": application.submitted_at,
    }


def received_emails(application):
    return OutgoingEmail.objects.filter(key__startswith=f"application-received:{application.pk}:")


@pytest.fixture
def sent_mentee(member_client, program, questions, member):
    """The member's mentee application, sent once through the form."""
    response = member_client.post(apply_url(program), answers(questions))
    assert response.status_code == 302
    return Application.objects.get(program=program, user=member, role="mentee")


# --- 1. Applying, drafts, editing, withdrawing ------------------------------------------------


def test_mentee_application_is_stored_with_the_extra_questions(member_client, program, questions, member):
    response = member_client.post(apply_url(program), answers(questions))

    assert response.status_code == 302
    assert response.url == reverse("my_mentoring")
    application = Application.objects.get(program=program, user=member, role="mentee")
    assert application.status == Status.IN_POOL
    assert application.submitted_at is not None
    assert application.goals == "Get my CPCU and learn to lead a small team."
    assert application.topics == ["Claims", "Leadership"]
    assert application.years_experience == 4
    assert application.hours_per_month == 2
    assert application.languages == ["English", "Spanish"]
    assert application.capacity == 1
    assert application.extra_answers == {
        str(questions["single"].pk): "Commercial lines",
        str(questions["multiple"].pk): ["Breakfasts", "Webinars"],
        str(questions["scale"].pk): 4,
        str(questions["text"].pk): "The Goal, by Goldratt",
    }
    assert application.draft == {}
    email = received_emails(application).get()
    assert email.to == member.email
    assert program.name in email.subject
    follow = member_client.get(response.url)
    assert says(follow, "Thank you, your application is sent.")


def test_mentor_application_awaits_vetting_with_its_capacity(member_client, program, questions, member):
    response = member_client.post(apply_url(program, "mentor"), answers(questions, "mentor", capacity="3"))

    assert response.status_code == 302
    application = Application.objects.get(program=program, user=member, role="mentor")
    assert application.status == Status.AWAITING_VETTING
    assert application.submitted_at is not None
    assert application.capacity == 3
    assert received_emails(application).count() == 1


def test_submitting_twice_sends_one_received_email(member_client, program, questions, sent_mentee):
    first_sent_at = sent_mentee.submitted_at

    response = member_client.post(apply_url(program), answers(questions, goals="Lead a team."))

    assert response.status_code == 302
    sent_mentee.refresh_from_db()
    assert sent_mentee.goals == "Lead a team."
    assert sent_mentee.status == Status.IN_POOL
    assert sent_mentee.submitted_at == first_sent_at
    assert received_emails(sent_mentee).count() == 1
    assert OutgoingEmail.objects.count() == 1
    assert says(member_client.get(response.url), "Your answers are updated.")


def test_question_for_the_other_role_is_not_asked(member_client, program, questions, member):
    questions["text"].audience = Question.Audience.MENTOR
    questions["text"].save()

    page = member_client.get(apply_url(program))
    assert questions["text"].field_name not in page.context["form"].fields

    member_client.post(apply_url(program), answers(questions))
    application = Application.objects.get(user=member, role="mentee")
    assert str(questions["text"].pk) not in application.extra_answers


def test_a_required_extra_question_must_be_answered(member_client, program, questions, member):
    data = answers(questions)
    del data[questions["scale"].field_name]

    response = member_client.post(apply_url(program), data)

    assert response.status_code == 200
    # The summary at the top names the question and links to its first choice.
    question = questions["scale"]
    link = f'<a class="alert-link" href="#id_{question.field_name}_0">{question.text}: Please choose an answer.</a>'
    assert link in response.content.decode()
    assert Application.objects.get(user=member, role="mentee").status == Status.DRAFT
    assert not OutgoingEmail.objects.exists()


def test_draft_keeps_everything_as_typed_even_invalid(member_client, program, questions, member):
    typed = {
        "goals": "Half a thought",
        "years_experience": "abc",
        "topics": ["Claims", "Not a topic"],
        questions["scale"].field_name: "9",
        questions["text"].field_name: "<b>bold</b>",
        "action": "draft",
    }

    response = member_client.post(apply_url(program), typed)

    # "Save draft and leave" leaves: to My mentoring, where the draft waits (it stayed on the form).
    assert response.status_code == 302
    assert response.url == reverse("my_mentoring")
    mine = member_client.get(response.url)
    assert says(mine, "Your draft is saved.") and says(mine, "Continue")
    # "draft saved now" or "... seconds ago", not "draft saved 0 minutes ago".
    assert re.search(r"draft saved (now|\d+ seconds? ago)", mine.content.decode())
    application = Application.objects.get(user=member, role="mentee")
    assert application.status == Status.DRAFT
    assert application.submitted_at is None
    assert application.draft_saved_at is not None
    for name, value in typed.items():
        assert application.draft[name] == (value if isinstance(value, list) else [value])
    assert not OutgoingEmail.objects.exists()

    page = member_client.get(apply_url(program))
    initial = page.context["form"].initial
    assert initial["goals"] == "Half a thought"
    assert initial["years_experience"] == "abc"
    assert initial["topics"] == ["Claims", "Not a topic"]
    assert initial[questions["text"].field_name] == "<b>bold</b>"
    content = page.content.decode()
    assert "Half a thought" in content
    assert 'value="abc"' in content
    assert "&lt;b&gt;bold&lt;/b&gt;" in content
    assert "<b>bold</b>" not in content


def test_autosave_keeps_the_draft_and_answers_a_status_line(member_client, program, questions, member):
    response = member_client.post(
        autosave_url(program),
        {"goals": "Typed so far", "years_experience": "twelve", "languages": ["English", "French"]},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert "Draft saved at" in response.content.decode()
    application = Application.objects.get(user=member, role="mentee")
    assert application.status == Status.DRAFT
    assert application.draft == {
        "goals": ["Typed so far"],
        "years_experience": ["twelve"],
        "languages": ["English", "French"],
    }
    page = member_client.get(apply_url(program))
    assert page.context["form"].initial["years_experience"] == "twelve"
    assert page.context["form"].initial["languages"] == ["English", "French"]
    assert "Typed so far" in page.content.decode()


def test_invalid_submit_reshows_what_was_typed_and_keeps_the_draft(member_client, program, questions, member):
    data = answers(questions, years_experience="abc", goals="My very own goals")

    response = member_client.post(apply_url(program), data)

    assert response.status_code == 200
    assert says(response, "Enter a whole number.")
    assert says(response, "There is a problem")
    assert says(response, "Some answers need another look")
    assert '<a class="alert-link" href="#id_years_experience">Years of experience in the profession: Enter a whole' in (
        response.content.decode()
    )
    content = response.content.decode()
    assert 'value="abc"' in content
    assert "My very own goals" in content
    application = Application.objects.get(user=member, role="mentee")
    assert application.status == Status.DRAFT
    assert application.draft["years_experience"] == ["abc"]
    assert application.draft["goals"] == ["My very own goals"]
    assert not OutgoingEmail.objects.exists()
    # And it is still there when the member comes back.
    again = member_client.get(apply_url(program))
    assert again.context["form"].initial["years_experience"] == "abc"


def test_edit_after_submission_shows_saved_answers_and_updates_them(member_client, program, questions, sent_mentee):
    page = member_client.get(apply_url(program))
    assert page.status_code == 200
    assert page.context["form"].initial["goals"] == sent_mentee.goals
    assert page.context["form"].initial[questions["single"].field_name] == "Commercial lines"
    assert "Save my answers" in page.content.decode()

    member_client.post(
        apply_url(program), answers(questions, topics=["Technology"], **{questions["scale"].field_name: "2"})
    )

    sent_mentee.refresh_from_db()
    assert sent_mentee.topics == ["Technology"]
    assert sent_mentee.extra_answers[str(questions["scale"].pk)] == 2
    assert sent_mentee.status == Status.IN_POOL


def test_withdraw_then_apply_again(member_client, program, questions, sent_mentee, member):
    response = member_client.post(reverse("withdraw", args=[sent_mentee.pk]))

    assert response.status_code == 302
    sent_mentee.refresh_from_db()
    assert sent_mentee.status == Status.WITHDRAWN
    assert says(member_client.get(reverse("my_mentoring")), "is withdrawn")

    # The program page offers to apply again, and the questionnaire opens with the old answers.
    page = member_client.get(apply_url(program))
    assert page.status_code == 200
    assert page.context["form"].initial["goals"] == sent_mentee.goals
    assert "Send my application" in page.content.decode()
    sent_mentee.refresh_from_db()
    assert sent_mentee.status == Status.WITHDRAWN  # looking changes nothing

    response = member_client.post(apply_url(program), answers(questions, goals="Back again"))

    assert response.status_code == 302
    sent_mentee.refresh_from_db()
    assert sent_mentee.status == Status.IN_POOL
    assert sent_mentee.goals == "Back again"
    assert sent_mentee.submitted_at is not None
    assert Application.objects.filter(user=member).count() == 1


def test_matched_application_cannot_be_edited_or_withdrawn(member_client, program, questions, sent_mentee):
    Application.objects.filter(pk=sent_mentee.pk).update(status=Status.MATCHED)
    before = saved(sent_mentee)

    page = member_client.get(apply_url(program))
    assert page.status_code == 200
    assert "can't be changed any more" in page.content.decode()
    assert "form" not in page.context

    sent = member_client.post(apply_url(program), answers(questions, goals="Changed"))
    draft = member_client.post(apply_url(program), {"goals": "Changed", "action": "draft"})
    autosave = member_client.post(autosave_url(program), {"goals": "Changed"})
    withdraw = member_client.post(reverse("withdraw", args=[sent_mentee.pk]), follow=True)

    assert sent.status_code == 200 and "can't be changed any more" in sent.content.decode()
    assert draft.status_code == 200
    assert autosave.status_code == 404
    assert says(withdraw, "This application can't be withdrawn any more.")
    assert saved(sent_mentee) == before
    assert Application.objects.get(pk=sent_mentee.pk).draft == {}


# --- 2. Hostile and malformed answers ---------------------------------------------------------

HOSTILE = [
    ("years_experience", "abc", "Enter a whole number."),
    ("years_experience", "-3", "Ensure this value is greater than or equal to 0."),
    ("years_experience", "9999999999999999999999", "Ensure this value is less than or equal to 70."),
    ("hours_per_month", "400", "Select a valid choice. 400 is not one of the available choices."),
    ("scale", "0", "Select a valid choice. 0 is not one of the available choices."),
    ("scale", "6", "Select a valid choice. 6 is not one of the available choices."),
    ("scale", "3.5", "Select a valid choice. 3.5 is not one of the available choices."),
    ("scale", "abc", "Select a valid choice. abc is not one of the available choices."),
    ("topics", ["Claims", "Crypto trading"], "Select a valid choice. Crypto trading is not one of the available"),
    ("single", "Life and health", "Select a valid choice. Life and health is not one of the available choices."),
    ("multiple", ["Webinars", "Yacht week"], "Select a valid choice. Yacht week is not one of the available"),
    ("career_stage", "'; DROP TABLE mentoring_application; --", "Select a valid choice."),
    ("meeting_frequency", "hourly", "Select a valid choice. hourly is not one of the available choices."),
    ("goals", "x" * 20_000, "Ensure this value has at most 2000 characters (it has 20000)."),
    ("introduction", "", "Please answer this one."),
    ("introduction", "y" * 20_000, "Ensure this value has at most 2000 characters (it has 20000)."),
    ("text", "z" * 2_000, "Ensure this value has at most 200 characters (it has 2000)."),
    ("goals", "Lead\x00a team", "Null characters are not allowed."),
    ("text", "A book\x00", "Null characters are not allowed."),
    ("avoid_emails", "not-an-address", "“not-an-address” is not an email address."),
    ("avoid_emails", "member@example.org", "That's your own email address."),
    ("preferred_partner_emails", "MEMBER@example.org", "That's your own email address."),
    ("avoid_emails", " ".join(f"p{i}@example.org" for i in range(11)), "Please list at most 10 email addresses."),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), HOSTILE, ids=[f"{f}-{i}" for i, (f, _, _) in enumerate(HOSTILE)]
)
def test_hostile_answer_is_refused_with_a_message_and_changes_nothing(
    member_client, program, questions, sent_mentee, field, value, message
):
    before = saved(sent_mentee)
    name = questions[field].field_name if field in questions else field

    response = member_client.post(apply_url(program), answers(questions, **{name: value}))

    assert response.status_code == 200
    assert says(response, message), message
    assert name in response.context["form"].errors
    assert saved(sent_mentee) == before
    assert OutgoingEmail.objects.count() == 1  # the first "received" email only


def test_mentor_capacity_above_the_program_maximum_is_refused(member_client, program, questions, member):
    program.max_mentor_capacity = 2
    program.save()

    response = member_client.post(apply_url(program, "mentor"), answers(questions, "mentor", capacity="3"))

    assert response.status_code == 200
    assert says(response, "Select a valid choice. 3 is not one of the available choices.")
    application = Application.objects.get(user=member, role="mentor")
    assert application.status == Status.DRAFT
    assert application.capacity == program.default_mentor_capacity
    assert not OutgoingEmail.objects.exists()


def test_mentee_cannot_set_a_capacity(member_client, program, questions, member):
    member_client.post(apply_url(program), answers(questions, capacity="9"))

    assert Application.objects.get(user=member, role="mentee").capacity == 1


def test_nul_bytes_in_a_draft_do_not_break_the_page(member_client, program, questions, member):
    for url, data in [
        (apply_url(program), {"goals": "Lead\x00 a team", "action": "draft"}),
        (autosave_url(program), {"goals": "Lead\x00 a team", "intro\x00": "x"}),
    ]:
        response = member_client.post(url, data)
        assert response.status_code in (200, 302)
    application = Application.objects.get(user=member, role="mentee")
    assert "\x00" not in str(application.draft)
    assert application.draft["goals"] == ["Lead a team"]
    assert member_client.get(apply_url(program)).status_code == 200


def test_script_in_answers_is_stored_as_written_and_escaped_for_the_committee(
    client, world, program, questions, member
):
    script = "<script>alert('x')</script>"
    client.force_login(member)
    client.post(apply_url(program), answers(questions, goals=script, **{questions["text"].field_name: script}))
    application = Application.objects.get(user=member, role="mentee")
    assert application.goals == script
    assert application.extra_answers[str(questions["text"].pk)] == script

    client.force_login(world["people"]["chair"])
    page = client.get(reverse("committee:application", args=[program.pk, application.pk]))

    assert page.status_code == 200
    content = page.content.decode()
    assert "<script>alert(" not in content
    assert content.count("&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;") == 2


def test_withdrawing_another_members_application_is_404_and_changes_nothing(client, world, program, sent_mentee):
    client.force_login(world["people"]["committee_member"])

    forbidden = client.post(reverse("withdraw", args=[sent_mentee.pk]))
    missing = client.post(reverse("withdraw", args=[sent_mentee.pk + 10_000]))

    assert forbidden.status_code == missing.status_code == 404
    assert Application.objects.get(pk=sent_mentee.pk).status == Status.IN_POOL


def test_autosave_with_a_huge_payload_is_capped(member_client, program, member):
    payload = {"goals": "g" * 1_000_000, "topics": [f"topic {i}" for i in range(500)]}
    payload |= {f"field{i}": "v" * 4_000 for i in range(100)}
    payload["x" * 200] = "a long name"

    response = member_client.post(autosave_url(program), payload)

    assert response.status_code == 200
    draft = Application.objects.get(user=member, role="mentee").draft
    assert draft["goals"] == ["g" * 4_000]
    assert len(draft["topics"]) == 50
    assert "x" * 200 not in draft
    assert sum(len(k) + sum(len(v) for v in values) for k, values in draft.items()) <= services.MAX_DRAFT_CHARS


@pytest.mark.parametrize(
    "payload",
    [{"goals": "g" * 3_000_000}, {f"f{i}": "1" for i in range(1_500)}],
    ids=["body-over-the-upload-limit", "too-many-fields"],
)
def test_autosave_beyond_djangos_request_limits_is_a_400_not_a_500(member_client, program, member, payload):
    response = member_client.post(autosave_url(program), payload)

    assert response.status_code == 400
    application = Application.objects.filter(user=member).first()
    assert application is None or application.draft == {}


@pytest.mark.parametrize("role", ["admin", "MENTEE", "chair", "mentee ", "both"])
def test_a_role_other_than_mentee_or_mentor_is_404(member_client, program, questions, member, role):
    url = f"/programs/{program.pk}/apply/{role}/"

    assert member_client.get(url).status_code == 404
    assert member_client.post(url, answers(questions)).status_code == 404
    assert member_client.post(url + "autosave", {"goals": "x"}).status_code == 404
    assert not Application.objects.filter(user=member).exists()


# --- 3. Eligibility, with reasons -------------------------------------------------------------


def reasons(program, user, role, **kwargs):
    return services.eligibility(program=program, user=user, role=role, **kwargs).reasons


def test_eligible_member_has_no_reasons(program, member):
    assert services.eligibility(program=program, user=member, role="mentee").ok
    assert services.eligibility(program=program, user=member, role="mentor").ok


def test_incomplete_profile(client, program, world):
    person = make_member("new@example.org", world["associations"]["northport"])
    Profile.objects.filter(user=person).update(job_title="")
    person.refresh_from_db()

    assert reasons(program, person, "mentee") == (
        "Please complete your profile first (local association, job title, date you joined).",
    )
    client.force_login(person)
    page = client.post(apply_url(program), {"goals": "x", "action": "draft"})
    assert page.status_code == 200
    assert "Please complete your profile first" in page.content.decode()
    assert not Application.objects.filter(user=person).exists()


def test_member_of_another_association_gets_404_for_the_program(client, world, program):
    other = world["people"]["other_member"]
    client.force_login(other)

    assert client.get(reverse("program", args=[program.pk])).status_code == 404
    assert client.get(apply_url(program)).status_code == 404
    assert client.post(autosave_url(program), {"goals": "x"}).status_code == 404
    assert reasons(program, other, "mentee") == ("This program is for members of Northport.",)
    assert not Application.objects.filter(user=other).exists()


def test_enrollment_closed(member_client, program, member):
    program.enrollment_open = False
    program.save()

    assert reasons(program, member, "mentee") == ("This program is not taking applications at the moment.",)
    page = member_client.get(apply_url(program))
    assert "This program is not taking applications at the moment." in page.content.decode()
    assert member_client.post(apply_url(program), {"goals": "x", "action": "draft"}).status_code == 200
    assert not Application.objects.filter(user=member).exists()


def test_enrollment_window_by_date(client, program, member):
    program.enrollment_opens_on = datetime.date(2031, 1, 10)
    program.enrollment_closes_on = datetime.date(2031, 3, 1)
    program.save()

    assert reasons(program, member, "mentee", today=datetime.date(2031, 1, 9)) == (
        "Applications open on January 10, 2031.",
    )
    assert reasons(program, member, "mentee", today=datetime.date(2031, 1, 10)) == ()
    assert reasons(program, member, "mentee", today=datetime.date(2031, 3, 1)) == ()
    assert reasons(program, member, "mentee", today=datetime.date(2031, 3, 2)) == (
        "Applications closed on March 1, 2031.",
    )

    def page_on(day):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), NEW_YORK), tick=False):
            client.force_login(member)
            return client.get(apply_url(program)).content.decode()

    assert "Applications open on January 10, 2031." in page_on(datetime.date(2031, 1, 9))
    assert "Applications closed on March 1, 2031." in page_on(datetime.date(2031, 3, 2))
    assert "Find a mentor in" in page_on(datetime.date(2031, 3, 1))


def test_mentee_joined_too_long_ago(member_client, program, member):
    program.mentee_joined_within_months = 24
    program.save()
    today = member.profile.member_since.replace(year=member.profile.member_since.year + 5)

    (reason,) = reasons(program, member, "mentee", today=today)

    assert "joined the association in the last 24 months; you joined 60 months ago" in reason
    assert reasons(program, member, "mentor", today=today) == ()
    assert "you joined" in member_client.get(apply_url(program)).content.decode()


def test_mentor_with_too_few_years(client, program, world):
    junior = make_member("junior@example.org", world["associations"]["northport"], years=1)

    (reason,) = reasons(program, junior, "mentor")

    assert (
        reason
        == "Mentors in this program have at least 3 years of membership or experience; your profile shows 1 year."
    )
    assert reasons(program, junior, "mentee") == ()
    client.force_login(junior)
    assert "your profile shows 1 year." in client.get(apply_url(program, "mentor")).content.decode()


def test_lapsed_membership(member_client, program, member):
    Profile.objects.filter(user=member).update(membership_status=Profile.MembershipStatus.LAPSED)
    member.refresh_from_db()

    assert reasons(program, member, "mentee") == ("Your membership has lapsed. Renew it to take part.",)
    assert "Your membership has lapsed" in member_client.get(apply_url(program)).content.decode()


def test_both_roles_only_where_allowed(member_client, program, questions, sent_mentee, member):
    refused = member_client.post(apply_url(program, "mentor"), answers(questions, "mentor"))

    assert "You have already applied as mentee" in refused.content.decode()
    assert not Application.objects.filter(user=member, role="mentor").exists()

    program.allow_both_roles = True
    program.save()
    member_client.post(apply_url(program, "mentor"), answers(questions, "mentor"))
    assert Application.objects.get(user=member, role="mentor").status == Status.AWAITING_VETTING


def test_a_withdrawn_role_does_not_block_the_other(member_client, program, questions, sent_mentee, member):
    services.withdraw_application(application=sent_mentee)

    member_client.post(apply_url(program, "mentor"), answers(questions, "mentor"))

    assert Application.objects.get(user=member, role="mentor").status == Status.AWAITING_VETTING


def test_every_reason_is_given_at_once(program, world):
    person = make_member("many@example.org", world["associations"]["southbury"], years=1)
    Profile.objects.filter(user=person).update(membership_status=Profile.MembershipStatus.LAPSED)
    person.refresh_from_db()
    program.enrollment_open = False
    program.save()

    assert len(reasons(program, person, "mentor")) == 4


# --- 7. Constant query count: my_mentoring ----------------------------------------------------

# With the navigation's roles (seats, regions, offices), the member's profile and association (one
# query), their partnerships (one, for the cards and the history), every other format's history
# (one: flash conversations and circle meetings in a UNION) and the member's circles; the programs
# without their resources, which the page does not show. Issue 24: at most 10 queries a page.
MY_MENTORING_CEILING = 9


@pytest.mark.parametrize("rows", [3, 60])
def test_my_mentoring_query_count_does_not_grow(member_client, world, member, rows, django_assert_max_num_queries):
    northport = world["associations"]["northport"]
    programs = [
        services.create_program(name=f"Program {i:02}", kind="new_member", association=northport, enrollment_open=True)
        for i in range(rows - 1)
    ]
    Application.objects.bulk_create(
        Application(program=p, user=member, role="mentee", status=Status.IN_POOL, submitted_at=timezone.now())
        for p in [world["program"], *programs]
    )

    with django_assert_max_num_queries(MY_MENTORING_CEILING):
        response = member_client.get(reverse("my_mentoring"))

    assert response.status_code == 200
    assert len(response.context["applications"]) == rows
    assert len(response.context["programs"]) == rows


def test_applying_again_after_withdrawing_sends_a_new_received_email(member, world):
    program = world["program"]
    application = services.start_application(program=program, user=member, role="mentee")
    application = services.submit_application(application=application, answers={"goals": "One"}, extra_answers={})
    application = services.withdraw_application(application=application)
    application = services.reopen_application(application=application)
    services.submit_application(application=application, answers={"goals": "Two"}, extra_answers={})
    assert received_emails(application).count() == 2


def test_a_program_name_and_hint_are_shown_as_written_never_run(member_client, program, questions):
    """crispy-forms renders a fieldset's legend as a template: a name with template tags or markup
    is shown as written, and a question's hint (HTML in the form templates) is escaped."""
    program.name = "{{ 7|add:1 }} <b>Northport</b> {% now 'Y' %}"
    program.save(update_fields=["name"])
    questions["single"].help_text = '<meta http-equiv="refresh" content="1;url=https://evil.example/">'
    questions["single"].save(update_fields=["help_text"])
    body = member_client.get(apply_url(program)).content.decode()
    assert "{{ 7|add:1 }}" in html.unescape(body) and "{% now 'Y' %}" in html.unescape(body)
    assert "<b>Northport</b>" not in body and "<meta http-equiv" not in body
    assert "&lt;meta http-equiv" in body
