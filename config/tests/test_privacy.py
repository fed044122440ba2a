"""Download my data (only the member's own records, never the partner's feedback or the
committee's notes) and Erase my account (name, addresses, free text and sessions gone; the
report totals unchanged)."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import LeadershipRole, Profile, User
from accounts.privacy import REMOVED, erase_member, export_member_data
from accounts.services import update_profile
from config.tests.factories import FINE, figures
from conftest import PASSWORD, applicant, approved, ask, make_member, partnership_for, propose
from feedback import services, surveys
from feedback.models import Concern, Response, Solicitation, SurveyAnswer
from flash import services as flash
from flash.models import FlashFeedback
from leadership.models import LeadershipRecommendation
from leadership.services import answer_recommendation, recommend
from mentoring.models import Application, Partnership, VettingNote
from outbox.models import OutgoingEmail
from partnerships import life
from partnerships.models import Goal, Meeting
from sync.models import WaitingMember
from sync.services import create_key

pytestmark = pytest.mark.django_db

PARTNERS_ANSWER = "PARTNER-SECRET-ANSWER-3d1f"
VETTING = "VETTING-NOTE-SECRET-88aa"
END_NOTE = "END-NOTE-SECRET-51c2"
FOLLOW_UP = "FOLLOW-UP-SECRET-0b9e"
MINE = "MY-OWN-COMMENT-72c4"
MY_CONCERN = "MY-OWN-CONCERN-19fe"
MY_GOALS = "MY-QUESTIONNAIRE-GOALS-6a0d"
NAME = "Mentee A"  # the mentee's full name (mentee.a@example.org)
MY_SURVEY = "MY-SURVEY-ANSWER-5e7a"


@pytest.fixture
def ended(world):
    """A partnership that ended, with both partners' feedback and every kind of committee note."""
    program, chair = world["program"], world["people"]["chair"]
    partnership = partnership_for(program, chair)
    mentee, mentor = partnership.mentee, partnership.mentor
    Application.objects.filter(user=mentee).update(goals=MY_GOALS)
    # The chair's own questions (feedback.surveys): a short text and a score.
    words = surveys.add_question(program=program, survey="periodic", audience="both", kind="text", text="Change?")
    score = surveys.add_question(program=program, survey="periodic", audience="both", kind="nps", text="Recommend?")
    asked = surveys.questions_for(program=program, final=False, role="mentee")
    services.submit_response(
        solicitation=ask(partnership, "mentee"),
        answers={**FINE, "concerns": MINE, words.field_name: MY_SURVEY, score.field_name: 9},
        survey=asked,
    )
    services.submit_response(
        solicitation=ask(partnership, "mentor"),
        answers={**FINE, "concerns": PARTNERS_ANSWER, words.field_name: f"{NAME} was late", score.field_name: 4},
        survey=asked,
    )
    services.raise_concern(partnership=partnership, by=mentee, text=MY_CONCERN)
    Goal.objects.create(partnership=partnership, title="Pass the exam")
    Meeting.objects.create(partnership=partnership, met_on=partnership.started_on, notes="We met", logged_by=mentee)
    VettingNote.objects.create(application=partnership.mentor_application, author=chair, text=VETTING)
    services.note_follow_up(partnership=partnership, by=chair, note=FOLLOW_UP)
    life.dissolve(partnership=partnership, by=chair, reason="fit", note=END_NOTE, rematch=False)
    return {"partnership": partnership, "mentee": mentee, "mentor": mentor, "program": program}


def test_download_my_data_holds_my_records_and_nothing_of_the_partners_or_the_committees(client, ended):
    client.force_login(ended["mentee"])
    response = client.get(reverse("accounts:my_data"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="my-mentoring-data-')
    assert response["Cache-Control"] == "no-store, private"
    data = json.loads(response.content)
    text = response.content.decode()
    assert data["account"]["email"] == ended["mentee"].email
    assert data["applications"][0]["goals"] == MY_GOALS
    assert [a["anything_else"] for a in data["your_feedback_answers"]] == [MINE]
    assert [c["text"] for c in data["concerns_you_raised"]] == [MY_CONCERN]
    survey = [(a["question"], a["answer"]) for a in data["your_survey_answers"]]
    assert survey == [("Change?", MY_SURVEY), ("Recommend?", 9)]
    [partnership] = data["partnerships"]
    assert partnership["you_are_the"] == "mentee" and partnership["partner"] == ended["mentor"].get_full_name()
    assert partnership["goals"][0]["title"] == "Pass the exam" and partnership["meetings"][0]["notes"] == "We met"
    for secret in (PARTNERS_ANSWER, VETTING, END_NOTE, FOLLOW_UP, "fit"):
        assert secret not in text
    # The mentor's download has the mentor's answer, not the mentee's.
    mentor_data = json.dumps(export_member_data(ended["mentor"]))
    assert PARTNERS_ANSWER in mentor_data and MINE not in mentor_data and VETTING not in mentor_data


def test_download_is_get_only_and_for_the_member_signed_in(client, world):
    client.force_login(world["people"]["member"])
    assert client.post(reverse("accounts:my_data")).status_code == 405
    assert json.loads(client.get(reverse("accounts:my_data")).content)["account"]["email"] == "member@example.org"


def test_erasing_removes_name_addresses_free_text_and_sessions_and_keeps_the_totals(client, ended):
    mentee, mentor = ended["mentee"], ended["mentor"]
    assert LogEntry.objects.filter(object_repr__contains=NAME).exists()  # before: the name is in the log
    other = applicant(ended["program"], "someone.else@example.org", "mentee")
    before = figures(ended["program"])
    client.force_login(mentee)
    old_cookie = client.cookies["sessionid"].value
    elsewhere = Client()
    elsewhere.force_login(mentee)  # signed in on another device too
    OutgoingEmail.objects.create(key="waiting", to=mentee.email, subject="Hello", body=f"Dear {mentee.first_name}")
    to_partner = OutgoingEmail.objects.create(
        key="to-partner", to=mentor.email, subject=f"Meet {NAME}", body=f"Write to {NAME} at {mentee.email}."
    )
    Application.objects.filter(pk=other.pk).update(
        preferred_partner_emails=[mentee.email.upper(), "keep@example.org"],
        draft={"avoid_emails": [mentee.email]},
    )
    partnership = ended["partnership"]
    Partnership.objects.filter(pk=partnership.pk).update(
        mentee_consents_to_recognition=True, mentor_consents_to_recognition=True, success_story=f"{NAME} shone"
    )
    final = Solicitation.objects.create(
        partnership=partnership, round=9, is_final=True, respondent=mentee, role="mentee", due_on=timezone.localdate()
    )
    sent_final = Solicitation.objects.create(
        partnership=partnership, round=9, is_final=True, respondent=mentor, role="mentor", due_on=timezone.localdate()
    )
    token = services.make_token(final)

    response = client.post(reverse("accounts:erase"), {"password": PASSWORD, "confirm": "on"}, follow=True)
    assert "Your account is erased. Thank you for taking part." in response.content.decode()

    user = User.objects.get(pk=mentee.pk)
    assert (user.email, user.get_full_name(), user.is_active) == (
        f"erased-{mentee.pk}@erased.invalid",
        "Former member",
        False,
    )
    assert not user.has_usable_password() and not user.emailaddress_set.exists()
    profile = Profile.objects.get(user=user)
    assert (profile.employer, profile.job_title, profile.bio, profile.member_since) == ("", "", "", None)
    assert profile.association == ended["program"].association  # kept for the retention figures
    assert Application.objects.get(user=user).goals == ""
    assert Response.objects.get(respondent=user).concerns is None
    assert Response.objects.get(respondent=user).satisfaction == 4  # the score stays
    assert Concern.objects.get(raised_by=user).text == REMOVED
    mine = SurveyAnswer.objects.filter(response__respondent=user)
    assert [(a.text, a.number) for a in mine.order_by("id")] == [(None, None), (None, 9)]  # the score stays
    assert SurveyAnswer.objects.get(response__respondent=ended["mentor"], number=None).text == "Former member was late"
    assert Meeting.objects.get(logged_by=user).notes == ""
    assert not OutgoingEmail.objects.filter(to=mentee.email).exists()
    # In the table itself, no ciphertext of what they wrote is left either.
    with connection.cursor() as cursor:
        cursor.execute("SELECT concerns FROM feedback_response WHERE respondent_id = %s", [user.pk])
        assert cursor.fetchall() == [(None,)]
    # Every session is over: the old cookie and the other device lead to the sign-in page.
    client.cookies["sessionid"] = old_cookie
    assert reverse("account_login") in client.get(reverse("accounts:profile")).url
    assert reverse("account_login") in elsewhere.get(reverse("accounts:profile")).url
    # An email to the partner keeps its purpose without the name or address.
    to_partner.refresh_from_db()
    assert (to_partner.subject, to_partner.body) == ("Meet Former member", "Write to Former member at Former member.")
    # Other members' preferences forget the address; recognition needs consent, which is withdrawn.
    other.refresh_from_db()
    assert other.preferred_partner_emails == ["keep@example.org"] and mentee.email not in str(other.draft)
    partnership.refresh_from_db()
    assert not partnership.mentee_consents_to_recognition and partnership.success_story == ""
    # Their feedback not yet answered is not sent, and its link does not open; the partner's is untouched.
    final.refresh_from_db()
    sent_final.refresh_from_db()
    assert final.status == "failed" and sent_final.status == "pending"
    with pytest.raises(services.LinkProblem):
        services.solicitation_for_token(token)
    # The totals are as they were (satisfaction, applications, matches, endings).
    assert figures(ended["program"]) == before
    # The audit log keeps what happened to the partnership, not the name.
    entries = LogEntry.objects.filter(object_pk=str(ended["partnership"].pk))
    assert entries.exists()
    assert not any(NAME in json.dumps([e.object_repr, e.changes, e.changes_text]) for e in entries)
    # The partner's answer and the committee's notes are untouched.
    assert Response.objects.get(respondent=ended["mentor"]).concerns == PARTNERS_ANSWER


def test_erasing_asks_for_the_password_and_the_tick_and_erases_nothing_otherwise(client, world):
    member = world["people"]["member"]
    client.force_login(member)
    cases = [
        ({"password": "wrong", "confirm": "on"}, "That is not your password."),
        ({"password": PASSWORD}, "Tick the box to say you understand."),
        ({"password": "", "confirm": "on"}, "This field is required."),
        ({"password": "x" * 5000, "confirm": "on"}, "Ensure this value has at most 4096 characters"),
        ({"password": "<script>alert(1)</script>' OR 1=1 --", "confirm": "on"}, "That is not your password."),
        ({"password": "nul\x00", "confirm": "on"}, "Null characters are not allowed."),
    ]
    for data, message in cases:
        response = client.post(reverse("accounts:erase"), data)
        assert response.status_code == 200
        body = response.content.decode()
        assert "Nothing was erased." in body and message in body, message
    member.refresh_from_db()
    assert member.is_active and member.email == "member@example.org"


@pytest.mark.parametrize("who", ["chair", "vp", "staff"])
def test_committee_seats_vp_and_staff_must_be_handed_over_first(client, world, who):
    client.force_login(world["people"][who])
    response = client.post(reverse("accounts:erase"), {"password": PASSWORD, "confirm": "on"})
    assert "Before your account can be erased" in response.content.decode()
    assert User.objects.get(pk=world["people"][who].pk).is_active


def test_a_partner_in_a_partnership_still_going_on_is_asked_to_close_it_first(client, world):
    partnership = partnership_for(world["program"], world["people"]["chair"])
    client.force_login(partnership.mentor)
    response = client.get(reverse("accounts:erase"))
    assert "You are in a partnership that is still going on." in response.content.decode()
    response = client.post(reverse("accounts:erase"), {"password": PASSWORD, "confirm": "on"})
    assert User.objects.get(pk=partnership.mentor.pk).is_active


# --- Erasure, checked everywhere: every text column of every model -----------------------------

FIRST, LAST = "Laurabelle", "Bensonova"
ADDRESS, OTHER_ADDRESS = "laurabelle.bensonova@example.org", "l.bensonova@work.example.org"


def every_text_value():
    """(model, field, value) for every text and JSON column of every row of the project's models,
    the audit log and the admin's log; encrypted columns as the app reads them (decrypted)."""
    from django.apps import apps
    from django.conf import settings
    from django.db import models

    project = str(settings.BASE_DIR)
    for model in apps.get_models():
        mine = model._meta.app_config.path.startswith(project) or model._meta.app_label in ("auditlog", "admin")
        if not mine:
            continue
        fields = [
            f.name
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model._default_manager.all():
            for name in fields:
                value = getattr(row, name)
                if model.__name__ == "OutgoingEmail" and name == "attachments":
                    # Calendar files fold long lines: a name across a fold is read whole.
                    value = [{**a, "content": a["content"].replace("\r\n ", "")} for a in value]
                if value:
                    yield model.__name__, name, json.dumps(value, ensure_ascii=False, default=str)


@pytest.fixture
def laura(world):
    """A member who took part, and whom other people's records name: her partner's meeting notes
    and feedback, the committee's follow-up notes, another member's partner preferences."""
    program, chair = world["program"], world["people"]["chair"]
    member = make_member(ADDRESS, program.association, first_name=FIRST, last_name=LAST, years=1)
    EmailAddress.objects.create(user=member, email=OTHER_ADDRESS, verified=True)
    mentee = applicant(program, "ignored@example.org", "mentee")  # replaced below by Laura's own application
    mentee.user = member
    mentee.save(update_fields=["user"])
    mentor = applicant(program, "partner.of.laura@example.org", "mentor", years=20)
    partnership = approved(mentee, mentor, by=chair)
    Goal.objects.create(partnership=partnership, title="Pass the CPCU exam before June")  # her own words
    Meeting.objects.create(
        partnership=partnership,
        met_on=partnership.started_on,
        notes=f"Met {FIRST} at her office",
        logged_by=mentor.user,
    )
    services.submit_response(
        solicitation=ask(partnership, "mentor"), answers={**FINE, "concerns": f"{FIRST} cancels often"}
    )
    services.note_follow_up(partnership=partnership, by=chair, note=f"Called {FIRST} {LAST} ({ADDRESS})")
    services.raise_concern(partnership=partnership, by=mentor.user, text=f"Worried about {FIRST}")
    other = applicant(program, "someone.else@example.org", "mentee")
    Application.objects.filter(pk=other.pk).update(
        partner_preferences=f"Someone like {FIRST} {LAST}", preferred_partner_emails=[OTHER_ADDRESS]
    )
    recommendation = recommend(partnership=partnership, by=mentor.user, note=f"{FIRST} leads calmly ({NOTE_SECRET})")
    answer_recommendation(recommendation=recommendation, by=member, consent=True)
    LeadershipRole.objects.create(
        user=member, title="other", other_title=ROLE_SECRET, organisation="Northport", started_on=partnership.started_on
    )
    life.complete(partnership=partnership, by=chair, note=f"{FIRST} {LAST} finished well")
    # A flash conversation she booked with a mentor (flash/): her question names her, the
    # mentor's note after it too, and both emails and calendar files name her.
    program.offers_flash = True
    program.save(update_fields=["offers_flash"])
    starts = timezone.now() + timedelta(days=2)
    slot = flash.offer_slot(program=program, mentor=mentor.user, starts_at=starts, mode="phone")
    slot = flash.book_slot(slot=slot, member=member, question=f"I am {FIRST} {LAST}, new in claims")
    flash.ask_for_feedback(now=slot.ends_at + timedelta(minutes=1))
    said = FlashFeedback.objects.get(slot=slot, role="mentor")
    flash.submit_feedback(feedback=said, held=True, useful=5, note=f"{FIRST} asked good questions")
    # A mentoring circle she is a mentee of (circles/): named the circle "{FIRST}'s circle" by the
    # committee, a meeting whose agenda and invitations (emails and calendar files, hers and the
    # others') name her, and the mentor's note after it that names her by her first name.
    from circles import services as circles
    from circles.models import CircleFeedback

    program.offers_circles = True
    program.save(update_fields=["offers_circles"])
    circle = circles.create_circle(program=program, by=chair, name=f"{FIRST}'s circle", topic=f"Around {FIRST}")
    circle_mentor = applicant(program, "circle.mentor.of.laura@example.org", "mentor", years=20, employer="Firm C")
    circles.add_member(circle=circle, user=circle_mentor.user, role="mentor", by=chair)
    circles.add_member(circle=circle, user=member, role="mentee", by=chair)
    met = circles.schedule_meeting(
        circle=circle, by=chair, starts_at=starts, minutes=60, mode="video", agenda=f"{FIRST} {LAST} presents"
    )
    circles.ask_for_feedback(now=met.ends_at + timedelta(minutes=1))
    said = CircleFeedback.objects.get(meeting=met, respondent=circle_mentor.user)
    circles.submit_feedback(feedback=said, useful=4, note=f"{FIRST} led the talk")
    # She asked a mentor herself in the region's leadership program, where members choose
    # (matching/choosing.py): her note names her, and so does the email that carried it.
    from matching import choosing
    from mentoring.services import create_program

    leaders = create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])
    leaders.members_choose = True
    leaders.save(update_fields=["members_choose"])
    asking = Application.objects.create(
        program=leaders, user=member, role="mentee", status="in_pool", submitted_at=timezone.now()
    )
    easton = world["associations"]["easton"]
    chosen = applicant(
        leaders, "leader.of.easton@example.org", "mentor", years=20, association=easton, employer="Easton Co"
    )
    choosing.ask_mentor(mentee_app=asking, mentor_app=chosen, note=f"I am {FIRST} {LAST}, new to leading")
    # The member sync kept membership data pushed for her other address (sync.models.WaitingMember).
    key, _plain = create_key(name="Member database", scope="members:write", by=world["people"]["staff"])
    WaitingMember.objects.create(
        email=OTHER_ADDRESS,
        member_number="NP-4040",
        values={"membership_status": "active"},
        as_of=timezone.now(),
        key=key,
    )
    return member


NOTE_SECRET = "RECOMMENDATION-NOTE-5e7a"
ROLE_SECRET = "ROLE-TITLE-91cd"


def test_download_holds_the_recommendations_and_roles_and_erasure_removes_them(laura):
    data = export_member_data(laura)
    assert data["leadership_roles"][0]["role"] == ROLE_SECRET
    (rec,) = data["leadership_recommendations"]
    assert rec["you_are_the"] == "mentee" and NOTE_SECRET in rec["note"] and rec["status"] == "The mentee agreed"
    mentor = LeadershipRecommendation.objects.get().mentor
    assert NOTE_SECRET in export_member_data(mentor)["leadership_recommendations"][0]["note"]

    erase_member(laura)

    assert not LeadershipRole.objects.exists()
    rec = LeadershipRecommendation.objects.get()
    assert rec.note == "" and rec.status == "withdrawn"
    assert not any(NOTE_SECRET in v or ROLE_SECRET in v for _, _, v in every_text_value())


def test_erasure_leaves_the_name_and_addresses_in_no_column_of_any_model(client, laura):
    before = [(m, f) for m, f, v in every_text_value() if FIRST in v or LAST in v or ADDRESS in v.lower()]
    assert len(before) >= 8  # the scan sees the places that name her

    erase_member(laura)

    found = [
        (model, field, value[:80])
        for model, field, value in every_text_value()
        if any(secret.lower() in value.lower() for secret in (FIRST, LAST, ADDRESS, OTHER_ADDRESS))
    ]
    assert found == []


def test_erasure_removes_what_a_mentor_wrote_when_answering_a_proposed_pair(world):
    from matching import services as matching
    from matching.models import Proposal, ProposalEvent
    from mentoring.services import create_program

    leadership = create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    mentee = applicant(leadership, "nico@example.org", "mentee", association=northport, employer="Firm N")
    mentor = applicant(leadership, "cody@example.org", "mentor", years=20, association=easton, employer="Firm C")
    proposal = Proposal.objects.create(
        program=leadership, mentee_application=mentee, mentor_application=mentor, score=50
    )
    matching.approve(proposal=proposal, by=world["people"]["chair"])
    matching.mentor_answers(proposal=proposal, accept=False, note="My divorce takes all my time this year")
    erase_member(mentor.user)
    assert not ProposalEvent.objects.filter(text__contains="divorce").exists()


def test_pages_with_confidential_content_are_never_kept_in_a_cache(client, world, settings, tmp_path):
    """The partnership page (agreement terms, meeting notes), the recommendation, the VP's
    pipeline, the expiry overview, report CSVs and orientation files: no-store, as the other
    confidential pages, and their address is not passed to other sites."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from mentoring.models import OrientationItem

    settings.MEDIA_ROOT = tmp_path
    program, people = world["program"], world["people"]
    partnership = partnership_for(program, people["chair"])
    rec = recommend(partnership=partnership, by=partnership.mentor, note="Leads well")
    item = OrientationItem.objects.create(
        program=program,
        kind="file",
        title="Handbook",
        audience="both",
        file=SimpleUploadedFile("orientation.pdf", b"%PDF-1.4 orientation"),
    )
    north, northport = world["regions"]["north"], world["associations"]["northport"]
    pages = [
        (partnership.mentee, reverse("partnership", args=[partnership.pk])),
        (partnership.mentee, reverse("recommendation", args=[rec.pk])),
        (partnership.mentor, reverse("recommendation", args=[rec.pk])),
        (people["vp"], reverse("leadership_pipeline", args=[north.pk])),
        (people["staff"], reverse("staff_expiry")),
        (people["vp"], reverse("region_report", args=[north.pk]) + "?export=programs"),
        (people["officer"], reverse("association_report", args=[northport.pk]) + "?export=programs"),
        (people["chair"], reverse("committee:report", args=[program.pk]) + "?export=programs"),
        (partnership.mentee, reverse("orientation_file", args=[program.pk, item.pk])),
        (people["chair"], reverse("orientation_file", args=[program.pk, item.pk])),
    ]
    for user, url in pages:
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response.get("Cache-Control", ""), url
        assert response["Referrer-Policy"] == "same-origin", url


@pytest.mark.parametrize("erased", ["mentor", "mentee"])
def test_a_mentors_answer_link_no_longer_works_once_either_account_is_erased(client, world, settings, erased):
    """The link in the mentor's email showed the mentee's questionnaire; once the mentor (or the
    mentee) erased the account it is a dead link like the others, and shows nothing of anyone."""
    from matching import services as matching
    from mentoring.services import create_program

    leaders = create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    mentee = applicant(leaders, "nico@example.org", "mentee", association=northport, employer="Firm N")
    mentor = applicant(leaders, "cody@example.org", "mentor", years=20, association=easton, employer="Firm C")
    Application.objects.filter(pk=mentee.pk).update(goals=MY_GOALS)
    proposal = propose(mentee, mentor)
    matching.approve(proposal=proposal, by=world["people"]["chair"])
    url = matching.mentor_answer_url(proposal).removeprefix(settings.SITE_URL)
    assert MY_GOALS in client.get(url).content.decode()  # before: the mentee's goals are shown

    erase_member({"mentor": mentor, "mentee": mentee}[erased].user)
    response = client.get(url)
    assert response.status_code in (404, 410)
    text = response.content.decode()
    assert MY_GOALS not in text and "Nico" not in text and "This link no longer works" in text
    assert client.post(url, {"answer": "accept", "note": ""}).status_code in (404, 410)
    assert not Partnership.objects.filter(mentee=mentee.user).exists()


PLACE, AGENDA = "PLACE-SECRET-7f3a", "AGENDA-SECRET-8e2b"


def test_erasure_takes_every_name_she_had_and_her_own_meeting_words_from_the_outbox_and_the_log(world):
    """The name she had before a rename, her first name alone, and the place and agenda of the
    meetings she proposed: in no column of any model after erasure, the outbox's subjects, bodies
    and calendar attachments and the audit log included."""
    from datetime import timedelta

    from partnerships.meetings import accept_meeting, propose_meeting

    program, chair = world["program"], world["people"]["chair"]
    partnership = partnership_for(program, chair, tag="r")
    mentee, mentor = partnership.mentee, partnership.mentor
    User.objects.filter(pk=mentee.pk).update(first_name="Rosalind", last_name="Earlyname")  # as she signed up
    mentee.refresh_from_db()
    meeting = propose_meeting(
        partnership=partnership,
        by=mentee,
        starts_at=timezone.now() + timedelta(days=3),
        minutes=60,
        mode="in_person",
        place=f"{PLACE} near Rosalind's office",
        agenda=f"{AGENDA}: Rosalind Earlyname's exam",
    )
    accept_meeting(meeting=meeting, by=mentor)
    life.complete(partnership=partnership, by=chair, note="Rosalind finished well")
    update_profile(user=mentee, data={"first_name": "Rosalind", "last_name": "Newname"})  # her name now
    secrets = ("Rosalind", "Earlyname", "Newname", PLACE, AGENDA)
    before = {(m, f) for m, f, v in every_text_value() if any(s in v for s in secrets)}
    assert ("OutgoingEmail", "attachments") in before and ("OutgoingEmail", "body") in before

    erase_member(mentee)

    found = [(m, f, v[:120]) for m, f, v in every_text_value() if any(s.lower() in v.lower() for s in secrets)]
    assert found == [], "\n".join(map(str, found))
    # The partner's emails keep their purpose: the calendar invitation is still there, without her words.
    kept = OutgoingEmail.objects.filter(to=mentor.email, key__startswith=f"meeting:{meeting.pk}:")
    assert kept.exists() and all(e.body for e in kept)
