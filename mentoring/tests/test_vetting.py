"""Vetting mentor candidates: the committee's decisions, its internal notes (never shown to the
candidate), and who may read or post to a candidate's page (404 for everyone else, exactly like a
page that does not exist)."""

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from conftest import applicant, make_member
from mentoring import services
from mentoring.models import Application, ConfidentialAccess, VettingNote
from outbox.models import OutgoingEmail

Status = Application.Status


@pytest.fixture
def people(world):
    return world["people"]


@pytest.fixture
def candidate(world):
    return make_member("candidate@example.org", world["associations"]["northport"], first_name="Cam", years=20)


def send(program, user, role, **answers):
    application = services.start_application(program=program, user=user, role=role)
    return services.submit_application(
        application=application,
        answers={"goals": "Give back to the association.", "introduction": "Twenty years in claims."} | answers,
        extra_answers={},
    )


@pytest.fixture
def application(program, candidate):
    return send(program, candidate, "mentor", capacity=2)


@pytest.fixture
def chair_client(client, people):
    client.force_login(people["chair"])
    return client


def detail_url(application, program=None):
    return reverse("committee:application", args=[(program or application.program).pk, application.pk])


def decision_emails(application):
    return OutgoingEmail.objects.filter(key__startswith="vetting-decision:", to=application.user.email)


def state(application):
    application = Application.objects.get(pk=application.pk)
    return {
        "status": application.status,
        "message": application.message_to_member,
        "decided_at": application.decided_at,
        "notes": list(application.vetting_notes.values_list("decision", "text")),
        "emails": OutgoingEmail.objects.count(),
    }


def page_text(response):
    """The body without the per-request CSRF token, so two pages can be compared."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())


# --- Decisions --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "status"),
    [("approve", Status.IN_POOL), ("decline", Status.DECLINED), ("more_info", Status.MORE_INFO)],
)
def test_a_decision_changes_the_status_and_queues_one_email(chair_client, people, application, decision, status):
    assert application.status == Status.AWAITING_VETTING
    data = {"decision": decision, "note": "Two references checked.", "message": "Which lines do you know best?"}

    response = chair_client.post(detail_url(application), data)

    assert response.status_code == 302
    # Nobody else waits for vetting: back to the dashboard, which says what to do next.
    assert response.url == reverse("committee:dashboard", args=[application.program_id])
    application.refresh_from_db()
    assert application.status == status
    assert application.decided_at is not None
    assert application.message_to_member == "Which lines do you know best?"
    note = application.vetting_notes.get()
    assert (note.decision, note.text, note.author) == (decision, "Two references checked.", people["chair"])
    email = decision_emails(application).get()
    assert email.key == f"vetting-decision:{note.pk}"
    assert "Two references checked." not in email.body  # the internal note stays internal
    if decision == "more_info":
        assert "Which lines do you know best?" in email.body
    assert "Decision recorded; the candidate is emailed." in chair_client.get(response.url).content.decode()


def test_deciding_twice_sends_no_second_email(chair_client, application):
    chair_client.post(detail_url(application), {"decision": "approve"})

    again = chair_client.post(detail_url(application), {"decision": "decline"})

    assert again.status_code == 200
    assert "nothing to decide" in again.content.decode()
    application.refresh_from_db()
    assert application.status == Status.IN_POOL
    assert decision_emails(application).count() == 1
    assert application.vetting_notes.count() == 1


def test_more_info_then_the_candidate_answers_and_is_approved(chair_client, application):
    chair_client.post(detail_url(application), {"decision": "more_info", "message": "Tell us about your claims work."})
    application.refresh_from_db()
    assert application.status == Status.MORE_INFO

    # The candidate sends their answers again: back to the committee.
    services.submit_application(application=application, answers={"goals": "Claims mentoring."}, extra_answers={})
    application.refresh_from_db()
    assert application.status == Status.AWAITING_VETTING

    chair_client.post(detail_url(application), {"decision": "approve"})
    application.refresh_from_db()
    assert application.status == Status.IN_POOL
    assert decision_emails(application).count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "more_info", "message": "   "}, "Tell the candidate what information you need."),
        ({"decision": "note", "note": ""}, "Write a note, or choose a decision."),
        ({"decision": "note", "note": " \n "}, "Write a note, or choose a decision."),
        ({"decision": "hire"}, "Select a valid choice. hire is not one of the available choices."),
        ({"note": "", "message": ""}, "This field is required."),  # what a browser sends with no choice
        ({"decision": "note", "note": "n" * 40_000}, "Ensure this value has at most 4000 characters (it has 40000)."),
        ({"decision": "approve", "message": "m\x00"}, "Null characters are not allowed."),
    ],
    ids=["more-info-no-message", "empty-note", "blank-note", "unknown-decision", "no-decision", "huge-note", "nul"],
)
def test_an_incomplete_decision_changes_nothing(chair_client, application, data, message):
    before = state(application)

    response = chair_client.post(detail_url(application), data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert state(application) == before


def test_a_note_alone_keeps_the_status_and_emails_nobody(chair_client, people, application):
    response = chair_client.post(detail_url(application), {"decision": "note", "note": "Called their manager."})

    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Status.AWAITING_VETTING
    assert list(application.vetting_notes.values_list("decision", "text")) == [("note", "Called their manager.")]
    assert not decision_emails(application).exists()
    page = chair_client.get(detail_url(application)).content.decode()
    assert "Called their manager." in page
    assert "1 note" in chair_client.get(reverse("committee:vetting", args=[application.program_id])).content.decode()


def test_a_note_with_markup_is_shown_escaped(chair_client, application):
    chair_client.post(detail_url(application), {"decision": "note", "note": "<script>alert(1)</script>"})

    page = chair_client.get(detail_url(application)).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_mentees_are_not_vetted(chair_client, program, people):
    mentee = send(program, people["member"], "mentee")
    before = state(mentee)

    page = chair_client.get(detail_url(mentee))
    response = chair_client.post(detail_url(mentee), {"decision": "decline", "note": "No."})

    assert page.status_code == 200
    assert page.context["form"] is None
    assert response.status_code == 200
    assert state(mentee) == before
    with pytest.raises(services.ValidationError):
        services.vet_mentor(application=mentee, by=people["chair"], decision="decline")


def test_drafts_are_not_shown_to_the_committee(chair_client, program, candidate):
    draft = services.start_application(program=program, user=candidate, role="mentor")

    assert chair_client.get(detail_url(draft)).status_code == 404
    assert chair_client.post(detail_url(draft), {"decision": "approve"}).status_code == 404
    assert Application.objects.get(pk=draft.pk).status == Status.DRAFT


# --- What the candidate sees ------------------------------------------------------------------

SECRET = "Internal: references were lukewarm"


def test_notes_never_reach_the_candidate_but_the_message_does(client, people, candidate, application):
    client.force_login(people["chair"])
    client.post(detail_url(application), {"decision": "note", "note": SECRET + " (1)"})
    client.post(
        detail_url(application),
        {"decision": "more_info", "note": SECRET + " (2)", "message": "Please describe a claim you handled."},
    )

    client.force_login(candidate)
    pages = {
        "my_mentoring": client.get(reverse("my_mentoring")),
        "apply": client.get(reverse("apply", args=[application.program_id, "mentor"])),
        "program": client.get(reverse("program", args=[application.program_id])),
        "home": client.get(reverse("home")),
    }

    for name, page in pages.items():
        assert page.status_code == 200, name
        assert "lukewarm" not in page.content.decode(), name
    for name in ("my_mentoring", "apply"):
        assert "Please describe a claim you handled." in pages[name].content.decode(), name
    assert all("lukewarm" not in e.body for e in OutgoingEmail.objects.all())


def test_a_decline_message_shows_on_my_mentoring(client, people, candidate, application):
    client.force_login(people["chair"])
    client.post(
        detail_url(application), {"decision": "decline", "note": SECRET, "message": "Please apply again next year."}
    )

    client.force_login(candidate)
    page = client.get(reverse("my_mentoring")).content.decode()

    assert "From the committee:" in page
    assert "Please apply again next year." in page
    assert "lukewarm" not in page


# --- Who may read and decide ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_chair", "vp", "other_vp", "staff", "member", "other_member", "candidate"])
def test_outsiders_get_404_and_their_post_changes_nothing(client, people, candidate, application, who):
    before = state(application)
    client.force_login(candidate if who == "candidate" else people[who])

    read = client.get(detail_url(application))
    decide = client.post(detail_url(application), {"decision": "approve", "note": "Looks fine to me."})

    assert read.status_code == 404
    assert decide.status_code == 404
    assert state(application) == before


def test_a_forbidden_id_answers_exactly_like_a_missing_one(client, world, people, application):
    missing = Application.objects.order_by("-pk").first().pk + 1000
    program_a, program_b = world["program"], world["other_program"]
    client.force_login(people["other_chair"])

    # Program A's application through program B's committee pages (where they do have a seat)...
    forbidden = client.get(reverse("committee:application", args=[program_b.pk, application.pk]))
    nowhere = client.get(reverse("committee:application", args=[program_b.pk, missing]))
    assert forbidden.status_code == nowhere.status_code == 404
    assert page_text(forbidden) == page_text(nowhere)

    # ...and through program A's, where they have none.
    forbidden = client.post(reverse("committee:application", args=[program_a.pk, application.pk]), {})
    nowhere = client.post(reverse("committee:application", args=[program_a.pk, missing]), {})
    assert forbidden.status_code == nowhere.status_code == 404
    assert page_text(forbidden) == page_text(nowhere)


def test_a_chair_of_program_b_cannot_decide_through_their_own_program(client, world, people, application):
    before = state(application)
    client.force_login(people["other_chair"])

    response = client.post(
        reverse("committee:application", args=[world["other_program"].pk, application.pk]), {"decision": "approve"}
    )

    assert response.status_code == 404
    assert state(application) == before


def test_an_unpledged_member_cannot_decide(client, people, application):
    before = state(application)
    client.force_login(people["unpledged_member"])

    response = client.post(detail_url(application), {"decision": "approve"})
    assert response.status_code == 302 and response.url == reverse("committee:pledge", args=[application.program_id])
    assert state(application) == before


def test_a_committee_member_without_two_factor_is_sent_to_set_it_up_and_decides_nothing(
    client, world, people, application
):
    people["unpledged_member"].committee_seats.update(
        pledge_accepted_at=timezone.now(), pledge_version=world["program"].pledge_version
    )
    before = state(application)
    client.force_login(people["unpledged_member"])

    response = client.post(detail_url(application), {"decision": "approve"})

    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    assert state(application) == before


# --- 7. Constant query count: questionnaires and the vetting queue ----------------------------

LIST_CEILING = 9  # with the navigation's roles: seats, regions, offices


def many_applications(program, author, rows, role):
    """`rows` sent applications from distinct members, half of them with a vetting note."""
    users = User.objects.bulk_create(
        User(email=f"applicant{i}@example.org", first_name="App", last_name=f"Licant {i}") for i in range(rows)
    )
    Profile.objects.bulk_create(
        Profile(user=u, association=program.association, job_title="Broker", member_since=timezone.localdate())
        for u in users
    )
    applications = Application.objects.bulk_create(
        Application(
            program=program,
            user=u,
            role=role,
            status=Status.AWAITING_VETTING if role == "mentor" else Status.IN_POOL,
            submitted_at=timezone.now(),
            years_experience=i,
        )
        for i, u in enumerate(users)
    )
    VettingNote.objects.bulk_create(
        VettingNote(application=a, author=author, text="Checked.") for a in applications[::2]
    )


@pytest.mark.parametrize("rows", [3, 60])
@pytest.mark.parametrize(
    ("page", "role"), [("committee:applications", "mentee"), ("committee:vetting", "mentor")], ids=["all", "vetting"]
)
def test_list_query_count_does_not_grow(chair_client, people, program, page, role, rows, django_assert_max_num_queries):
    many_applications(program, people["chair"], rows, role)

    with django_assert_max_num_queries(LIST_CEILING):
        response = chair_client.get(reverse(page, args=[program.pk]))

    assert response.status_code == 200
    assert response.context["page"].paginator.count == rows
    assert len(response.context["page"].object_list) == min(rows, 25)
    assert "Licant 0" in response.content.decode()


# --- Vetting notes are confidential: encrypted at rest, every read recorded --------------------

NOTE = "Internal: references were lukewarm about punctuality"


def test_a_vetting_note_is_stored_encrypted(application, people):
    note = services.vet_mentor(application=application, by=people["chair"], decision="note", note=NOTE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM mentoring_vettingnote WHERE id = %s", [note.pk])
        stored = cursor.fetchone()[0]
    assert stored.startswith("gAAAA") and "punctuality" not in stored
    assert VettingNote.objects.get(pk=note.pk).text == NOTE


def test_every_read_of_a_vetting_note_is_recorded(chair_client, application, people):
    note = services.vet_mentor(application=application, by=people["chair"], decision="note", note=NOTE)
    assert NOTE in chair_client.get(detail_url(application)).content.decode()
    read = ConfidentialAccess.objects.get(what="questionnaire")
    assert (read.user, read.application, read.items, read.outcome) == (
        people["chair"],
        application,
        {"vetting note": [note.pk]},
        "read",
    )


def test_the_upgrade_encrypts_the_notes_written_in_clear(application, people):
    from importlib import import_module

    from django.apps import apps

    note = services.vet_mentor(application=application, by=people["chair"], decision="note", note=NOTE)
    with connection.cursor() as cursor:  # as an earlier version stored it
        cursor.execute("UPDATE mentoring_vettingnote SET text = %s WHERE id = %s", [NOTE, note.pk])
    import_module("mentoring.migrations.0010_vetting_notes_encrypted").encrypt_existing(
        apps, type("Editor", (), {"connection": connection})()
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM mentoring_vettingnote WHERE id = %s", [note.pk])
        assert cursor.fetchone()[0].startswith("gAAAA")
    assert VettingNote.objects.get(pk=note.pk).text == NOTE


def test_after_a_decision_the_next_candidate_opens(chair_client, program, application):
    second = applicant(program, "second.candidate@example.org", "mentor", years=14, employer="Second Co")
    Application.objects.filter(pk=second.pk).update(status=Status.AWAITING_VETTING)
    data = {"decision": "approve", "note": "Fine.", "message": ""}
    response = chair_client.post(detail_url(application), data, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(second)
    assert f"Decision recorded; the candidate is emailed. Next: {second.user}." in response.content.decode()
