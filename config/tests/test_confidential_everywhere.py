"""Nothing that only the committee may read is readable by anyone else, anywhere: every admin page
(each model's list, each object's change, history and delete pages, the audit log) and every
export, read as every role, staff included, after confidential records were written and changed.

Markers go into every field of the confidential records: text into the text fields, and for the
others their labels ("satisfaction", "I would like a new partner", "end reason", ...), which is
how an admin page or a log would show them."""

import html
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from conftest import ROLES, ask, partnership_for
from feedback import services as feedback
from feedback import surveys
from feedback.models import Solicitation
from mentoring.branding import save_brand
from mentoring.services import vet_mentor
from partnerships import life

pytestmark = pytest.mark.django_db

TEXT_MARKERS = {
    "response": "zq-response-free-text",
    "flash": "zq-flash-note",  # what each side said after a flash conversation (flash/)
    "circle": "zq-circle-note",  # what each member said after a circle meeting (circles/)
    "declined": "zq-declined-note",  # a mentor's word to the committee on declining a member's request
    "concern": "zq-concern-text",
    "follow-up": "zq-follow-up-note",
    "end note": "zq-end-note",
    "vetting": "zq-vetting-note",
    "survey": "zq-survey-free-text",
    # A brand's reply-to address may be a person's (outbox.models.Brand): in no admin page or export.
    "reply-to": "zq-reply-to",
}
LABELS = [
    # A response's fields, as the admin or the audit log would name them
    "satisfaction",
    "how often you met",
    "progress toward the goals",
    "is this partnership working",
    "i would like a new partner",
    "wants_new_partner",
    "recommends_for_leadership",
    # who raised a concern, how the committee followed up, why a partnership ended, vetting
    "raised by",
    "raised_by",
    "resolved by",
    "end reason",
    "end_reason",
    "internal note",
]


@pytest.fixture
def confidential(world):
    """Each kind of confidential record, written and then changed, through the app's services."""
    program, chair, member = world["program"], world["people"]["chair"], world["people"]["committee_member"]
    partnership = partnership_for(program, chair)
    mentee_round = ask(partnership, "mentee")
    mentor_round = Solicitation.objects.get(partnership=partnership, role="mentor", round=1)
    answers = {"satisfaction": 1, "met": "less", "progress": "none", "working": "no", "wants_new_partner": True}
    # The chair's own questions: a short text (confidential) and a score (in the reports).
    words = surveys.add_question(program=program, survey="periodic", audience="both", kind="text", text="Change?")
    score = surveys.add_question(program=program, survey="periodic", audience="both", kind="nps", text="Recommend?")
    asked = surveys.questions_for(program=program, final=False, role="mentee")
    answers |= {words.field_name: TEXT_MARKERS["survey"], score.field_name: 3}
    feedback.submit_response(
        solicitation=mentee_round, answers={**answers, "concerns": TEXT_MARKERS["response"]}, survey=asked
    )
    feedback.submit_response(solicitation=mentor_round, answers={**answers, "recommends_for_leadership": True})
    concern = feedback.raise_concern(partnership=partnership, by=partnership.mentee, text=TEXT_MARKERS["concern"])
    feedback.resolve_concern(concern=concern, by=chair, note=TEXT_MARKERS["follow-up"])
    feedback.note_follow_up(partnership=partnership, by=member, note=TEXT_MARKERS["follow-up"])
    life.extend(partnership=partnership, by=chair, months=2, note=TEXT_MARKERS["follow-up"])
    ended = partnership_for(program, chair, "ended")
    life.dissolve(partnership=ended, by=chair, reason="fit", note=TEXT_MARKERS["end note"])
    # A flash conversation's note after it, from each side (flash/; imported here, apart from the
    # module's imports that other branches change too).
    from flash import services as flash
    from flash.models import FlashFeedback

    program.offers_flash = True
    program.save(update_fields=["offers_flash"])
    slot = flash.offer_slot(
        program=program, mentor=partnership.mentor, starts_at=timezone.now() + timedelta(days=1), mode="video"
    )
    slot = flash.book_slot(slot=slot, member=ended.mentee, question="Where do I start?")
    with time_machine.travel(slot.ends_at + timedelta(minutes=1)):
        flash.ask_for_feedback()
    for answer in FlashFeedback.objects.filter(slot=slot):
        flash.submit_feedback(feedback=answer, held=True, useful=2, note=TEXT_MARKERS["flash"])
    # A circle meeting's notes after it, from each member (circles/; imported here, as flash).
    from circles import services as circles
    from circles.models import CircleFeedback

    program.offers_circles = True
    program.save(update_fields=["offers_circles"])
    circle = circles.create_circle(program=program, by=chair, name="Circle")
    circles.add_member(circle=circle, user=partnership.mentor, role="mentor", by=chair)
    circles.add_member(circle=circle, user=partnership.mentee, role="mentee", by=chair)
    meeting = circles.schedule_meeting(
        circle=circle, by=chair, starts_at=timezone.now() + timedelta(days=1), minutes=60, mode="video"
    )
    circles.ask_for_feedback(now=meeting.ends_at + timedelta(minutes=1))
    for answer in CircleFeedback.objects.filter(meeting=meeting):
        circles.submit_feedback(feedback=answer, useful=2, note=TEXT_MARKERS["circle"])
    # A member's request to a mentor (members choose: matching/choosing.py), declined with a word
    # for the committee, which the mentee never reads (imported here, as flash's above).
    from conftest import applicant
    from matching import choosing
    from matching import services as matching

    program.members_choose = True
    program.save(update_fields=["members_choose"])
    asking = applicant(program, "asking.mentee@example.org", "mentee", employer="Asking Co")
    chosen = applicant(program, "chosen.mentor@example.org", "mentor", years=20, employer="Chosen Co")
    request = choosing.ask_mentor(mentee_app=asking, mentor_app=chosen, note="Please")
    matching.mentor_answers(proposal=request, accept=False, note=TEXT_MARKERS["declined"])
    candidate = partnership_for(program, chair, "vetted").mentor_application
    vet_mentor(application=candidate, by=chair, decision="note", note=TEXT_MARKERS["vetting"])
    for owner in (program.association, program.association.region):
        save_brand(
            owner=owner, sender_name="Mentoring", colour="#0b5cad", reply_to=TEXT_MARKERS["reply-to"] + "@example.org"
        )
    return {"program": program, "partnership": partnership, "ended": ended, "survey": [words, score]}


def leaks(response, *, labels=True):
    """The markers a page shows. Exports are read for the text only: their columns name aggregates
    ("Mean satisfaction") on purpose."""
    text = html.unescape(response.content.decode(errors="replace")).lower()
    found = [m for m in TEXT_MARKERS.values() if m in text]
    found += [label for label in LABELS if labels and re.search(rf"\b{re.escape(label)}\b", text)]
    # That a concern was raised, or an answer given, is the committee's too (a delete page lists them).
    return found + ([m.group(0) for m in re.finditer(r"\b(concern|response) \d+\b", text)] if labels else [])


def admin_urls():
    """Every page of the admin: the index, each model's list, and each object's pages."""
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        for pk in model_admin.get_queryset(None).values_list("pk", flat=True)[:40]:
            for page in ("change", "history", "delete"):
                urls.append(reverse("admin:{}_{}_{}".format(*info, page), args=[pk]))
        urls.append(reverse("admin:app_list", args=[model._meta.app_label]))
    return sorted(set(urls))


def exports(world, program):
    region = world["regions"]["north"]
    tables = ["programs", "associations", "trend", "funnel", "satisfaction", "closures", "objectives", "retention"]
    tables += [f"survey-{q.pk}" for q in program.survey_questions.all()]
    urls = [reverse("region_report", args=[region.pk]) + f"?export={t}" for t in [*tables, "pipeline"]]
    urls += [reverse("committee:report", args=[program.pk]) + f"?export={t}" for t in tables]
    association = reverse("association_report", args=[program.association_id])
    urls += [association + f"?export={t}" for t in tables if t != "associations"]
    return [*urls, reverse("accounts:my_data"), reverse("region_report", args=[region.pk]), association]


def test_no_role_reads_confidential_values_in_the_admin_or_an_export(client, world, confidential):
    pages, files = admin_urls(), exports(world, confidential["program"])
    assert len(pages) > 50
    # Every admin page is behind the admin site's one gate (AdminSite.admin_view: active staff
    # only), so a role without staff status is tried on each model's list and each app's page
    # (a way past the gate would show there too) rather than on every object's pages.
    front = [url for url in pages if not url.rstrip("/").split("/")[-1].isdigit() and "/change/" not in url]
    front = [url for url in front if not url.endswith(("/history/", "/delete/"))]
    assert reverse("admin:index") in front and len(front) < len(pages)
    found = {}
    for role in ROLES:
        user = world["people"].get(role)
        if role != "anonymous":
            client.force_login(user)
        for url in (pages if user is not None and user.is_staff else front) + files:
            response = client.get(url)
            if response.status_code == 200 and (hits := leaks(response, labels=url in pages)):
                found[(role, url)] = hits
        client.logout()
    assert found == {}


def test_the_markers_are_found_where_they_belong(client, world, confidential):
    """The check can fail: the committee's own page for the partnership shows what it must."""
    client.force_login(world["people"]["chair"])
    program, partnership = confidential["program"], confidential["partnership"]
    page = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk]))
    shown = {TEXT_MARKERS["response"], TEXT_MARKERS["concern"], TEXT_MARKERS["follow-up"], TEXT_MARKERS["survey"]}
    assert shown <= set(leaks(page))
    assert "satisfaction" in leaks(page)
    flash_page = client.get(reverse("committee:flash", args=[program.pk]))
    assert TEXT_MARKERS["flash"] in leaks(flash_page)
    circle_page = client.get(reverse("committee:circle_feedback", args=[program.pk]))
    assert TEXT_MARKERS["circle"] in leaks(circle_page)


def test_the_upgrade_removes_confidential_values_the_audit_log_already_held(world, confidential):
    """Sites that ran an earlier version have such entries: the migration removes them."""
    from importlib import import_module

    from auditlog.models import LogEntry
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    from feedback.models import Response
    from mentoring.models import Partnership

    response, ended = Response.objects.first(), confidential["ended"]
    old = [
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Response),
            object_pk=str(response.pk),
            object_repr=str(response),
            action=LogEntry.Action.CREATE,
            changes={"satisfaction": ["None", "1"], "wants_new_partner": ["None", "True"]},
        ),
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(Partnership),
            object_pk=str(ended.pk),
            object_repr=str(ended),
            action=LogEntry.Action.UPDATE,
            changes={"status": ["active", "dissolved"], "end_reason": ["", "fit"]},
            changes_text="end_reason: fit",
        ),
    ]
    import_module("feedback.migrations.0006_forget_confidential_audit_entries").forget(apps, None)

    assert not LogEntry.objects.filter(pk=old[0].pk).exists()
    kept = LogEntry.objects.get(pk=old[1].pk)
    assert kept.changes == {"status": ["active", "dissolved"]} and "fit" not in kept.changes_text
