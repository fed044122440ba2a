"""The program's orientation: the chair's items, a member's progress, and the gate before
vetting or matching (the vetting queue and the matching pool say who waits and why)."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import applicant, make_member
from mentoring import services
from mentoring.models import Application, OrientationCompletion, OrientationItem
from mentoring.orientation import orientation_for, with_orientation
from recruitment import orientation
from recruitment.tests.factories import Required, candidate, item, require

Status = Application.Status


@pytest.fixture
def people(world):
    return world["people"]


@pytest.fixture
def gated(program):
    """Two required mentor items, one optional, one for mentees; required before vetting."""
    require(program, Required.BEFORE_VETTING)
    return {
        "page": item(program, "Guidelines"),
        "pledge": item(program, "Confidentiality", kind="acknowledgement", audience="both"),
        "extra": item(program, "Further reading", kind="link", required=False),
        "mentees": item(program, "For mentees", audience="mentee"),
    }


# --- Services -----------------------------------------------------------------------------------


def test_a_member_sees_the_items_for_their_role_with_progress(program, gated):
    application = candidate(program)
    progress = orientation_for(program, application.user, ["mentor"])
    assert [i.title for i, _ in progress.items] == ["Guidelines", "Confidentiality", "Further reading"]
    assert (progress.done, progress.total, progress.required_done, progress.required_total) == (0, 3, 0, 2)
    orientation.complete_item(item=gated["page"], user=application.user)
    progress = orientation_for(program, application.user, ["mentor"])
    assert (progress.done, progress.required_left, progress.finished) == (1, 1, False)


def test_completing_an_item_twice_keeps_one_record(program, gated):
    application = candidate(program)
    first = orientation.complete_item(item=gated["page"], user=application.user)
    again = orientation.complete_item(item=gated["page"], user=application.user)
    assert first.pk == again.pk
    assert OrientationCompletion.objects.filter(user=application.user).count() == 1


def test_with_orientation_counts_required_items_per_role_in_one_query(program, gated, django_assert_num_queries):
    mentor = candidate(program)
    mentee = applicant(program, "men.tee@example.org", "mentee")
    orientation.complete_item(item=gated["pledge"], user=mentor.user)
    orientation.complete_item(item=gated["extra"], user=mentor.user)  # optional: not counted
    with django_assert_num_queries(1):
        rows = {
            a.pk: (a.orientation_done, a.orientation_required)
            for a in with_orientation(Application.objects.filter(program=program))
        }
    assert rows[mentor.pk] == (1, 2)
    assert rows[mentee.pk] == (0, 2)  # "For mentees" and "Confidentiality"


def test_the_committee_cannot_decide_before_the_orientation_is_done(program, gated, people):
    application = candidate(program)
    with pytest.raises(ValidationError, match="has not finished the orientation yet \\(0 of 2"):
        services.vet_mentor(application=application, by=people["chair"], decision="approve")
    # A note is always welcome.
    services.vet_mentor(application=application, by=people["chair"], decision="note", note="Called them.")
    for key in ("page", "pledge"):
        orientation.complete_item(item=gated[key], user=application.user)
    services.vet_mentor(application=application, by=people["chair"], decision="approve")
    assert Application.objects.get(pk=application.pk).status == Status.IN_POOL


def test_without_the_requirement_vetting_does_not_wait(program, gated, people):
    require(program, Required.NO)
    application = candidate(program)
    services.vet_mentor(application=application, by=people["chair"], decision="approve")
    assert Application.objects.get(pk=application.pk).status == Status.IN_POOL


def test_items_are_reordered_and_removed(program, gated):
    orientation.move_item(item=gated["pledge"], up=True)
    titles = list(program.orientation_items.values_list("title", flat=True))
    assert titles[:2] == ["Confidentiality", "Guidelines"]
    orientation.move_item(item=gated["pledge"], up=True)  # already first: nothing moves
    orientation.move_item(item=OrientationItem.objects.get(pk=gated["page"].pk), up=False)
    titles = list(program.orientation_items.values_list("title", flat=True))
    assert titles == ["Confidentiality", "Further reading", "Guidelines", "For mentees"]
    application = candidate(program)
    orientation.complete_item(item=gated["pledge"], user=application.user)
    orientation.delete_item(item=gated["page"])
    assert orientation_for(program, application.user, ["mentor"]).finished


# --- The member's page --------------------------------------------------------------------------


def orientation_url(program):
    return reverse("orientation", args=[program.pk])


def done_url(program, item):
    return reverse("orientation_done", args=[program.pk, item.pk])


def test_the_member_page_shows_progress_in_a_fixed_number_of_queries(
    client, program, gated, django_assert_max_num_queries
):
    application = candidate(program)
    orientation.complete_item(item=gated["page"], user=application.user)
    client.force_login(application.user)
    with django_assert_max_num_queries(12):
        response = client.get(orientation_url(program))
    text = response.content.decode()
    assert "1 of 3 done" in text
    assert "1 required item left" in text
    assert "The committee looks at your mentor application once you have finished them." in text
    assert "For mentees" not in text
    for n in range(10):
        item(program, f"More {n}", required=False)
    with django_assert_max_num_queries(12):
        assert "1 of 13 done" in client.get(orientation_url(program)).content.decode()


def test_a_member_who_has_not_applied_is_told_kindly(client, program, gated, people):
    client.force_login(people["member"])
    response = client.get(orientation_url(program))
    assert response.status_code == 200
    assert "opens once you apply" in response.content.decode()
    assert "Guidelines" not in response.content.decode()


def test_members_of_another_association_get_404(client, program, gated, people):
    client.force_login(people["other_member"])
    assert client.get(orientation_url(program)).status_code == 404
    assert client.post(done_url(program, gated["page"])).status_code == 404


def test_a_page_is_marked_read(client, program, gated):
    application = candidate(program)
    client.force_login(application.user)
    response = client.post(done_url(program, gated["page"]), follow=True)
    assert "Done: “Guidelines”." in response.content.decode()
    assert OrientationCompletion.objects.filter(item=gated["page"], user=application.user).exists()
    # Again: nothing new.
    client.post(done_url(program, gated["page"]))
    assert OrientationCompletion.objects.filter(user=application.user).count() == 1


@pytest.mark.parametrize("agree", [None, "", "no", "yes\x00", "<script>", "1 OR 1=1", "نعم 👍", "y" * 5000])
def test_a_statement_needs_its_tick(client, program, gated, agree):
    application = candidate(program)
    client.force_login(application.user)
    data = {} if agree is None else {"agree": agree}
    response = client.post(done_url(program, gated["pledge"]), data, follow=True)
    assert "Please tick the statement first" in response.content.decode()
    assert not OrientationCompletion.objects.exists()


def test_the_last_required_item_says_the_orientation_is_complete(client, program, gated):
    application = candidate(program)
    client.force_login(application.user)
    client.post(done_url(program, gated["page"]))
    response = client.post(done_url(program, gated["pledge"]), {"agree": "yes"}, follow=True)
    assert "Thank you, your orientation is complete." in response.content.decode()


def test_items_of_another_role_or_program_are_404(client, program, gated, world):
    application = candidate(program)
    client.force_login(application.user)
    assert client.post(done_url(program, gated["mentees"])).status_code == 404
    elsewhere = item(world["other_program"], "Theirs", audience="both")
    assert client.post(done_url(program, elsewhere)).status_code == 404
    assert client.post(reverse("orientation_done", args=[program.pk, 999999])).status_code == 404
    assert not OrientationCompletion.objects.exists()


def test_marking_done_is_post_only(client, program, gated):
    application = candidate(program)
    client.force_login(application.user)
    assert client.get(done_url(program, gated["page"])).status_code == 405


def test_a_withdrawn_member_is_told_it_opens_when_they_apply(client, program, gated):
    application = candidate(program)
    services.withdraw_application(application=application)
    client.force_login(application.user)
    assert "opens once you apply" in client.get(orientation_url(program)).content.decode()
    assert client.post(done_url(program, gated["page"])).status_code == 404


def test_a_file_item_downloads_for_its_audience(client, program, settings, tmp_path, people):
    settings.MEDIA_ROOT = tmp_path
    handbook = item(program, "Handbook", kind="file", file=SimpleUploadedFile("handbook.pdf", b"%PDF-1.4 hb"))
    url = reverse("orientation_file", args=[program.pk, handbook.pk])
    application = candidate(program)
    client.force_login(application.user)
    response = client.get(url)
    assert b"".join(response.streaming_content) == b"%PDF-1.4 hb"
    mentee = applicant(program, "men.tee@example.org", "mentee")
    client.force_login(mentee.user)  # the file is for mentors
    assert client.get(url).status_code == 404
    client.force_login(people["chair"])
    assert client.get(url).status_code == 200


def test_my_mentoring_shows_what_is_left_and_sending_leads_to_the_orientation(client, program, gated):
    user = make_member("new.mentor@example.org", program.association, first_name="Nia", years=20)
    client.force_login(user)
    answers = {
        "goals": "Give back",
        "topics": ["Leadership"],
        "career_stage": "senior",
        "years_experience": "20",
        "communication_modes": ["video"],
        "availability": ["weekday_evenings"],
        "hours_per_month": "2",
        "meeting_frequency": "monthly",
        "languages": ["English"],
        "introduction": "Twenty years in claims.",
        "capacity": "1",
        "action": "send",
    }
    response = client.post(reverse("apply", args=[program.pk, "mentor"]), answers)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url == orientation_url(program)
    text = client.get(reverse("my_mentoring")).content.decode()
    assert "0 of 2 required items done; the committee looks at your application once you have finished" in text


# --- The committee's pages ------------------------------------------------------------------------


@pytest.fixture
def chair_client(client, people):
    client.force_login(people["chair"])
    return client


def test_the_vetting_queue_shows_who_waits_for_the_orientation(
    chair_client, program, gated, django_assert_max_num_queries
):
    waiting = candidate(program)
    ready = candidate(program, "rea.dy@example.org")
    for key in ("page", "pledge"):
        orientation.complete_item(item=gated[key], user=ready.user)
    orientation.complete_item(item=gated["page"], user=waiting.user)
    url = reverse("committee:vetting", args=[program.pk])
    # The list as the other lists (9, the seat's check and the navigation's roles with it), less
    # one: the candidates waiting apart, counted from their list when they fit on it.
    with django_assert_max_num_queries(8):
        text = chair_client.get(url).content.decode()
    queue, apart = text.split("Waiting for the orientation (1)")
    assert str(ready.user) in queue and str(waiting.user) not in queue
    assert str(waiting.user) in apart
    assert "Waiting for the orientation: 1 of 2 done" in apart
    for n in range(10):
        candidate(program, f"more.{n}@example.org")
    with django_assert_max_num_queries(8):
        assert "Waiting for the orientation (11)" in chair_client.get(url).content.decode()


def test_the_candidate_page_offers_a_note_only_until_the_orientation_is_done(chair_client, program, gated):
    application = candidate(program)
    url = reverse("committee:application", args=[program.pk, application.pk])
    text = chair_client.get(url).content.decode()
    assert "Waiting for the orientation: 0 of 2 done." in text
    assert "Approve: the candidate enters the matching pool" not in text
    response = chair_client.post(url, {"decision": "approve", "note": "", "message": ""})
    assert response.status_code == 200
    assert "has not finished the orientation yet (0 of 2 required items done)" in response.content.decode()
    assert Application.objects.get(pk=application.pk).status == Status.AWAITING_VETTING
    for key in ("page", "pledge"):
        orientation.complete_item(item=gated[key], user=application.user)
    assert "Approve: the candidate enters the matching pool" in chair_client.get(url).content.decode()


def chair_page(program):
    return reverse("committee:orientation", args=[program.pk])


def add(client, program, **data):
    return client.post(chair_page(program), {"action": "add", "audience": "mentor", "required": "on", **data})


def test_the_chair_adds_each_kind_of_item(chair_client, program, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    add(chair_client, program, kind="page", title_en="Guidelines", body_en="Meet monthly.")
    add(
        chair_client,
        program,
        kind="acknowledgement",
        title_en="Confidentiality",
        body_en="I will keep it confidential.",
    )
    add(chair_client, program, kind="link", title_en="Video", url="https://example.org/video", body_en="")
    add(chair_client, program, kind="file", title_en="Handbook", file=SimpleUploadedFile("h.pdf", b"%PDF-1.4"))
    rows = list(program.orientation_items.values_list("kind", "title", "position", "required"))
    assert rows == [
        ("page", "Guidelines", 0, True),
        ("acknowledgement", "Confidentiality", 1, True),
        ("link", "Video", 2, True),
        ("file", "Handbook", 3, True),
    ]


def test_the_chair_sets_the_requirement(chair_client, program):
    response = chair_client.post(
        chair_page(program), {"action": "requirement", "orientation_required_before": "vetting"}
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.orientation_required_before == "vetting"
    for hostile in ("", "always", "<script>", "vetting\x00", "1 OR 1=1"):
        data = {"action": "requirement", "orientation_required_before": hostile}
        response = chair_client.post(chair_page(program), data)
        assert response.status_code == 200, hostile
        assert "There is a problem" in response.content.decode() or "Select a valid choice" in response.content.decode()
        program.refresh_from_db()
        assert program.orientation_required_before == "vetting"


TYPED = {"kind": "page", "title_en": "Guidelines", "body_en": "Meet monthly."}
HOSTILE = {
    "empty-title": ({"title_en": ""}, "Please write it in English, in French or in both."),
    "empty-page": ({"body_en": "  "}, "Please write the text members will read."),
    "empty-statement": ({"kind": "acknowledgement", "body_en": ""}, "Please write the statement members will tick."),
    "link-without-address": ({"kind": "link", "url": ""}, "Please give the link&#x27;s web address."),
    "file-without-file": ({"kind": "file"}, "Please choose the file to upload."),
    "oversized-title": ({"title_en": "x" * 1500}, "Ensure this value has at most 150 characters"),
    "oversized-body": ({"body_en": "x" * 100_000}, "Ensure this value has at most 10000 characters"),
    "html-title": ({"title_en": "<script>alert(1)</script>"}, "Please remove the &lt; &gt; signs"),
    "sql-title": ({"title_en": "x'); DROP TABLE mentoring_program;--"}, None),
    "rtl-emoji": ({"title_en": "توجيه 🚀", "body_en": "مرحبا ‮evil"}, None),
    "nul-title": ({"title_en": "Guide\x00lines"}, "Null characters are not allowed."),
    "nul-body": ({"body_en": "Meet\x00monthly"}, "Null characters are not allowed."),
    "javascript-link": ({"kind": "link", "url": "javascript:alert(1)"}, "Enter a valid URL."),
    "ftp-link": ({"kind": "link", "url": "ftp://example.org/x"}, "Links start with https:// or http://."),
    "unknown-kind": ({"kind": "video"}, "Select a valid choice."),
    "unknown-audience": ({"audience": "everyone"}, "Select a valid choice."),
    "exe-file": ({"kind": "file", "file": lambda: SimpleUploadedFile("x.exe", b"MZ")}, "Please upload a PDF"),
}


@pytest.mark.parametrize(("data", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_on_the_chairs_form(chair_client, program, settings, tmp_path, data, message):
    settings.MEDIA_ROOT = tmp_path
    data = {key: value() if callable(value) else value for key, value in data.items()}
    response = add(chair_client, program, **{**TYPED, **data})
    if message is None:  # stored as typed, shown escaped
        assert response.status_code == 302
        saved = program.orientation_items.get()
        assert saved.title == data["title_en"]
        assert html.escape(data["title_en"]) in chair_client.get(chair_page(program)).content.decode()
        return
    text = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in text
    assert message in text
    assert not program.orientation_items.exists()
    kept = {**TYPED, **data}
    if kept["title_en"] and "\x00" not in kept["title_en"] and len(kept["title_en"]) < 200:
        assert html.escape(kept["title_en"], quote=True).replace("&#x27;", "&#x27;") in text


def test_the_chair_edits_moves_and_removes_items(chair_client, program, gated, world):
    page = gated["page"]
    edit = reverse("committee:orientation_edit", args=[program.pk, page.pk])
    response = chair_client.post(edit, {**TYPED, "title_en": "", "audience": "both"})
    assert "Please write it in English, in French or in both." in response.content.decode()
    assert OrientationItem.objects.get(pk=page.pk).title == "Guidelines"
    chair_client.post(edit, {**TYPED, "title_en": "The guidelines", "audience": "both"})
    page.refresh_from_db()
    assert (page.title, page.audience, page.required) == ("The guidelines", "both", False)
    chair_client.post(reverse("committee:orientation_move", args=[program.pk, gated["pledge"].pk]), {"direction": "up"})
    assert program.orientation_items.first().title == "Confidentiality"
    chair_client.post(reverse("committee:orientation_delete", args=[program.pk, page.pk]))
    assert not OrientationItem.objects.filter(pk=page.pk).exists()
    # Another program's item through this program's URLs: 404, untouched.
    theirs = item(world["other_program"], "Theirs")
    for name in ("committee:orientation_edit", "committee:orientation_delete", "committee:orientation_move"):
        assert chair_client.post(reverse(name, args=[program.pk, theirs.pk]), TYPED).status_code == 404
    assert OrientationItem.objects.get(pk=theirs.pk).title == "Theirs"


def test_the_chairs_page_is_the_chairs(client, program, gated, people):
    client.force_login(people["committee_member"])
    assert client.get(chair_page(program)).status_code == 404
    assert add(client, program, **TYPED).status_code == 404
    assert client.post(reverse("committee:orientation_delete", args=[program.pk, gated["page"].pk])).status_code == 404
    assert program.orientation_items.count() == 4


def test_the_chairs_page_has_a_fixed_number_of_queries(chair_client, program, gated, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        chair_client.get(chair_page(program))
    for n in range(10):
        item(program, f"More {n}")
    with django_assert_max_num_queries(12):
        assert "More 9" in chair_client.get(chair_page(program)).content.decode()


def test_a_members_data_download_lists_the_orientation_they_completed(program, gated):
    from mentoring.privacy import export

    application = candidate(program)
    orientation.complete_item(item=gated["pledge"], user=application.user)
    [done] = export(application.user)["orientation_completed"]
    assert (done["program"], done["item"]) == (program.name, "Confidentiality")


def test_the_confirmation_email_points_to_the_orientation(program, gated):
    from outbox.models import OutgoingEmail

    application = candidate(program)
    body = OutgoingEmail.objects.get(key__startswith=f"application-received:{application.pk}:").body
    assert "3 short items to read or agree to (2 required, before the committee reviews your application)" in body
    assert reverse("orientation", args=[program.pk]) in body


def test_without_items_the_confirmation_email_says_nothing_of_an_orientation(program):
    from outbox.models import OutgoingEmail

    application = candidate(program)
    assert "orientation" not in OutgoingEmail.objects.get(key__startswith="application-received:").body
    assert application.status == Status.AWAITING_VETTING


def test_a_file_the_item_no_longer_uses_is_removed(
    chair_client, program, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    handbook = item(program, "Handbook", kind="file", file=SimpleUploadedFile("handbook.pdf", b"%PDF-1.4 hb"))
    stored = tmp_path / handbook.file.name
    assert stored.exists()
    edit = reverse("committee:orientation_edit", args=[program.pk, handbook.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = chair_client.post(
            edit, {"kind": "page", "title_en": "Handbook", "body_en": "Now a page.", "audience": "mentor"}
        )
    assert response.status_code == 302
    handbook.refresh_from_db()
    assert (handbook.kind, handbook.file.name) == ("page", "")
    assert not stored.exists()


def test_the_dashboard_counts_only_candidates_ready_to_vet_as_work(chair_client, program, gated):
    waiting = candidate(program)
    ready = candidate(program, "rea.dy@example.org")
    for key in ("page", "pledge"):
        orientation.complete_item(item=gated[key], user=ready.user)
    text = chair_client.get(reverse("committee:dashboard", args=[program.pk])).content.decode()
    assert "1 mentor to vet" in text
    assert "(1 still doing the orientation)" in text
    assert waiting.status == Status.AWAITING_VETTING
