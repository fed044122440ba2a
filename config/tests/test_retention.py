"""Records kept no longer than needed (retention.services): members are warned once, a month
ahead; what is not kept is removed as "Erase my account" removes it, once, however late or often
the job runs; the report totals stay; an expired record holds no name, address or free text."""

import json
import re
from datetime import date, datetime, timedelta

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings as django_settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from accounts.privacy import EXPIRED
from config.tests.factories import FINE, figures
from conftest import applicant, approved, ask, partnership_for
from feedback import services, surveys
from feedback.models import Concern, Response
from leadership.services import recommend
from matching.models import Proposal, ProposalEvent
from mentoring.models import Application, Partnership, SiteSettings, VettingNote
from mentoring.services import vet_mentor
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail
from partnerships import life
from partnerships.models import Agreement, FollowUp, Goal, Meeting
from retention import services as retention
from retention.models import RecordExpiry

pytestmark = pytest.mark.django_db

MENTEE_EMAIL, MENTOR_EMAIL = "laurabelle.bensonova@example.org", "oswin.tarkovsky@example.org"
NAMES = ("Laurabelle", "Bensonova", "Oswin", "Tarkovsky")
SECRETS = {
    "goals": "MENTEE-QUESTIONNAIRE-GOALS-1a",
    "intro": "MENTOR-INTRODUCTION-2b",
    "goal": "GOAL-TITLE-3c",
    "mentee_note": "MENTEE-MEETING-NOTE-4d",
    "mentor_note": "MENTOR-MEETING-NOTE-5e",
    "mentee_answer": "MENTEE-FEEDBACK-6f",
    "mentor_answer": "MENTOR-FEEDBACK-7a",
    "concern": "MENTEE-CONCERN-8b",
    "follow_up": "FOLLOW-UP-9c",
    "vetting": "VETTING-NOTE-0d",
    "end_note": "END-NOTE-1e",
    "story": "SUCCESS-STORY-2f",
    "terms": "AGREEMENT-TERMS-3a",
    "proposal": "PROPOSAL-ANSWER-4b",
    "mentee_survey": "MENTEE-SURVEY-TEXT-5c",
    "mentor_survey": "MENTOR-SURVEY-TEXT-6d",
    "recommendation": "RECOMMENDATION-NOTE-7e",
}
ENDED = date(2024, 1, 15)
DUE = date(2026, 1, 15)  # 24 months later (the default)
WARN = date(2025, 12, 15)  # a month before


@pytest.fixture
def finished(world):
    """A partnership that ended on ENDED, with free text of every kind that names both partners."""
    program, chair = world["program"], world["people"]["chair"]
    mentee_app = applicant(program, MENTEE_EMAIL, "mentee", goals=f"{SECRETS['goals']} like Oswin Tarkovsky")
    mentor_app = applicant(program, MENTOR_EMAIL, "mentor", years=20, introduction=SECRETS["intro"])
    VettingNote.objects.create(application=mentor_app, author=chair, text=f"{SECRETS['vetting']} Oswin")
    p = approved(mentee_app, mentor_app, by=chair)
    ProposalEvent.objects.create(
        proposal=Proposal.objects.get(mentee_application=mentee_app),
        kind="note",
        actor=p.mentor,
        text=f"{SECRETS['proposal']} for Laurabelle",
    )
    mentee, mentor = p.mentee, p.mentor
    Agreement.objects.filter(partnership=p).update(
        mentee_terms=f"{SECRETS['terms']} Oswin", mentor_terms=f"{SECRETS['terms']} Laurabelle"
    )
    Goal.objects.create(partnership=p, title=SECRETS["goal"])
    Meeting.objects.create(
        partnership=p, met_on=p.started_on, notes=f"{SECRETS['mentee_note']} Oswin", logged_by=mentee
    )
    Meeting.objects.create(
        partnership=p, met_on=p.started_on, notes=f"{SECRETS['mentor_note']} Met Laurabelle", logged_by=mentor
    )
    # The chair's own question (short text) on the periodic feedback, answered by both.
    question = surveys.add_question(
        program=program, survey="periodic", audience="both", kind="text", text="What surprised you?"
    )
    for role, concerns, said in (
        ("mentee", f"{SECRETS['mentee_answer']} Oswin Tarkovsky", f"{SECRETS['mentee_survey']} Oswin"),
        ("mentor", f"{SECRETS['mentor_answer']} Laurabelle", f"{SECRETS['mentor_survey']} Laurabelle"),
    ):
        solicitation = ask(p, role)
        services.submit_response(
            solicitation=solicitation,
            answers={**FINE, "concerns": concerns, question.field_name: said},
            survey=surveys.questions_for(program=program, final=False, role=role),
        )
    recommend(partnership=p, by=mentor, note=f"{SECRETS['recommendation']} Laurabelle leads well")
    services.raise_concern(partnership=p, by=mentee, text=f"{SECRETS['concern']} about Oswin")
    services.note_follow_up(partnership=p, by=chair, note=f"{SECRETS['follow_up']} called Laurabelle Bensonova")
    Partnership.objects.filter(pk=p.pk).update(success_story=f"{SECRETS['story']} Laurabelle and Oswin")
    p.refresh_from_db()
    p.success_story = Partnership.objects.get(pk=p.pk).success_story
    p.save()  # through the audit log, which then holds the story and the names
    life.complete(partnership=p, by=chair, note=f"{SECRETS['end_note']} Laurabelle Bensonova")
    Partnership.objects.filter(pk=p.pk).update(ended_on=ENDED)
    send_pending_emails()  # the introductions and thanks, kept in the outbox once sent
    p.refresh_from_db()
    return p


def warnings(user=None):
    rows = OutgoingEmail.objects.filter(key__startswith="record-expiry-warning:")
    return rows.filter(to=user.email) if user else rows


def record_text(partnership):
    """(model, field, value) of every text and JSON column of every row that belongs to the
    record: the partnership, its partners' applications, the pairs proposed with them, every row
    of any model pointing at one of those, and the change log of the partnership."""
    applications = [partnership.mentee_application_id, partnership.mentor_application_id]
    proposals = list(Proposal.objects.filter(mentee_application__in=applications).values_list("pk", flat=True)) + list(
        Proposal.objects.filter(mentor_application__in=applications).values_list("pk", flat=True)
    )
    own = {Partnership: [partnership.pk], Application: applications, Proposal: proposals}
    project = str(django_settings.BASE_DIR)
    ours = [model for model in apps.get_models() if model._meta.app_config.path.startswith(project)]
    # Two rounds: rows pointing at the record, then rows pointing at those (a survey answer
    # points at a feedback response, which points at the partnership).
    for _ in range(2):
        found = {}
        for model in ours:
            query = models.Q(pk__in=own.get(model, []))
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model in own:
                    query |= models.Q(**{f"{field.name}__in": own[field.related_model]})
            found[model] = list(model._default_manager.filter(query).values_list("pk", flat=True))
        own = {model: pks for model, pks in found.items() if pks}
    for model, pks in own.items():
        yield from _texts(model, model._default_manager.filter(pk__in=pks))
    yield from _texts(LogEntry, LogEntry.objects.get_for_object(partnership))


def _texts(model, rows):
    fields = [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.JSONField)
    ]
    for row in rows:
        for name in fields:
            value = getattr(row, name)
            if value:
                yield model.__name__, name, json.dumps(value, ensure_ascii=False, default=str)


def found_in(partnership, secrets):
    return sorted({(m, f) for m, f, v in record_text(partnership) if any(s.lower() in v.lower() for s in secrets)})


# --- Exactly once, and catching up -------------------------------------------------------------


def test_each_partner_is_warned_once_a_month_ahead_and_the_record_goes_once_the_month_has_passed(finished):
    mentee, mentor = finished.mentee, finished.mentor
    assert retention.run_retention_job(today=WARN - timedelta(days=1))["warned"] == 0  # not yet
    assert not warnings().exists()

    assert retention.run_retention_job(today=WARN)["warned"] == 2
    retention.run_retention_job(today=WARN)  # the same day again
    retention.run_retention_job(today=WARN + timedelta(days=20))  # and later in the month
    assert warnings(mentee).count() == 1 and warnings(mentor).count() == 1
    email = warnings(mentee).get()
    assert "Oswin Tarkovsky" in email.body and "15 January 2026" in email.subject
    assert "/keep-history/" in email.body

    assert retention.run_retention_job(today=DUE - timedelta(days=1))["expired"] == 0
    assert Response.objects.get(respondent=mentee).concerns.startswith(SECRETS["mentee_answer"])

    assert retention.run_retention_job(today=DUE)["expired"] == 2
    assert retention.run_retention_job(today=DUE)["expired"] == 0  # twice: nothing more
    assert retention.run_retention_job(today=DUE + timedelta(days=40)) == {"noted": 0, "warned": 0, "expired": 0}
    assert RecordExpiry.objects.filter(expired_at__isnull=False).count() == 2
    assert warnings().count() == 2


def test_a_job_three_months_late_warns_first_and_removes_only_after_the_months_notice(finished):
    late = DUE + timedelta(days=92)
    result = retention.run_retention_job(today=late)
    assert result["warned"] == 2 and result["expired"] == 0  # never removed without a month's warning
    assert RecordExpiry.objects.filter(expires_on=date(2026, 5, 17)).count() == 2
    assert retention.run_retention_job(today=date(2026, 5, 16))["expired"] == 0
    assert retention.run_retention_job(today=date(2026, 5, 17))["expired"] == 2
    assert warnings().count() == 2


def test_a_job_that_missed_months_catches_up_on_every_record_due(world, finished):
    other = partnership_for(world["program"], world["people"]["chair"], tag="b")
    life.complete(partnership=other, by=world["people"]["chair"])
    Partnership.objects.filter(pk=other.pk).update(ended_on=date(2023, 6, 1))
    retention.run_retention_job(today=date(2026, 3, 1))
    assert RecordExpiry.objects.filter(warned_at__isnull=False).count() == 4
    assert warnings().count() == 4  # one per person: each has one record
    assert retention.run_retention_job(today=date(2026, 4, 1))["expired"] == 4


def test_a_member_with_several_records_gets_one_email_listing_them(world, finished):
    program, chair = world["program"], world["people"]["chair"]
    second = applicant(program, "newbie.two@example.org", "mentee")
    p2 = approved(second, finished.mentor_application, by=chair)
    life.complete(partnership=p2, by=chair)
    Partnership.objects.filter(pk=p2.pk).update(ended_on=ENDED)
    retention.run_retention_job(today=WARN)
    [email] = warnings(finished.mentor)
    assert "Laurabelle Bensonova" in email.body and "Newbie Two" in email.body


def test_staff_set_the_months_and_the_job_follows(finished):
    SiteSettings.objects.update_or_create(pk=1, defaults={"keep_personal_data_months": 36})
    assert retention.run_retention_job(today=WARN)["warned"] == 0
    assert retention.run_retention_job(today=date(2026, 12, 15))["warned"] == 2


# --- What goes, what stays --------------------------------------------------------------------


def test_report_totals_are_the_same_before_and_after_expiry(finished):
    before = figures(finished.program)
    retention.run_retention_job(today=WARN)
    retention.run_retention_job(today=DUE)
    assert RecordExpiry.objects.filter(expired_at__isnull=False).count() == 2
    assert figures(finished.program) == before
    assert Response.objects.filter(partnership=finished, satisfaction=4).count() == 2  # the scores stay


def test_an_expired_record_holds_no_name_address_or_free_text(finished):
    everything = [*NAMES, MENTEE_EMAIL, MENTOR_EMAIL, *SECRETS.values()]
    assert len(found_in(finished, everything)) >= 12  # the scan sees the places that hold them
    retention.run_retention_job(today=WARN)
    retention.run_retention_job(today=DUE)
    assert found_in(finished, everything) == []
    # The emails about it that the outbox keeps: sent once, without their words now.
    about = OutgoingEmail.objects.filter(key__regex=rf"^(introduction|completed):{finished.pk}:")
    assert about.count() == 4
    assert not any(n.lower() in f"{e.subject} {e.body}".lower() for e in about for n in everything)
    # The accounts stay: the members may still be members.
    finished.mentee.refresh_from_db()
    assert finished.mentee.is_active and finished.mentee.email == MENTEE_EMAIL


def test_an_application_closed_unmatched_expires_with_its_answers_and_vetting_notes(world):
    program, chair = world["program"], world["people"]["chair"]
    declined = applicant(program, "dora.declined@example.org", "mentor", years=20, goals="DECLINED-GOALS")
    Application.objects.filter(pk=declined.pk).update(status="awaiting_vetting")
    vet_mentor(application=declined, by=chair, decision="decline", note="VETTING-SECRET Dora")
    withdrawn = applicant(program, "walt.withdrawn@example.org", "mentee", goals="WITHDRAWN-GOALS")
    Application.objects.filter(pk=withdrawn.pk).update(status="withdrawn")
    open_one = applicant(program, "olga.open@example.org", "mentee", goals="OPEN-GOALS")
    closed = datetime(2024, 1, 15, 12, tzinfo=timezone.get_current_timezone())
    Application.objects.filter(pk__in=[declined.pk, withdrawn.pk, open_one.pk]).update(updated_at=closed)

    retention.run_retention_job(today=WARN)
    assert {e.to for e in warnings()} == {"dora.declined@example.org", "walt.withdrawn@example.org"}
    retention.run_retention_job(today=DUE)
    declined.refresh_from_db()
    withdrawn.refresh_from_db()
    assert (declined.goals, withdrawn.goals, declined.status) == ("", "", "declined")
    assert VettingNote.objects.get(application=declined).text is None
    assert Application.objects.get(pk=open_one.pk).goals == "OPEN-GOALS"  # still open: untouched


def test_an_application_reopened_after_the_warning_is_not_removed(world):
    program = world["program"]
    application = applicant(program, "rita.reopens@example.org", "mentee", goals="MY-GOALS")
    closed = datetime(2024, 1, 15, 12, tzinfo=timezone.get_current_timezone())
    Application.objects.filter(pk=application.pk).update(status="withdrawn", updated_at=closed)
    retention.run_retention_job(today=WARN)
    Application.objects.filter(pk=application.pk).update(status="in_pool")
    assert retention.run_retention_job(today=DUE)["expired"] == 0
    assert Application.objects.get(pk=application.pk).goals == "MY-GOALS"
    assert not RecordExpiry.objects.filter(application=application).exists()  # its clock starts over


def test_an_active_partnership_is_never_touched(world, finished):
    active = partnership_for(world["program"], world["people"]["chair"], tag="c")
    Partnership.objects.filter(pk=active.pk).update(started_on=date(2020, 1, 1))
    Goal.objects.create(partnership=active, title="STILL-GOING")
    for day in (WARN, DUE, date(2030, 1, 1)):
        retention.run_retention_job(today=day)
    assert not RecordExpiry.objects.filter(partnership=active).exists()
    assert Goal.objects.get(partnership=active).title == "STILL-GOING"
    assert Application.objects.get(pk=active.mentee_application_id).goals == "Grow"


# --- Keep my history --------------------------------------------------------------------------


def keep_link(user):
    return reverse("keep_history", args=[retention.make_token(user)])


def test_keep_my_history_keeps_the_members_own_part_once_and_the_partners_part_still_goes(client, finished):
    mentee, mentor = finished.mentee, finished.mentor
    retention.run_retention_job(today=WARN)
    # The link in the email (a token made in another second differs: it carries its time).
    url = re.search(r"https?://[^/\s]+(/keep-history/[^\s]*)", warnings(mentee).get().body).group(1)
    assert retention.read_token(url.rstrip("/").rsplit("/", 1)[-1]) == mentee

    page = client.get(url)  # a link scanner opening it changes nothing
    assert page.status_code == 200 and "Keep my history" in page.content.decode()
    assert not RecordExpiry.objects.filter(kept_at__isnull=False).exists()

    page = client.post(url)
    assert "Your records listed below will not be removed." in page.content.decode()
    kept_at = RecordExpiry.objects.get(user=mentee).kept_at
    assert kept_at is not None
    again = client.post(url)  # used again: nothing more
    assert "your records were kept already" in again.content.decode()
    assert RecordExpiry.objects.get(user=mentee).kept_at == kept_at

    retention.run_retention_job(today=DUE)
    # Hers stays; his goes, and his name leaves what she keeps.
    assert Response.objects.get(respondent=mentee).concerns.startswith(SECRETS["mentee_answer"])
    assert Application.objects.get(pk=finished.mentee_application_id).goals.startswith(SECRETS["goals"])
    assert Response.objects.get(respondent=mentor).concerns is None
    assert Meeting.objects.get(logged_by=mentor).notes == ""
    assert Application.objects.get(pk=finished.mentor_application_id).introduction == ""
    assert found_in(finished, ["Oswin", "Tarkovsky", MENTOR_EMAIL]) == []
    assert not FollowUp.objects.filter(partnership=finished, note__isnull=False).exists()
    assert Concern.objects.get(raised_by=mentee).text.startswith(SECRETS["concern"])


def test_a_members_link_keeps_only_their_own_records(client, finished):
    retention.run_retention_job(today=WARN)
    client.post(keep_link(finished.mentor))
    assert list(RecordExpiry.objects.filter(kept_at__isnull=False).values_list("user", flat=True)) == [
        finished.mentor.pk
    ]


@pytest.mark.parametrize(
    "token",
    [
        "x",
        "a" * 3000,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "\u202eمرحبا😀",
        "nul\x00byte",
    ],
)
def test_an_altered_or_hostile_link_keeps_nothing_and_says_so_plainly(client, finished, token):
    retention.run_retention_job(today=WARN)
    for method in (client.get, client.post):
        response = method(f"/keep-history/{token}/")
        assert response.status_code == 404
        body = response.content.decode()
        # A link with a "/" in it is no such page at all; any other says the link can't be used.
        assert "This link can't be used" in body or "We couldn't find that page" in body
    assert not RecordExpiry.objects.filter(kept_at__isnull=False).exists()


def test_a_tampered_token_for_another_member_does_not_open(client, finished):
    retention.run_retention_job(today=WARN)
    token = retention.make_token(finished.mentee)
    payload, rest = token.split(":", 1)
    forged = retention.make_token(finished.mentor).split(":", 1)[0] + ":" + rest
    assert client.post(reverse("keep_history", args=[forged])).status_code == 404
    assert client.post(reverse("keep_history", args=[token[:-2] + "zz"])).status_code == 404
    assert not RecordExpiry.objects.filter(kept_at__isnull=False).exists()


def test_keeping_after_the_removal_says_it_is_too_late(client, finished):
    retention.run_retention_job(today=WARN)
    retention.run_retention_job(today=DUE)
    page = client.post(keep_link(finished.mentee)).content.decode()
    assert "Removed on" in page and "kept already" in page
    assert not RecordExpiry.objects.filter(kept_at__isnull=False).exists()


def test_the_keep_link_of_an_erased_account_does_not_open(client, finished):
    from accounts.privacy import erase_member

    retention.run_retention_job(today=WARN)
    token = retention.make_token(finished.mentee)
    erase_member(finished.mentee)
    assert client.get(reverse("keep_history", args=[token])).status_code == 404


# --- What will expire: the chair's and staff's pages ------------------------------------------


def test_the_chair_sees_what_will_expire_by_name_without_confidential_text(client, world, finished, settings):
    retention.run_retention_job(today=WARN)
    # The page looks six months ahead from today: bring the record's date near.
    RecordExpiry.objects.update(expires_on=timezone.localdate() + timedelta(days=20))
    client.force_login(world["people"]["chair"])
    page = client.get(reverse("committee:expiry", args=[finished.program_id])).content.decode()
    assert "Laurabelle Bensonova (mentee) with Oswin Tarkovsky (mentor)" in page
    assert "Laurabelle Bensonova: told" in page
    for secret in SECRETS.values():
        assert secret not in page


def test_the_pages_take_the_same_number_of_queries_however_many_records(client, world, django_assert_max_num_queries):
    program, chair = world["program"], world["people"]["chair"]
    soon = timezone.localdate() - timedelta(days=24 * 30)
    for tag in "def":
        p = partnership_for(program, chair, tag=tag)
        life.complete(partnership=p, by=chair)
        Partnership.objects.filter(pk=p.pk).update(ended_on=soon)
    retention.run_retention_job()
    staff = world["people"]["staff"]
    client.force_login(chair)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("committee:expiry", args=[program.pk]))
    assert page.content.decode().count("(mentee) with") == 3
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("staff_expiry"))
    assert page.content.decode().count("(mentee) with") == 3


def test_the_staff_page_is_for_staff_only(client, world):
    client.force_login(world["people"]["chair"])
    assert client.get(reverse("staff_expiry")).status_code == 404
    assert reverse("staff_expiry") not in client.get(reverse("home")).content.decode()


def test_staff_find_the_page_in_the_menu(client, world):
    """/staff/expiry/ was linked from nowhere."""
    client.force_login(world["people"]["staff"])
    assert f'href="{reverse("staff_expiry")}">Records kept</a>' in client.get(reverse("home")).content.decode()


# --- The setting, in the admin: hostile input ----------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "This field is required."),
        ("5", "Ensure this value is greater than or equal to 6."),
        ("121", "Ensure this value is less than or equal to 120."),
        ("9" * 100, "Ensure this value is less than or equal to 120."),
        ("<script>alert(1)</script>", "Enter a whole number."),
        ("1; DROP TABLE x", "Enter a whole number."),
        ("٢٤😀", "Enter a whole number."),
        ("24\x00", "Enter a whole number."),
    ],
)
def test_staff_set_the_months_in_the_admin_and_wrong_values_are_refused(client, world, value, message):
    SiteSettings.current()
    client.force_login(world["people"]["staff"])
    url = reverse("admin:mentoring_sitesettings_change", args=[1])
    response = client.post(url, {"report_min_responses": "5", "keep_personal_data_months": value})
    assert response.status_code == 200 and message in response.content.decode()
    assert SiteSettings.current().keep_personal_data_months == 24
    response = client.post(url, {"report_min_responses": "5", "keep_personal_data_months": "36"})
    assert response.status_code == 302 and SiteSettings.current().keep_personal_data_months == 36


def test_the_monthly_job_is_in_the_beat_schedule():
    entry = django_settings.CELERY_BEAT_SCHEDULE["remove-expired-personal-data-monthly"]
    assert entry["task"] == "retention.tasks.run_retention_job"


def test_the_task_runs_the_job(finished):
    from retention.tasks import run_retention_job

    assert run_retention_job() == {"noted": 2, "warned": 2, "expired": 0}  # today: warned first


# --- Expiry after erasure, emails not yet sent, earlier addresses, the partner's warning ------


def test_expiry_after_erasure_never_takes_the_placeholder_for_a_name(finished):
    """An erased member's name is "Former member" everywhere: expiring her part takes neither the
    placeholder nor its words ("member") for a name, and scrambles nothing."""
    from accounts.privacy import erase_member

    mentor = finished.mentor
    Agreement.objects.filter(partnership=finished).update(mentor_terms="Help Laurabelle as a new member of the board")
    erase_member(finished.mentee)
    assert Agreement.objects.get(partnership=finished).mentor_terms == "Help Former member as a new member of the board"
    retention.run_retention_job(today=WARN)
    retention.keep_history(user=mentor)  # the mentor's part stays; the erased mentee's part expires
    assert retention.run_retention_job(today=DUE)["expired"] == 1
    assert Agreement.objects.get(partnership=finished).mentor_terms == "Help Former member as a new member of the board"
    assert retention.names_of(finished.mentee) & {"Former member", "Former", "member"} == set()


def test_expiry_takes_the_words_of_emails_not_yet_sent_and_of_those_sent_to_an_earlier_address(finished):
    from allauth.account.models import EmailAddress

    from outbox.emails import send_pending_emails as send

    mentee = finished.mentee
    introduction = OutgoingEmail.objects.get(key=f"introduction:{finished.pk}:mentee")
    assert introduction.to == MENTEE_EMAIL and introduction.status == "sent"
    # The thanks for the finished partnership has not gone yet (the mail server was down).
    waiting = OutgoingEmail.objects.get(key=f"completed:{finished.pk}:{mentee.pk}")
    OutgoingEmail.objects.filter(pk=waiting.pk).update(status="pending", sent_at=None, attempts=0)
    # The mentee has a new address since the introduction was sent to the old one.
    mentee.email = "laurabelle@elsewhere.example.org"
    mentee.save(update_fields=["email"])
    EmailAddress.objects.filter(user=mentee).update(email=mentee.email)
    retention.run_retention_job(today=WARN)
    OutgoingEmail.objects.filter(pk=waiting.pk).update(status="pending")  # still waiting at the warning
    assert retention.run_retention_job(today=DUE)["expired"] == 2
    introduction.refresh_from_db()
    waiting.refresh_from_db()
    assert introduction.subject == EXPIRED and "Oswin" not in introduction.body
    assert waiting.subject == EXPIRED and waiting.body == "" and waiting.status != "pending"
    send()
    assert OutgoingEmail.objects.get(pk=waiting.pk).sent_at is None  # never sent without its words


def test_the_partners_expiry_warning_loses_the_names_of_the_member_whose_part_expired(finished):
    mentee, mentor = finished.mentee, finished.mentor
    retention.run_retention_job(today=WARN)
    assert "Laurabelle" in warnings(mentor).get().body
    retention.keep_history(user=mentor)
    retention.run_retention_job(today=DUE)
    text = " ".join((warnings(mentor).get().subject, warnings(mentor).get().body))
    for name in (*NAMES[:2], MENTEE_EMAIL):
        assert name not in text
    assert "Oswin" in warnings(mentee).get().body or warnings(mentee).get().subject == EXPIRED


def test_a_french_member_reads_the_warning_in_french_whoever_runs_the_job(finished):
    """The job runs in the site's language; the warning to a French member names her records and
    the date in French (the email's own sentences follow as the emails are translated)."""
    finished.mentee.language = "fr"
    finished.mentee.save(update_fields=["language"])
    retention.run_retention_job(today=WARN)
    body = warnings(finished.mentee).get().body
    assert "Votre jumelage avec" in body and "janvier 2026" in body
    assert "Your partnership with" in warnings(finished.mentor).get().body  # his stays English
