"""The committee's own pages: the chair's set-up, extra questions, training resources, the
committee list, the pledge, two-factor sign-in and appointing a chair. What each role may GET is
in the access matrix; here are the POSTs and what they change (or don't)."""

import datetime
import html
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from conftest import give_two_factor, make_member
from mentoring import services
from mentoring.models import CommitteeMembership, Objective, Program, Question, Resource
from outbox.models import OutgoingEmail

Role = CommitteeMembership.Role


@pytest.fixture
def people(world):
    return world["people"]


@pytest.fixture
def chair_client(client, people):
    client.force_login(people["chair"])
    return client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def says(response, text):
    return html.escape(text) in response.content.decode()


def url(name, program, *args):
    return reverse("committee:dashboard" if name == "dashboard" else f"committee:{name}", args=[program.pk, *args])


def program_state(program):
    """Everything the set-up page can change, read fresh from the database."""
    program = Program.objects.get(pk=program.pk)
    return {
        "program": model_to_dict(program),
        "objectives": list(program.objectives.values_list("description", "measure", "target")),
        "milestones": list(program.milestones.values_list("day", "title", "description")),
    }


def setup_post(program, **changes):
    """The set-up form as the browser posts it: the program's fields, then the objectives and
    milestones formsets with their management forms (one new objective, the milestones kept,
    the first renamed, the last removed, one added)."""
    milestones = list(program.milestones.all())
    data = {
        "summary_en": "New members meet an experienced member of Northport for a year.",
        "enrollment_open": "on",
        "enrollment_opens_on": "2030-01-15",
        "enrollment_closes_on": "2030-03-01",
        "mentee_joined_within_months": "24",
        "mentor_min_years": "5",
        "default_mentor_capacity": "2",
        "max_mentor_capacity": "4",
        "topics": "Claims\n  Underwriting  \n\nclaims\nPublic speaking",
        "expectations_en": "Meet monthly.",
        "confidentiality_en": "What is said stays between you.",
        "meeting_frequency": "fortnightly",
        "communication_channels": ["video", "phone"],
        "length_months": "9",
        "feedback_first_after_days": "21",
        "feedback_every_days": "45",
        "feedback_at_end": "on",
        "feedback_link_days": "10",
        "reminder_after_days": "4",
        "max_reminders": "3",
        "nudge_after_days": "40",
        "agreement_due_days": "21",
        "grace_days_after_end": "30",
        "waiting_notice_every_days": "30",
        "ending_early_en": "Tell the chair; nobody has to give reasons.",
        "mentor_answer_days": "7",
        "circle_size": "6",
        "member_asks_at_once": "2",
        "pledge_text": program.pledge_text,
        "objectives-TOTAL_FORMS": "1",
        "objectives-INITIAL_FORMS": "0",
        "objectives-MIN_NUM_FORMS": "0",
        "objectives-MAX_NUM_FORMS": "10",
        "objectives-0-description": "New members feel at home",
        "objectives-0-measure": "satisfaction",
        "objectives-0-target": "4.2",
        "milestones-TOTAL_FORMS": str(len(milestones) + 1),
        "milestones-INITIAL_FORMS": str(len(milestones)),
        "milestones-MIN_NUM_FORMS": "0",
        "milestones-MAX_NUM_FORMS": "15",
    }
    for i, milestone in enumerate(milestones):
        data |= {
            f"milestones-{i}-id": str(milestone.pk),
            f"milestones-{i}-day": str(milestone.day),
            f"milestones-{i}-title": milestone.title,
            f"milestones-{i}-description": milestone.description,
        }
    data["milestones-0-title"] = "First meeting"
    data[f"milestones-{len(milestones) - 1}-DELETE"] = "on"
    data |= {
        f"milestones-{len(milestones)}-day": "45",
        f"milestones-{len(milestones)}-title": "Shadow a claims meeting",
        f"milestones-{len(milestones)}-description": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- Set-up -----------------------------------------------------------------------------------


def test_chair_sets_up_the_program(chair_client, program):
    response = chair_client.post(url("setup", program), setup_post(program))

    assert response.status_code == 302
    assert response.url == url("setup", program)
    program = Program.objects.get(pk=program.pk)
    assert program.summary.startswith("New members meet")
    assert program.enrollment_open is True
    assert program.enrollment_opens_on == datetime.date(2030, 1, 15)
    assert program.enrollment_closes_on == datetime.date(2030, 3, 1)
    assert program.mentee_joined_within_months == 24
    assert program.mentor_min_years == 5
    assert program.allow_both_roles is False
    assert (program.default_mentor_capacity, program.max_mentor_capacity) == (2, 4)
    assert program.topics == ["Claims", "Underwriting", "Public speaking"]  # trimmed, no repeats
    assert program.meeting_frequency == "fortnightly"
    assert program.communication_channels == ["video", "phone"]
    assert program.length_months == 9
    assert (program.feedback_first_after_days, program.feedback_every_days, program.max_reminders) == (21, 45, 3)
    assert not program.allow_same_employer
    assert list(program.objectives.values_list("description", "measure")) == [
        ("New members feel at home", "satisfaction")
    ]
    assert str(program.objectives.get().target) == "4.2"
    assert list(program.milestones.values_list("day", "title")) == [
        (0, "First meeting"),
        (30, "First month"),
        (45, "Shadow a claims meeting"),
        (90, "Three months"),
        (180, "Six months"),
    ]
    assert says(chair_client.get(response.url), "Saved: the whole set-up.")
    # Members see it.
    page = chair_client.get(reverse("program", args=[program.pk]))
    assert "Shadow a claims meeting" in page.content.decode()
    assert "New members feel at home" in page.content.decode()


INVALID_SETUP = {
    "closing-before-opening": (
        {"enrollment_opens_on": "2030-03-01", "enrollment_closes_on": "2030-01-01"},
        "enrollment_closes_on",
        "The closing date is before the opening date.",
    ),
    "default-above-max": (
        {"default_mentor_capacity": "5", "max_mentor_capacity": "3"},
        "default_mentor_capacity",
        "The default can't be more than the most (3).",
    ),
    "capacity-above-10": ({"max_mentor_capacity": "11"}, "max_mentor_capacity", "less than or equal to 10"),
    "empty-topics": ({"topics": "\n  \n"}, "topics", "This field is required."),
    "script-topic": (
        {"topics": "Claims\n<script>alert(1)</script>"},
        "topics",
        "Please remove the < > signs and any control characters.",
    ),
    "nul-in-topic": ({"topics": "Claims\nUnder\x00writing"}, "topics", "Null characters are not allowed."),
    "oversized-summary": ({"summary_en": "s" * 20_000}, "summary_en", "at most 2000 characters (it has 20000)"),
    "zero-months": ({"length_months": "0"}, "length_months", "greater than or equal to 1"),
    "unknown-channel": ({"communication_channels": ["pigeon"]}, "communication_channels", "Select a valid choice."),
    "no-pledge": ({"pledge_text": ""}, "pledge_text", "This field is required."),
    "years-as-text": ({"mentor_min_years": "abc"}, "mentor_min_years", "Enter a whole number."),
}


def test_the_set_up_opens_on_its_checklist_and_each_section_saves_on_its_own(chair_client, program):
    Program.objects.filter(pk=program.pk).update(summary="", enrollment_open=False, enrollment_opens_on=None)
    page = chair_client.get(url("setup", program)).content.decode()
    assert "Before members can apply" in page
    assert re.search(r"To do:</span>\s*<a [^>]*section=essentials\">A summary members read before they apply", page)
    assert re.search(r"Done:</span>\s*<a [^>]*section=guidelines\">The committee&#x27;s confidentiality pledge", page)
    form = chair_client.get(url("setup", program) + "?section=guidelines").content.decode()
    assert (
        'name="pledge_text"' in form and 'name="summary_en"' not in form and 'name="objectives-TOTAL_FORMS"' not in form
    )
    before = Program.objects.filter(pk=program.pk).values().get()
    response = chair_client.post(
        url("setup", program),
        {
            "section": "guidelines",
            "expectations_en": "Meet monthly; say when it does not work.",
            "confidentiality_en": before["confidentiality"],
            "meeting_frequency": before["meeting_frequency"],
            "communication_channels": ["video"],
            "pledge_text": before["pledge_text"],
            "summary_en": "ignored: not this section's",
        },
    )
    assert response.status_code == 302
    after = Program.objects.filter(pk=program.pk).values().get()
    assert after["expectations"] == "Meet monthly; say when it does not work."
    assert {k for k in after if after[k] != before[k]} == {"expectations", "communication_channels"}


def test_enrollment_does_not_open_before_the_framework_is_in_place(chair_client, program):
    Program.objects.filter(pk=program.pk).update(summary="", enrollment_open=False)
    data = {
        "section": "essentials",
        "summary_en": "",
        "topics": "Claims",
        "length_months": "12",
        "enrollment_open": "on",
    }
    response = chair_client.post(url("setup", program), data)
    assert response.status_code == 200
    assert "Before members can apply, the program needs: a summary members read before they apply." in (
        response.content.decode()
    )
    assert not Program.objects.get(pk=program.pk).enrollment_open
    data["summary_en"] = "New members meet an experienced member for a year."
    assert chair_client.post(url("setup", program), data).status_code == 302
    assert Program.objects.get(pk=program.pk).enrollment_open


def test_an_unknown_section_is_404(chair_client, program):
    assert chair_client.get(url("setup", program) + "?section=admin").status_code == 404
    assert chair_client.post(url("setup", program), {"section": "<script>"}).status_code == 404


@pytest.mark.parametrize(("changes", "field", "message"), INVALID_SETUP.values(), ids=INVALID_SETUP.keys())
def test_invalid_setup_changes_nothing(chair_client, program, changes, field, message):
    before = program_state(program)

    response = chair_client.post(url("setup", program), setup_post(program, **changes))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert says(response, message), message
    assert says(response, "Nothing was saved yet; what you typed is still here.")
    assert program_state(program) == before


INVALID_FORMSETS = {
    "script-objective": ({"objectives-0-description": "<script>x</script>"}, "Please remove the < > signs"),
    "milestone-day-too-far": ({"milestones-0-day": "5000"}, "less than or equal to 1100"),
    "milestone-without-title": ({"milestones-1-title": ""}, "This field is required."),
    "negative-target": ({"objectives-0-target": "-1"}, "greater than or equal to 0"),
    "too-many-objectives": (
        {"objectives-TOTAL_FORMS": "11"}
        | {f"objectives-{i}-description": f"Aim {i}" for i in range(11)}
        | {f"objectives-{i}-measure": "other" for i in range(11)},
        "Please submit at most 10 forms.",
    ),
}


@pytest.mark.parametrize(("changes", "message"), INVALID_FORMSETS.values(), ids=INVALID_FORMSETS.keys())
def test_invalid_objective_or_milestone_saves_nothing_at_all(chair_client, program, changes, message):
    before = program_state(program)

    response = chair_client.post(url("setup", program), setup_post(program, **changes))

    assert response.status_code == 200
    assert says(response, message), message
    assert program_state(program) == before  # not even the program's own (valid) fields


def test_setup_without_the_management_form_is_refused(chair_client, program):
    before = program_state(program)
    data = {k: v for k, v in setup_post(program).items() if not k.startswith("milestones-")}

    response = chair_client.post(url("setup", program), data)

    assert response.status_code == 200
    assert program_state(program) == before


# --- Extra questions --------------------------------------------------------------------------


def question_post(**changes):
    data = {
        "text_en": "Which line of business?",
        "help_text_en": "",
        "kind": "single",
        "choice_labels_en": "Personal lines\nCommercial lines\n",
        "audience": "both",
        "weight": "2",
        "position": "1",
    }
    return data | changes


def test_chair_adds_edits_and_removes_a_question(chair_client, program):
    response = chair_client.post(url("questions", program), question_post(required="on"))

    assert response.status_code == 302
    question = Question.objects.get(program=program)
    assert question.choices == ["Personal lines", "Commercial lines"]
    assert question.required is True
    assert str(question.weight) == "2.0"

    response = chair_client.post(
        url("question_edit", program, question.pk), question_post(text_en="Your line of business?", kind="scale")
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "Your line of business?"
    assert question.kind == "scale"
    assert question.choices == []  # only choice questions keep answers
    assert question.required is False

    assert chair_client.get(url("question_delete", program, question.pk)).status_code == 405
    response = chair_client.post(url("question_delete", program, question.pk))
    assert response.status_code == 302
    assert not Question.objects.filter(pk=question.pk).exists()


INVALID_QUESTIONS = {
    "one-answer-only": (
        {"choice_labels_en": "Personal lines"},
        "A choice question needs at least two answers, one per line.",
    ),
    "repeated-answer": ({"kind": "multiple", "choice_labels_en": "Yes\nyes\n"}, "A choice question needs at least two"),
    "no-text": ({"text_en": ""}, "Please write it in English, in French or in both."),
    "script-text": ({"text_en": "<script>alert(1)</script>"}, "Please remove the < > signs"),
    "script-answer": ({"choice_labels_en": "Yes\n<img src=x onerror=alert(1)>"}, "Please remove the < > signs"),
    "oversized-text": ({"text_en": "q" * 3_000}, "at most 300 characters (it has 3000)"),
    "weight-11": ({"weight": "11"}, "less than or equal to 10"),
    "unknown-kind": ({"kind": "essay"}, "Select a valid choice. essay is not one of the available choices."),
    "too-many-answers": ({"choice_labels_en": "\n".join(f"Answer {i}" for i in range(21))}, "20 answers or fewer"),
}


@pytest.mark.parametrize(("changes", "message"), INVALID_QUESTIONS.values(), ids=INVALID_QUESTIONS.keys())
def test_invalid_question_is_not_saved(chair_client, program, changes, message):
    response = chair_client.post(url("questions", program), question_post(**changes))

    assert response.status_code == 200
    assert says(response, message), message
    assert not Question.objects.exists()


def test_invalid_edit_keeps_the_question(chair_client, program):
    question = Question.objects.create(program=program, text="Line?", kind="single", choices=["A", "B"])

    response = chair_client.post(url("question_edit", program, question.pk), question_post(choice_labels_en="Only one"))

    assert response.status_code == 200
    question.refresh_from_db()
    assert (question.text, question.choices) == ("Line?", ["A", "B"])


def test_another_programs_question_is_404_for_the_chair(chair_client, world, program):
    theirs = Question.objects.create(program=world["other_program"], text="Theirs?", kind="text")

    assert chair_client.get(url("question_edit", program, theirs.pk)).status_code == 404
    assert chair_client.post(url("question_edit", program, theirs.pk), question_post()).status_code == 404
    assert chair_client.post(url("question_delete", program, theirs.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.text == "Theirs?"


# --- Training resources -----------------------------------------------------------------------


def pdf(name="guide.pdf", size=None):
    content = b"%PDF-1.4 mentoring guide" if size is None else b"0" * size
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_chair_adds_a_link(chair_client, program):
    response = chair_client.post(url("resources", program), {"title": "Handbook", "url": "https://example.org/hb"})

    assert response.status_code == 302
    resource = Resource.objects.get(program=program)
    assert (resource.title, resource.url, resource.file.name) == ("Handbook", "https://example.org/hb", "")
    assert 'href="https://example.org/hb"' in chair_client.get(reverse("program", args=[program.pk])).content.decode()


def test_chair_adds_a_file_that_members_download_and_outsiders_cannot(client, world, people, program, media):
    client.force_login(people["chair"])
    response = client.post(url("resources", program), {"title": "Guide", "url": "", "file": pdf()})

    assert response.status_code == 302
    resource = Resource.objects.get(program=program)
    assert resource.file.name == f"programs/{program.pk}/resources/guide.pdf"
    assert (media / resource.file.name).read_bytes() == b"%PDF-1.4 mentoring guide"
    download = reverse("resource_file", args=[program.pk, resource.pk])

    client.force_login(people["member"])
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 mentoring guide"
    assert response["Content-Disposition"].startswith("attachment")

    client.force_login(people["other_member"])
    assert client.get(download).status_code == 404
    # Nor through their own program's URL.
    other = reverse("resource_file", args=[world["other_program"].pk, resource.pk])
    assert client.get(other).status_code == 404


INVALID_RESOURCES = {
    "file-over-10-mb": (lambda: {"title": "Big", "file": pdf(size=11 * 1024 * 1024)}, "The file is 11 MB; the limit"),
    "exe-file": (
        lambda: {"title": "Tool", "file": SimpleUploadedFile("setup.exe", b"MZ\x90\x00")},
        "Please upload a PDF, Word, PowerPoint, Excel, text or image file.",
    ),
    "exe-renamed-with-two-dots": (
        lambda: {"title": "Tool", "file": SimpleUploadedFile("guide.pdf.exe", b"MZ")},
        "Please upload a PDF",
    ),
    "link-and-file": (
        lambda: {"title": "Both", "url": "https://example.org/", "file": pdf()},
        "Give either a link or a file (one of the two).",
    ),
    "neither": (lambda: {"title": "Nothing", "url": ""}, "Give either a link or a file (one of the two)."),
    "javascript-url": (lambda: {"title": "Click", "url": "javascript:alert(document.cookie)"}, "Enter a valid URL."),
    "ftp-url": (lambda: {"title": "Old", "url": "ftp://example.org/file"}, "Links start with https:// or http://."),
    "script-title": (lambda: {"title": "<script>x</script>", "url": "https://example.org/"}, "Please remove the <"),
}


@pytest.mark.parametrize(("data", "message"), INVALID_RESOURCES.values(), ids=INVALID_RESOURCES.keys())
def test_invalid_resource_is_refused(chair_client, program, media, data, message):
    response = chair_client.post(url("resources", program), data())

    assert response.status_code == 200
    assert says(response, message), message
    assert not Resource.objects.exists()
    assert not any(media.rglob("*.*"))


def test_chair_removes_a_file_resource_and_its_file(chair_client, program, media):
    resource = Resource.objects.create(program=program, title="Guide", file=pdf())
    path = media / resource.file.name
    assert path.exists()

    response = chair_client.post(url("resource_delete", program, resource.pk))

    assert response.status_code == 302
    assert not Resource.objects.exists()
    assert not path.exists()


# --- The committee list -----------------------------------------------------------------------


def test_chair_adds_a_committee_member(chair_client, world, program, people):
    newcomer = make_member("newcomer@example.org", world["associations"]["northport"])

    response = chair_client.post(url("members", program), {"email": " NEWCOMER@example.org ", "role": "facilitator"})

    assert response.status_code == 302
    seat = CommitteeMembership.objects.get(program=program, user=newcomer)
    assert seat.role == Role.FACILITATOR
    assert seat.appointed_by == people["chair"]
    assert seat.pledge_accepted_at is None
    email = OutgoingEmail.objects.get(key=f"committee-added:{seat.pk}")
    assert email.to == "newcomer@example.org"
    assert says(chair_client.get(response.url), "joins the committee")


@pytest.mark.parametrize(
    ("email", "role", "message"),
    [
        ("nobody@example.org", "member", "No member has this email address."),
        ("other@example.org", "member", "Otto Other is not a member of Northport."),
        ("committee@example.org", "member", "Cora Committee is already on this committee."),
        ("member@example.org", "chair", "Select a valid choice. chair is not one of the available choices."),
        ("not an email", "member", "Enter a valid email address."),
    ],
    ids=["unknown", "other-association", "already-on-it", "chair-role", "malformed"],
)
def test_adding_a_committee_member_is_refused(chair_client, program, email, role, message):
    before = list(program.committee.values_list("user__email", "role"))

    response = chair_client.post(url("members", program), {"email": email, "role": role})

    assert response.status_code == 200
    assert says(response, message), message
    assert list(program.committee.values_list("user__email", "role")) == before
    assert not OutgoingEmail.objects.exists()


def test_chair_removes_a_member_but_not_the_chair(chair_client, program, people):
    seat = CommitteeMembership.objects.get(program=program, user=people["committee_member"])
    chair_seat = CommitteeMembership.objects.get(program=program, user=people["chair"])

    assert chair_client.post(url("member_remove", program, seat.pk)).status_code == 302
    assert not CommitteeMembership.objects.filter(pk=seat.pk).exists()

    response = chair_client.post(url("member_remove", program, chair_seat.pk), follow=True)
    assert says(response, "The chair can't be removed. Appoint a new chair first.")
    assert CommitteeMembership.objects.filter(pk=chair_seat.pk, role=Role.CHAIR).exists()


def test_another_committees_seat_is_404_for_the_chair(chair_client, world, program):
    theirs = CommitteeMembership.objects.get(program=world["other_program"])

    assert chair_client.post(url("member_remove", program, theirs.pk)).status_code == 404
    assert CommitteeMembership.objects.filter(pk=theirs.pk).exists()


# --- Non-chairs get 404 on every chair POST, and nothing changes -----------------------------


def everything(program):
    return {
        **program_state(program),
        "questions": list(Question.objects.values_list("id", "text", "choices")),
        "resources": list(Resource.objects.values_list("id", "title", "url")),
        "seats": list(CommitteeMembership.objects.values_list("id", "user_id", "role")),
        "emails": OutgoingEmail.objects.count(),
    }


CHAIR_POSTS = {
    "setup": lambda t: (url("setup", t.program), setup_post(t.program, summary="Hacked")),
    "questions": lambda t: (url("questions", t.program), question_post()),
    "question_edit": lambda t: (url("question_edit", t.program, t.question.pk), question_post(text="Hacked?")),
    "question_delete": lambda t: (url("question_delete", t.program, t.question.pk), {}),
    "resources": lambda t: (url("resources", t.program), {"title": "Hacked", "url": "https://evil.example/"}),
    "resource_delete": lambda t: (url("resource_delete", t.program, t.resource.pk), {}),
    "members-add": lambda t: (url("members", t.program), {"email": "member@example.org", "role": "member"}),
    "member_remove": lambda t: (url("member_remove", t.program, t.seat.pk), {}),
    "appoint_chair": lambda t: (
        reverse("appoint_chair", args=[t.program.pk]),
        {"person": User.objects.get(email="committee@example.org").pk, "confirm": "True"},
    ),
}


@pytest.fixture
def targets(world, program, people):
    class T:
        pass

    t = T()
    t.program = program
    t.question = Question.objects.create(program=program, text="Line?", kind="single", choices=["A", "B"])
    t.resource = Resource.objects.create(program=program, title="Handbook", url="https://example.org/")
    t.seat = CommitteeMembership.objects.get(program=program, user=people["unpledged_member"])
    return t


@pytest.mark.parametrize("action", CHAIR_POSTS.keys())
def test_non_chair_post_is_404_and_changes_nothing(client, people, program, targets, action):
    target, data = CHAIR_POSTS[action](targets)
    before = everything(program)

    for who in ("committee_member", "unpledged_member", "other_chair", "vp", "member"):
        client.force_login(people[who])
        response = client.post(target, data)
        assert response.status_code == 404, who

    assert everything(program) == before


# --- The pledge and two-factor sign-in --------------------------------------------------------


def test_pledge_records_the_time_and_the_version(client, people, program):
    seat = CommitteeMembership.objects.get(program=program, user=people["unpledged_member"])
    client.force_login(people["unpledged_member"])
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(minutes=5)

    refused = client.post(url("pledge", program), {})
    seat.refresh_from_db()
    assert says(refused, "Please tick the box to accept the pledge.")
    assert (seat.pledge_accepted_at, seat.pledge_version) == (None, "")

    with time_machine.travel(moment, tick=False):
        response = client.post(url("pledge", program), {"accept": "yes"})

    assert response.status_code == 302
    assert response.url == url("dashboard", program)
    seat.refresh_from_db()
    assert seat.pledge_accepted_at == moment
    assert seat.pledge_version == program.pledge_version
    assert len(seat.pledge_version) == 12
    assert seat.has_current_pledge


def test_a_new_pledge_text_asks_everyone_again(client, people, program):
    seat = CommitteeMembership.objects.get(program=program, user=people["committee_member"])
    client.force_login(people["committee_member"])
    assert client.get(url("applications", program)).status_code == 200
    old_version = program.pledge_version

    client.force_login(people["chair"])
    response = client.post(url("setup", program), setup_post(program, pledge_text="A new, stricter pledge."))
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.pledge_version != old_version

    # The chair's own acceptance is out of date too: led to the new pledge.
    assert client.get(url("applications", program)).url == url("pledge", program)
    client.force_login(people["committee_member"])
    for page in ("applications", "vetting"):
        assert client.get(url(page, program)).url == url("pledge", program)
    seat.refresh_from_db()
    assert not seat.has_current_pledge
    assert seat.pledge_version == old_version  # the record of what they accepted is kept
    assert "A new, stricter pledge." in client.get(url("pledge", program)).content.decode()

    client.post(url("pledge", program), {"accept": "yes"})
    assert client.get(url("applications", program)).status_code == 200


def test_pledged_member_without_two_factor_is_sent_to_set_it_up(client, people, program):
    client.force_login(people["unpledged_member"])
    client.post(url("pledge", program), {"accept": "yes"})

    response = client.get(url("applications", program))

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert client.get(url("dashboard", program)).status_code == 200  # not confidential

    Program.objects.filter(pk=program.pk).update(require_two_factor=False)
    assert client.get(url("applications", program)).status_code == 200

    Program.objects.filter(pk=program.pk).update(require_two_factor=True)
    give_two_factor(people["unpledged_member"])
    assert client.get(url("applications", program)).status_code == 200


# --- Appointing a chair -----------------------------------------------------------------------


def appoint(client, program, email):
    """Choose the member by name on the form, then confirm."""
    person = User.objects.get(email=email).pk
    return client.post(reverse("appoint_chair", args=[program.pk]), {"person": person, "confirm": "True"})


def test_the_chair_is_chosen_by_name_and_confirmed_before_anything_changes(client, people, program):
    client.force_login(people["staff"])
    page = client.get(reverse("appoint_chair", args=[program.pk])).content.decode()
    assert "Cara Committee (Northport" in page or "Committee (Northport" in page
    assert "committee@example.org" not in page  # names, not addresses
    assert "Otto Other" not in page  # only members of the program's area
    before = roles(program)
    person = User.objects.get(email="committee@example.org")
    asked = client.post(reverse("appoint_chair", args=[program.pk]), {"person": person.pk})
    assert asked.status_code == 200 and f"Appoint {person} as chair of {program.name}?" in asked.content.decode()
    assert roles(program) == before
    for hostile in ("", "abc", "-1", "99999999", "1 OR 1=1", "<script>"):
        response = client.post(reverse("appoint_chair", args=[program.pk]), {"person": hostile, "confirm": "True"})
        assert response.status_code == 200, hostile
    assert roles(program) == before


def roles(program):
    return dict(program.committee.values_list("user__email", "role"))


def test_staff_appoints_a_chair_and_the_previous_chair_stays_as_member(client, people, program):
    client.force_login(people["staff"])

    response = appoint(client, program, "committee@example.org")

    assert response.status_code == 302
    assert roles(program)["committee@example.org"] == Role.CHAIR
    assert roles(program)["chair@example.org"] == Role.MEMBER
    assert program.committee.filter(role=Role.CHAIR).count() == 1
    assert OutgoingEmail.objects.filter(key__startswith="chair-appointed:", to="committee@example.org").count() == 1


def test_the_chair_hands_over_and_loses_the_chair_pages(chair_client, people, program):
    newcomer = make_member("next.chair@example.org", program.association)

    response = appoint(chair_client, program, newcomer.email)

    assert response.status_code == 302
    seat = CommitteeMembership.objects.get(program=program, user=newcomer)
    assert (seat.role, seat.appointed_by) == (Role.CHAIR, people["chair"])
    assert roles(program)["chair@example.org"] == Role.MEMBER
    assert chair_client.get(url("setup", program)).status_code == 404
    assert chair_client.get(reverse("appoint_chair", args=[program.pk])).status_code == 404


@pytest.fixture
def leadership(world):
    north = services.create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])
    south = services.create_program(name="South leaders", kind="leadership", region=world["regions"]["south"])
    return north, south


def test_vp_appoints_the_chair_of_their_regions_leadership_program(client, people, leadership):
    north, south = leadership
    client.force_login(people["vp"])

    # Any member of the region: Northport and Easton are both in North.
    assert appoint(client, north, "member@example.org").status_code == 302
    assert roles(north) == {"member@example.org": Role.CHAIR}
    assert appoint(client, north, "unpledged@example.org").status_code == 302
    assert roles(north) == {"member@example.org": Role.MEMBER, "unpledged@example.org": Role.CHAIR}

    refused = appoint(client, north, "other@example.org")  # not offered: not a member of the region
    assert says(refused, "Choose a member of the list; that one is no longer there.")
    assert "other@example.org" not in roles(north)


def test_vp_gets_404_on_another_regions_program_and_on_new_member_programs(client, people, program, leadership):
    north, south = leadership
    services.appoint_chair(program=south, user=people["other_member"], by=people["other_vp"])
    before = {p.pk: roles(p) for p in (program, north, south)}
    client.force_login(people["vp"])

    for target in (south, program):
        assert client.get(reverse("appoint_chair", args=[target.pk])).status_code == 404
        assert appoint(client, target, "member@example.org").status_code == 404

    assert {p.pk: roles(p) for p in (program, north, south)} == before


@pytest.mark.parametrize("person", ["other", "gone", "", "<script>", "1e9"])
def test_appointing_a_chair_is_refused_with_a_message(client, people, program, person):
    """Someone outside the program's area, a member who has just left, or a forged value."""
    before = roles(program)
    client.force_login(people["staff"])
    if person == "other":
        person = people["other_member"].pk
    elif person == "gone":
        gone = make_member("gone@example.org", program.association)
        person = gone.pk
        gone.delete()

    response = client.post(reverse("appoint_chair", args=[program.pk]), {"person": person, "confirm": "True"})

    assert response.status_code == 200
    assert says(response, "Choose a member") or says(response, "Choose the member who will chair the program.")
    assert roles(program) == before
    assert not OutgoingEmail.objects.exists()


# --- 7. Constant query count: the committee list ----------------------------------------------

MEMBERS_CEILING = 7  # the navigation asks the person's roles: seats, regions, offices


@pytest.mark.parametrize("rows", [3, 60])
def test_committee_list_query_count_does_not_grow(chair_client, program, people, rows, django_assert_max_num_queries):
    users = User.objects.bulk_create(
        User(email=f"seat{i}@example.org", first_name="Seat", last_name=f"Holder {i}") for i in range(rows - 3)
    )
    CommitteeMembership.objects.bulk_create(
        CommitteeMembership(program=program, user=user, appointed_by=people["chair"]) for user in users
    )

    with django_assert_max_num_queries(MEMBERS_CEILING):
        response = chair_client.get(url("members", program))

    assert response.status_code == 200
    assert len(response.context["committee"]) == rows
    assert "Holder" in response.content.decode() or rows == 3


def test_a_stale_set_up_form_cannot_add_objectives_past_the_limit(chair_client, program):
    """The form was opened with no objective; meanwhile (another window) the program got 10.
    Re-posting the old form with one new objective is refused: the limit is per program."""
    stale = setup_post(program)  # one new objective on the form
    Objective.objects.bulk_create(
        Objective(program=program, description=f"Added elsewhere {i}", measure="other") for i in range(10)
    )
    response = chair_client.post(url("setup", program), stale)

    assert response.status_code == 200
    assert says(response, "A program has at most 10 objectives, and this one would have 11")
    assert program.objectives.count() == 10
    # Removing one elsewhere makes room: the same form then saves.
    program.objectives.first().delete()
    assert chair_client.post(url("setup", program), stale).status_code == 302
    assert program.objectives.count() == 10
