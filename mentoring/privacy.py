"""The personal data mentoring keeps: questionnaires, the partnership records (recognition, how
they ended), and emails in the outbox (what the partners record during a partnership is
partnerships.privacy's). Called by accounts.privacy (see there for the four functions)."""

from auditlog.models import LogEntry as AuditEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.privacy import day, expire_emails, parts, redact, redact_emails, replace
from outbox.models import Brand, OutgoingEmail

from .models import (
    Application,
    AssociationOfficer,
    CommitteeMembership,
    OrientationCompletion,
    Partnership,
    Region,
    VettingNote,
)

APPLICATION_TEXT = ("goals", "partner_preferences", "introduction", "message_to_member")


def lock(user):
    # Their applications, before looking: a match approved meanwhile waits for the erasure, or wins.
    list(Application.objects.select_for_update().filter(user=user).values_list("pk", flat=True))


def blockers(user) -> list:
    found = []
    if Partnership.objects.filter(status=Partnership.Status.ACTIVE).filter(Q(mentee=user) | Q(mentor=user)).exists():
        found.append(
            _(
                "You are in a partnership that is still going on. Ask your program's chair to close it first, "
                "so that your partner hears it from them."
            )
        )
    if CommitteeMembership.objects.filter(user=user).exists():
        found.append(_("You have a seat on a program committee. Ask the chair (or your regional VP) to remove it."))
    if AssociationOfficer.objects.filter(user=user).exists():
        found.append(_("You are an officer of your local association. Ask your regional VP to remove the role."))
    if Region.objects.filter(vice_president=user).exists():
        found.append(_("You are a regional vice president. Ask the association's staff to appoint someone else."))
    return found


def export(user) -> dict:
    return {
        "applications": [
            {
                "program": a.program.name,
                "role": a.role,
                "status": a.get_status_display(),
                "submitted_at": day(a.submitted_at),
                **{name: getattr(a, name) for name in APPLICATION_TEXT},
                "topics": a.topics,
                "career_stage": a.career_stage,
                "years_experience": a.years_experience,
                "communication_modes": a.communication_modes,
                "availability": a.availability,
                "hours_per_month": a.hours_per_month,
                "meeting_frequency": a.meeting_frequency,
                "languages": a.languages,
                "preferred_partners": a.preferred_partner_emails,
                "partners_to_avoid": a.avoid_emails,
                "extra_answers": a.extra_answers,
                "unsent_draft": a.draft,
            }
            for a in Application.objects.filter(user=user).select_related("program").order_by("pk")
        ],
        "orientation_completed": [
            {"program": c.item.program.name, "item": c.item.title, "completed_at": day(c.completed_at)}
            for c in OrientationCompletion.objects.filter(user=user).select_related("item__program").order_by("pk")
        ],
    }


def erase(user, *, secrets, addresses, nearby):
    # A brand's reply-to address that was the member's own: replies go nowhere rather than to them.
    held = Q()
    for address in addresses:
        held |= Q(reply_to__iexact=address)
    Brand.objects.filter(held).update(reply_to="")
    open_statuses = [Application.Status.DRAFT, Application.Status.IN_POOL, Application.Status.AWAITING_VETTING]
    Application.objects.filter(user=user, status__in=[*open_statuses, Application.Status.MORE_INFO]).update(
        status=Application.Status.WITHDRAWN
    )
    Application.objects.filter(user=user).update(
        **dict.fromkeys(APPLICATION_TEXT, ""),
        extra_answers={},
        draft={},
        preferred_partner_emails=[],
        avoid_emails=[],
        updated_at=timezone.now(),
    )
    VettingNote.objects.filter(application__user=user).exclude(text__isnull=True).update(text=None)
    # Recognition needs both partners' consent: theirs is withdrawn, and the story (which names them) goes.
    Partnership.objects.filter(mentee=user).update(mentee_consents_to_recognition=False, success_story="")
    Partnership.objects.filter(mentor=user).update(mentor_consents_to_recognition=False, success_story="")
    _forget_in_others_applications(user, addresses)
    # Emails to them go; emails to others that name them keep their purpose, without the name
    # (calendar files included); their partners' emails, without the first or last name alone either.
    OutgoingEmail.objects.filter(to__in=addresses).delete()
    redact(OutgoingEmail.objects.all(), ("subject", "body", "attachments"), secrets)
    theirs = Partnership.objects.filter(Q(mentee=user) | Q(mentor=user))
    partners = {p.partner_of(user) for p in theirs.select_related("mentee", "mentor")}
    partner_addresses = {
        a for partner in partners for a in (partner.email, *partner.emailaddress_set.values_list("email", flat=True))
    }
    redact_emails(OutgoingEmail.objects.filter(to__in=partner_addresses), nearby)
    # The change log of their partnerships: not even the first name alone.
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Partnership),
        object_pk__in=[str(pk) for pk in theirs.values_list("pk", flat=True)],
    )
    redact(entries, ("object_repr", "changes_text", "changes", "serialized_data"), nearby)


def _forget_in_others_applications(user, addresses):
    """Other members named them as a partner to prefer or avoid: the address goes from those lists."""
    as_text = {f: Cast(f, TextField()) for f in ("preferred_partner_emails", "avoid_emails", "draft")}
    holding = Q()
    for address in addresses:
        holding |= Q(p__icontains=address) | Q(v__icontains=address) | Q(d__icontains=address)
    rows = Application.objects.exclude(user=user).annotate(
        p=as_text["preferred_partner_emails"], v=as_text["avoid_emails"], d=as_text["draft"]
    )
    lowered = {a.lower() for a in addresses}
    # ... and as a member (their id), wherever they were found from an address.
    named = Application.objects.exclude(user=user).annotate(
        pi=Cast("preferred_partner_ids", TextField()), ai=Cast("avoid_partner_ids", TextField())
    )
    for application in named.filter(Q(pi__contains=str(user.pk)) | Q(ai__contains=str(user.pk))):
        application.preferred_partner_ids = [i for i in application.preferred_partner_ids if i != user.pk]
        application.avoid_partner_ids = [i for i in application.avoid_partner_ids if i != user.pk]
        application.save(update_fields=["preferred_partner_ids", "avoid_partner_ids"])
    for application in rows.filter(holding):
        application.preferred_partner_emails = [
            e for e in application.preferred_partner_emails if str(e).lower() not in lowered
        ]
        application.avoid_emails = [e for e in application.avoid_emails if str(e).lower() not in lowered]
        application.draft = replace(application.draft, sorted(addresses, key=len, reverse=True))
        application.save(update_fields=["preferred_partner_emails", "avoid_emails", "draft"])


# --- Records kept no longer than needed (called by retention.services) -----------------------


def expire_partnership(partnership, *, user, names):
    """The member's part of a finished partnership: what they wrote on it, their questionnaire
    for it, and their names in what their partner keeps; with it, the committee's words on how it
    ended and the recognition story (which names both). Dates, statuses and counts stay."""
    role = partnership.role_of(user)
    both = [partnership.mentee_application_id, partnership.mentor_application_id]
    redact(Application.objects.filter(pk__in=both), (*APPLICATION_TEXT, "extra_answers"), names)
    story = Partnership.objects.filter(pk=partnership.pk).values_list("success_story", flat=True).first() or ""
    Partnership.objects.filter(pk=partnership.pk).update(
        end_note=None, success_story="", mentee_consents_to_recognition=False, mentor_consents_to_recognition=False
    )
    # The change log of the partnership: the names in its description, and the old story.
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Partnership), object_pk=str(partnership.pk)
    )
    redact(entries, ("object_repr", "changes_text", "changes", "serialized_data"), names | {story})
    # The nudges to meet about it, kept in the outbox once sent (the row stays: its key keeps it
    # sent once). The partnership's own emails are partnerships.privacy's.
    expire_emails(Q(key__startswith=f"nudge:{partnership.pk}:{user.pk}:"))
    # Their questionnaire, unless a later or ongoing partnership (a mentor's, with capacity) uses it.
    application = partnership.mentee_application if role == "mentee" else partnership.mentor_application
    later = (
        Partnership.objects.filter(**{f"{role}_application": application})
        .exclude(pk=partnership.pk)
        .filter(Q(status=Partnership.Status.ACTIVE) | Q(ended_on__gt=partnership.ended_on))
    )
    if not later.exists():
        for expire in parts("expire_application"):
            expire(application, names=names)


def expire_application(application, *, names):
    """A closed application's answers, and the committee's vetting notes on it. Its status, role
    and dates stay for the counts. (`updated_at` is left alone: it dates the closing.)"""
    Application.objects.filter(pk=application.pk).update(
        **dict.fromkeys(APPLICATION_TEXT, ""),
        extra_answers={},
        draft={},
        preferred_partner_emails=[],
        avoid_emails=[],
        preferred_partner_ids=[],
        avoid_partner_ids=[],
    )
    VettingNote.objects.filter(application=application).exclude(text__isnull=True).update(text=None)
    keys = Q(key__startswith=f"application-received:{application.pk}:")
    for note in VettingNote.objects.filter(application=application).values_list("pk", flat=True):
        keys |= Q(key=f"vetting-decision:{note}")
    expire_emails(keys)
