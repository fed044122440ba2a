"""Next year's cycle in one click (issue 29): a program copied for its next period, with its
set-up, texts in each language, questions, orientation, objectives, timeline, resources and
committee; the dates moved on; this cycle's members' records untouched and never copied. The
surveys (feedback's part) are in feedback/tests/test_next_cycle.py."""

import datetime
import threading

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import FileField
from django.urls import reverse
from django.utils import translation

from conftest import applicant, comparable, make_member, read
from mentoring import cycles
from mentoring.models import (
    Application,
    CommitteeMembership,
    Milestone,
    Objective,
    OrientationItem,
    Program,
    Question,
    Resource,
    VettingNote,
)
from mentoring.services import vet_mentor

Role = CommitteeMembership.Role


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def set_up(world, media):
    """The Northport program as a chair sets it up: every text in two languages, dates, weights,
    questions, orientation, objectives, resources (a link and a file), a facilitator."""
    program = world["program"]
    Program.objects.filter(pk=program.pk).update(
        summary_en="A year beside an experienced member.",
        summary_fr="Une année aux côtés d’un membre d’expérience.",
        expectations_fr="Les partenaires s’entendent sur leurs objectifs.",
        confidentiality_fr="Ce qui se dit reste entre les partenaires.",
        ending_early_fr="L’un ou l’autre peut y mettre fin.",
        enrollment_opens_on=datetime.date(2028, 2, 29),
        enrollment_closes_on=datetime.date(2028, 3, 31),
        length_months=9,
        topics=["Claims", "Leadership", "Sinistres"],
        communication_channels=["video"],
        matching_weights={"topics": 3.0},
        mentee_joined_within_months=24,
        mentor_min_years=7,
        allow_same_employer=True,
        feedback_first_after_days=21,
        meeting_frequency="fortnightly",
        orientation_required_before=Program.OrientationRequired.BEFORE_VETTING,
        pledge_text="I keep it all confidential.",
        require_two_factor=False,
    )
    program.refresh_from_db()
    Question.objects.create(
        program=program,
        text_en="Which line of business?",
        text_fr="Quel secteur?",
        help_text_en="Choose one",
        help_text_fr="Choisissez-en un",
        kind="single",
        choices=["Personal lines", "Claims"],
        choice_labels_en=["Personal lines", "Claims"],
        choice_labels_fr=["Assurance des particuliers", "Sinistres"],
        audience="mentee",
        required=True,
        weight=2.5,
        position=1,
    )
    Question.objects.create(program=program, text_en="How confident are you?", kind="scale", position=2)
    OrientationItem.objects.create(
        program=program, kind="page", title_en="Welcome", title_fr="Bienvenue", body_fr="Lisez ceci.", position=0
    )
    OrientationItem.objects.create(program=program, kind="link", title_en="Video", url="https://example.org/v")
    OrientationItem.objects.create(
        program=program,
        kind="file",
        title_en="Handbook",
        audience="both",
        required=False,
        file=SimpleUploadedFile("handbook.pdf", b"%PDF-1.4 handbook"),
    )
    Objective.objects.create(program=program, description="New members feel at home", measure="retention", target=80)
    Resource.objects.create(program=program, title="Guide", url="https://example.org/guide")
    Resource.objects.create(program=program, title="Slides", file=SimpleUploadedFile("slides.pdf", b"%PDF-1.4 s"))
    facilitator = make_member("facilitator@example.org", world["associations"]["northport"], first_name="Fay")
    CommitteeMembership.objects.create(program=program, user=facilitator, role=Role.FACILITATOR)
    return program


def stored(row, *, skip=()):
    """Every column of a row as stored (each language's text is its own column), but the id, the
    program it belongs to, when it was made, files, and `skip`."""
    left_out = {"id", "program_id", "created_at", "added_at", *skip}
    return {
        f.attname: getattr(row, f.attname)
        for f in type(row)._meta.concrete_fields
        if f.attname not in left_out and f.name not in left_out and not isinstance(f, FileField)
    }


def copy_of(program, by, **kwargs):
    return cycles.copy_program(program=program, by=by, name=kwargs.pop("name", "Northport 2029"), **kwargs)


# --- The service ------------------------------------------------------------------------------


def test_every_setting_and_text_is_copied_in_each_language(set_up, world):
    copy = copy_of(set_up, world["people"]["chair"])

    copy.refresh_from_db()
    assert stored(copy, skip=cycles.NOT_COPIED) == stored(set_up, skip=cycles.NOT_COPIED)
    assert (copy.summary_fr, copy.expectations_fr) == (set_up.summary_fr, set_up.expectations_fr)
    assert copy.name == "Northport 2029" and copy.copied_from == set_up
    assert copy.enrollment_open is False  # the chair opens it
    # A French reader reads the French text of the copy, an English one the English.
    with translation.override("fr"):
        assert Program.objects.get(pk=copy.pk).summary == "Une année aux côtés d’un membre d’expérience."
    with translation.override("en"):
        assert Program.objects.get(pk=copy.pk).summary == "A year beside an experienced member."


def test_copying_in_french_keeps_each_language_in_its_own_column(set_up, world):
    with translation.override("fr"):
        copy = copy_of(set_up, world["people"]["chair"])
    copy.refresh_from_db()
    assert (copy.summary_en, copy.summary_fr) == (set_up.summary_en, set_up.summary_fr)
    assert copy.expectations_en == set_up.expectations_en


def test_questions_orientation_objectives_timeline_and_resources_are_copied_field_by_field(set_up, world, media):
    copy = copy_of(set_up, world["people"]["chair"])

    for model in (Question, OrientationItem, Objective, Milestone, Resource):
        before = [stored(row) for row in model.objects.filter(program=set_up).order_by("pk")]
        after = [stored(row) for row in model.objects.filter(program=copy).order_by("pk")]
        assert after == before, model.__name__
        assert before, f"the test sets up some {model.__name__}"
    question = Question.objects.get(program=copy, kind="single")
    assert question.choice_labels_fr == ["Assurance des particuliers", "Sinistres"]
    assert (question.text_fr, question.help_text_fr) == ("Quel secteur?", "Choisissez-en un")
    # Files are the copy's own: deleting this cycle's leaves the next cycle's.
    for model in (OrientationItem, Resource):
        old = model.objects.get(program=set_up, file__gt="")
        new = model.objects.get(program=copy, file__gt="")
        assert new.file.name != old.file.name and f"programs/{copy.pk}/" in new.file.name
        old.file.storage.delete(old.file.name)
        assert new.file.open("rb").read().startswith(b"%PDF-1.4")


def test_the_committee_keeps_its_roles_and_accepts_the_pledge_again(set_up, world):
    people = world["people"]
    copy = copy_of(set_up, people["chair"])

    seats = {seat.user.email: seat for seat in copy.committee.select_related("user")}
    assert {email: seat.role for email, seat in seats.items()} == {
        "chair@example.org": Role.CHAIR,
        "committee@example.org": Role.MEMBER,
        "facilitator@example.org": Role.FACILITATOR,
    }
    assert all(seat.pledge_accepted_at is None and not seat.has_current_pledge for seat in seats.values())
    assert all(seat.appointed_by == people["chair"] for seat in seats.values())
    # Each new seat is in the change log staff read, as any seat is.
    assert LogEntry.objects.get_for_objects(copy.committee.all()).count() == 3


def test_committee_members_no_longer_of_the_area_or_closed_are_left_out_and_listed(set_up, world):
    people = world["people"]
    people["committee_member"].is_active = False
    people["committee_member"].save(update_fields=["is_active"])

    preview = cycles.next_cycle(set_up)
    assert {(seat.user.email, why) for seat, why in preview.left_out} == {
        ("unpledged@example.org", "no longer a member of Northport"),  # an Easton member
        ("committee@example.org", "their account is closed"),
    }
    copy = copy_of(set_up, people["chair"])
    assert set(copy.committee.values_list("user__email", flat=True)) == {"chair@example.org", "facilitator@example.org"}


@pytest.mark.parametrize(
    ("opens", "closes", "months", "new_opens", "new_closes"),
    [
        # 29 February of a leap year, a year on: 28 February; the last of March stays the last.
        ((2028, 2, 29), (2028, 3, 31), 12, (2029, 2, 28), (2029, 3, 31)),
        # 31 January + 1 month: the end of February (29th in a leap year, 28th otherwise).
        ((2028, 1, 31), (2028, 1, 31), 1, (2028, 2, 29), (2028, 2, 29)),
        ((2027, 1, 31), (2027, 3, 31), 1, (2027, 2, 28), (2027, 4, 30)),
        # Four years on from 29 February: 29 February again.
        ((2028, 2, 29), (2028, 2, 29), 36, (2031, 2, 28), (2031, 2, 28)),
        ((2027, 11, 30), (2027, 12, 31), 2, (2028, 1, 30), (2028, 2, 29)),
    ],
)
def test_dates_move_on_by_whole_months(world, opens, closes, months, new_opens, new_closes):
    program = world["program"]
    Program.objects.filter(pk=program.pk).update(
        enrollment_opens_on=datetime.date(*opens), enrollment_closes_on=datetime.date(*closes)
    )
    program.refresh_from_db()

    preview = cycles.next_cycle(program, months=months)
    copy = copy_of(program, world["people"]["chair"], months=months)

    assert (copy.enrollment_opens_on, copy.enrollment_closes_on) == (
        datetime.date(*new_opens),
        datetime.date(*new_closes),
    )
    assert (preview.opens_on, preview.closes_on) == (copy.enrollment_opens_on, copy.enrollment_closes_on)
    assert program.enrollment_opens_on == datetime.date(*opens)  # this cycle's dates are untouched


def test_a_program_without_dates_is_copied_without_dates(world):
    copy = copy_of(world["program"], world["people"]["chair"])
    assert (copy.enrollment_opens_on, copy.enrollment_closes_on) == (None, None)


@pytest.mark.parametrize(
    ("name", "opens", "months", "expected"),
    [
        ("Northport new members", (2027, 3, 1), 12, "Northport new members 2028"),
        ("Northport new members 2027", (2027, 3, 1), 12, "Northport new members 2028"),
        ("Mentorat 2026-2027", (2026, 9, 1), 12, "Mentorat 2027-2028"),  # every year moves on
        ("Mentorat 2026-2027", (2026, 9, 1), 24, "Mentorat 2028-2029"),
        ("Spring 2027", (2027, 3, 1), 6, "Spring 2027"),  # same year: the chair renames it on the page
        ("Northport new members", None, 12, "Northport new members 2027"),  # no dates: from today
        ("N" * 150, None, 12, "N" * 145 + " 2027"),  # never longer than a name may be
    ],
)
def test_the_next_cycles_name_says_its_year(world, name, opens, months, expected):
    program = Program(name=name, enrollment_opens_on=datetime.date(*opens) if opens else None)
    assert cycles.next_name(program, months, today=datetime.date(2026, 12, 3)) == expected


def test_this_cycles_members_records_are_untouched_and_never_copied(set_up, world):
    people = world["people"]
    Program.objects.filter(pk=set_up.pk).update(orientation_required_before=Program.OrientationRequired.NO)
    set_up.refresh_from_db()
    mentor = applicant(set_up, "mentor@example.org", "mentor", years=20)
    candidate = applicant(set_up, "candidate@example.org", "mentor", years=20)
    Application.objects.filter(pk=candidate.pk).update(status=Application.Status.AWAITING_VETTING)
    candidate.refresh_from_db()
    vet_mentor(application=candidate, by=people["chair"], decision="approve", note="Vetted-secret", message="")
    mentee = applicant(set_up, "mentee@example.org", "mentee")
    before = {
        "applications": list(Application.objects.filter(program=set_up).values_list("pk", "status")),
        "notes": list(VettingNote.objects.values_list("pk", "application_id")),
        "partnerships": list(set_up.partnerships.values_list("pk", "status")),
    }

    copy = copy_of(set_up, people["chair"])

    # Mentors vetted this cycle apply again: a vetting decision is per program.
    assert not Application.objects.filter(program=copy).exists()
    assert not VettingNote.objects.filter(application__program=copy).exists()
    assert not copy.partnerships.exists()
    assert before == {
        "applications": list(Application.objects.filter(program=set_up).values_list("pk", "status")),
        "notes": list(VettingNote.objects.values_list("pk", "application_id")),
        "partnerships": list(set_up.partnerships.values_list("pk", "status")),
    }
    assert {mentor.pk, mentee.pk, candidate.pk} <= {pk for pk, _ in before["applications"]}


def test_a_second_copy_is_refused_naming_the_first(set_up, world):
    first = copy_of(set_up, world["people"]["chair"], name="Northport 2029")
    with pytest.raises(ValidationError, match="copied for its next cycle already: “Northport 2029”"):
        copy_of(set_up, world["people"]["staff"], name="Another")
    assert list(Program.objects.filter(copied_from=set_up)) == [first]
    # The copy itself may be copied for the cycle after it.
    assert copy_of(first, world["people"]["chair"], name="Northport 2030").copied_from == first


@pytest.mark.parametrize(
    ("name", "months", "message"),
    [
        ("   ", 12, "Give the next cycle a name."),
        ("N" * 151, 12, "The name is too long"),
        ("Next", 0, "1 to 36 months"),
        ("Next", 37, "1 to 36 months"),
    ],
)
def test_the_service_refuses_bad_input_and_copies_nothing(world, name, months, message):
    with pytest.raises(ValidationError, match=message):
        cycles.copy_program(program=world["program"], by=world["people"]["chair"], name=name, months=months)
    assert Program.objects.count() == 2


def _in_thread(fn, barrier, results):
    from django.db import connections

    try:
        barrier.wait()
        results.append(("ok", fn()))
    except Exception as exc:  # collected and asserted below
        results.append(("error", exc))
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_copies_at_once_make_one(world, media):
    if connection.vendor != "postgresql":
        pytest.skip("select_for_update does nothing on SQLite: this test needs PostgreSQL (set DATABASE_URL)")
    program, chair = world["program"], world["people"]["chair"]
    barrier, results = threading.Barrier(2), []
    threads = [
        threading.Thread(target=_in_thread, args=(lambda n=n: copy_of(program, chair, name=n), barrier, results))
        for n in ("First click", "Second click")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    made = next(value for kind, value in results if kind == "ok")
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, ValidationError) and made.name in error.messages[0]
    assert Program.objects.filter(copied_from=program).count() == 1
    assert CommitteeMembership.objects.filter(program=made).count() == 2  # the chair, Cora (Uma is of Easton)


# --- The page ---------------------------------------------------------------------------------


def url(program):
    return reverse("next_cycle", args=[program.pk])


def test_the_chair_sees_what_is_copied_and_the_new_dates_then_copies(client, set_up, world):
    client.force_login(world["people"]["chair"])
    page = read(client.get(url(set_up)))
    assert "The next cycle of Northport new members" in page
    assert "Feb. 28, 2029" in page and "(this cycle: Feb. 29, 2028)" in page
    assert 'value="Northport new members 2029"' in page
    assert "Questions of the questionnaire" in page and "Fay Member" in page
    assert "Uma Unpledged: no longer a member of Northport" in page

    response = client.post(url(set_up), {"name": "Northport new members 2029", "months": "12", "action": "copy"})

    copy = Program.objects.get(copied_from=set_up)
    assert response.status_code == 302 and response.url == reverse("committee:setup", args=[copy.pk])
    assert "Northport new members 2029 is ready, with enrollment closed." in read(client.get(response.url))


@pytest.mark.parametrize("action", ["preview", "", "COPY", "x" * 10_000])
def test_show_the_new_dates_recomputes_them_and_keeps_the_name_typed(client, set_up, world, action):
    """Only the "Copy the program" button copies; anything else in its place shows the dates."""
    client.force_login(world["people"]["chair"])
    page = read(client.post(url(set_up), {"name": "Printemps", "months": "1", "action": action}))
    assert "March 29, 2028" in page and 'value="Printemps"' in page
    assert not Program.objects.filter(copied_from=set_up).exists()


def test_a_double_click_makes_one_copy_and_names_it(client, set_up, world):
    client.force_login(world["people"]["chair"])
    data = {"name": "Northport new members 2029", "months": "12", "action": "copy"}
    client.post(url(set_up), data)
    again = client.post(url(set_up), data)

    copy = Program.objects.get(copied_from=set_up)
    assert again.status_code == 200
    link = f'<a href="/programs/{copy.pk}/">Northport new members 2029</a>'
    assert f"copied for its next cycle already: {link}" in read(again)
    # Opened again later, the page says so and offers no button.
    page = read(client.get(url(set_up)))
    assert "Open that one instead" in page and "Copy the program" not in page


def test_staff_copy_and_land_on_the_new_programs_page(client, world):
    client.force_login(world["people"]["staff"])
    response = client.post(url(world["program"]), {"name": "Northport 2027", "months": "12", "action": "copy"})
    copy = Program.objects.get(copied_from=world["program"])
    assert response.url == reverse("program", args=[copy.pk])
    assert copy.committee.get(role=Role.CHAIR).user == world["people"]["chair"]


@pytest.mark.parametrize(
    "role", ["other_chair", "committee_member", "unpledged_member", "member", "other_member", "vp", "officer"]
)
def test_everyone_else_gets_404_and_nothing_is_copied(client, world, role):
    client.force_login(world["people"][role])
    program = world["program"]
    data = {"name": "Mine", "months": "12", "action": "copy"}
    assert client.get(url(program)).status_code == 404
    forbidden = client.post(url(program), data)
    missing = client.post(reverse("next_cycle", args=[999_999]), data)
    assert forbidden.status_code == missing.status_code == 404
    assert comparable(forbidden) == comparable(missing)
    assert Program.objects.count() == 2


HOSTILE = {
    "empty": ("", "Give the next cycle a name."),
    "oversized": ("N" * 1500, "The name is too long: 150 characters at most (it has 1500)."),
    "markup": ("<script>alert(1)</script>", "Please remove the &lt; &gt; signs"),
    "nul": ("Next\x00cycle", "Null characters are not allowed."),
    "sql": ("x'); DROP TABLE mentoring_program; --", None),
    "rtl-emoji": ("برنامج الإرشاد 🌱", None),
}


@pytest.mark.parametrize("case", HOSTILE, ids=list(HOSTILE))
def test_hostile_names_get_a_plain_message_and_keep_what_was_typed(client, world, case):
    name, message = HOSTILE[case]
    client.force_login(world["people"]["chair"])
    program = world["program"]
    response = client.post(url(program), {"name": name, "months": "12", "action": "copy"})
    if message is None:  # an ordinary name, however it is written
        assert response.status_code == 302
        assert Program.objects.get(copied_from=program).name == name
        return
    body = response.content.decode()
    assert response.status_code == 200 and message in body
    assert "Nothing was copied yet" in body
    if name and "\x00" not in name:
        assert f'value="{name.replace("<", "&lt;").replace(">", "&gt;")}"' in body
    assert not Program.objects.filter(copied_from=program).exists()


@pytest.mark.parametrize("months", ["", "0", "37", "abc", "3.5", "9" * 50, "-12"])
def test_a_wrong_number_of_months_is_refused_plainly(client, world, months):
    client.force_login(world["people"]["chair"])
    program = world["program"]
    response = client.post(url(program), {"name": "Next", "months": months, "action": "copy"})
    assert "how many months later the next cycle runs, from 1 to 36" in read(response)
    assert 'value="Next"' in read(response)
    assert not Program.objects.filter(copied_from=program).exists()


def test_the_button_is_on_the_chairs_set_up_and_the_staff_home(client, world):
    program = world["program"]
    client.force_login(world["people"]["chair"])
    assert url(program) in read(client.get(reverse("committee:setup", args=[program.pk])))
    assert url(program) not in read(client.get(reverse("home")))
    client.force_login(world["people"]["staff"])
    assert url(program) in read(client.get(reverse("home")))


CEILING = 14


@pytest.mark.parametrize("rows", [1, 30])
def test_the_confirmation_page_query_count_does_not_grow(client, world, rows, django_assert_max_num_queries):
    program = world["program"]
    for i in range(rows):
        Question.objects.create(program=program, text=f"Question {i}", kind="text")
        OrientationItem.objects.create(program=program, title=f"Item {i}")
        person = make_member(f"seat{i}@example.org", program.association, first_name="Seat")
        CommitteeMembership.objects.create(program=program, user=person, role=Role.MEMBER)
    client.force_login(world["people"]["chair"])
    with django_assert_max_num_queries(CEILING):
        assert client.get(url(program)).status_code == 200


# --- Members of the last cycle apply again, their own answers filled in --------------------------


def test_a_mentor_of_the_last_cycle_applies_again_with_their_answers_filled_in_and_is_vetted_again(client, world):
    program, chair = world["program"], world["people"]["chair"]
    earlier = applicant(program, "morgan.mentor@example.org", "mentor", years=20, goals="Give back, once more")
    Application.objects.filter(pk=earlier.pk).update(introduction="Twenty years in claims.", capacity=2)
    copy = copy_of(program, chair)
    Program.objects.filter(pk=copy.pk).update(enrollment_open=True)

    client.force_login(earlier.user)
    page = read(client.get(reverse("apply", args=[copy.pk, "mentor"])))

    assert "Your answers from the last cycle are filled in." in page
    assert "Give back, once more" in page and "Twenty years in claims." in page
    assert not Application.objects.filter(program=copy).exists()  # nothing saved before they do
    # Sent, the mentor waits for this cycle's committee: last cycle's vetting does not carry over.
    answers = cycles.earlier_answers(program=copy, user=earlier.user, role="mentor")
    data = {k: v for k, v in answers.items() if v not in (None, "", [])}
    response = client.post(reverse("apply", args=[copy.pk, "mentor"]), {**data, "action": "send"})
    assert response.status_code == 302
    new = Application.objects.get(program=copy, user=earlier.user)
    assert new.status == Application.Status.AWAITING_VETTING and new.goals == "Give back, once more"
    assert Application.objects.get(pk=earlier.pk).status == Application.Status.IN_POOL  # untouched


def test_only_the_members_own_answers_in_the_same_role_are_filled_in(client, world):
    program, chair = world["program"], world["people"]["chair"]
    applicant(program, "someone.else@example.org", "mentee", goals="Someone else's goals")
    copy = copy_of(program, chair)
    Program.objects.filter(pk=copy.pk).update(enrollment_open=True)
    mentee = applicant(program, "mia.mentee@example.org", "mentee", goals="My own goals")

    client.force_login(mentee.user)
    as_mentee = read(client.get(reverse("apply", args=[copy.pk, "mentee"])))
    assert "My own goals" in as_mentee and "Someone else" not in as_mentee
    client.force_login(world["people"]["member"])  # applied to neither cycle
    fresh = read(client.get(reverse("apply", args=[copy.pk, "mentee"])))
    assert "from the last cycle" not in fresh and "Someone else" not in fresh and "My own goals" not in fresh
