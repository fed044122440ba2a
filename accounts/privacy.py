"""A member's own data: "Download my data" and "Erase my account".

The download holds what the member gave or was given to read: their account, profile,
questionnaires, partnerships with their goals and meetings, their own feedback answers and the
concerns they raised. Never their partner's answers, the committee's vetting notes, follow-up
notes or the reasons a partnership ended: those are the committee's alone.

Erasing anonymises instead of deleting rows: the name, email addresses, free text and sign-in
methods go; the counts (applications, partnerships, satisfaction scores) stay, so that the
program reports' totals do not change."""

from auditlog.models import LogEntry as AuditEntry
from django.contrib.admin.models import LogEntry as AdminEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from feedback.models import Concern, Response, Solicitation
from matching.models import ProposalEvent
from mentoring.models import Application, CommitteeMembership, Goal, Meeting, OutgoingEmail, Partnership, Region

from .models import Profile, User

REMOVED = "(removed at the member's request)"
PROFILE_TEXT = ("employer", "job_title", "phone", "leadership_roles", "bio")
APPLICATION_TEXT = ("goals", "partner_preferences", "introduction", "message_to_member")


def _day(value):
    return value.isoformat() if value else None


def export_member_data(user) -> dict:
    """Everything of the member's own, as plain data (dates as ISO strings)."""
    profile = Profile.objects.filter(user=user).select_related("association").first()
    partnerships = list(
        Partnership.objects.filter(mentee=user).select_related("program", "mentor")
        | Partnership.objects.filter(mentor=user).select_related("program", "mentee")
    )
    goals, meetings = {}, {}
    for goal in Goal.objects.filter(partnership__in=partnerships).order_by("pk"):
        goals.setdefault(goal.partnership_id, []).append(
            {"title": goal.title, "progress": goal.get_progress_display(), "target_date": _day(goal.target_date)}
        )
    for meeting in Meeting.objects.filter(partnership__in=partnerships).order_by("met_on", "pk"):
        meetings.setdefault(meeting.partnership_id, []).append(
            {"date": _day(meeting.met_on), "how": meeting.mode, "minutes": meeting.minutes, "notes": meeting.notes}
        )
    return {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "joined": user.date_joined.isoformat(),
            "email_addresses": list(user.emailaddress_set.values_list("email", flat=True)),
        },
        "profile": None
        if profile is None
        else {
            "local_association": profile.association.name if profile.association else None,
            **{name: getattr(profile, name) for name in PROFILE_TEXT},
            "years_in_profession": profile.years_in_profession,
            "member_since": _day(profile.member_since),
            "membership_status": profile.get_membership_status_display(),
            "renewal_date": _day(profile.renewal_date),
        },
        "applications": [
            {
                "program": a.program.name,
                "role": a.role,
                "status": a.get_status_display(),
                "submitted_at": _day(a.submitted_at),
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
        "partnerships": [
            {
                "program": p.program.name,
                "you_are_the": "mentee" if p.mentee_id == user.pk else "mentor",
                "partner": (p.mentor if p.mentee_id == user.pk else p.mentee).get_full_name(),
                "status": p.get_status_display(),
                "started_on": _day(p.started_on),
                "planned_end_on": _day(p.planned_end_on),
                "ended_on": _day(p.ended_on),
                "goals": goals.get(p.pk, []),
                "meetings": meetings.get(p.pk, []),
            }
            for p in sorted(partnerships, key=lambda p: p.pk)
        ],
        "your_feedback_answers": [
            {
                "program": r.partnership.program.name,
                "round": r.round,
                "submitted_at": r.submitted_at.isoformat(),
                "satisfaction": r.satisfaction,
                "met": r.get_met_display(),
                "progress": r.get_progress_display(),
                "working": r.get_working_display(),
                "wants_new_partner": r.wants_new_partner,
                "recommends_your_mentee_for_leadership": r.recommends_for_leadership,
                "anything_else": r.concerns,
            }
            for r in Response.objects.filter(respondent=user).select_related("partnership__program").order_by("pk")
        ],
        "concerns_you_raised": [
            {"raised_at": c.created_at.isoformat(), "text": c.text, "dealt_with": c.resolved_at is not None}
            for c in Concern.objects.filter(raised_by=user).order_by("pk")
        ],
    }


def erasure_blockers(user) -> list:
    """What must happen before the account can be erased, in words; empty when nothing."""
    blockers = []
    if Partnership.objects.filter(status=Partnership.Status.ACTIVE).filter(mentee=user).exists() or (
        Partnership.objects.filter(status=Partnership.Status.ACTIVE, mentor=user).exists()
    ):
        blockers.append(
            "You are in a partnership that is still going on. Ask your program's chair to close it first, "
            "so that your partner hears it from them."
        )
    if CommitteeMembership.objects.filter(user=user).exists():
        blockers.append("You have a seat on a program committee. Ask the chair (or your regional VP) to remove it.")
    if Region.objects.filter(vice_president=user).exists():
        blockers.append("You are a regional vice president. Ask the association's staff to appoint someone else.")
    if user.is_staff:
        blockers.append("Staff accounts are closed by another member of staff, in the administration.")
    return blockers


@transaction.atomic
def erase_member(user) -> User:
    """Anonymise the member: name, addresses, free text and sign-in methods removed; counts kept."""
    user = User.objects.select_for_update().get(pk=user.pk)
    # Their applications too, before looking: a match approved meanwhile waits for this, or wins.
    list(Application.objects.select_for_update().filter(user=user).values_list("pk", flat=True))
    blockers = erasure_blockers(user)
    if blockers:
        raise ValidationError(blockers)
    old_email, old_names = user.email, {user.get_full_name(), str(user)} - {""}
    addresses = list(user.emailaddress_set.values_list("email", flat=True))
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name, user.last_name = "Former", "member"
    user.is_active = False
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.save()
    user.emailaddress_set.all().delete()
    user.authenticator_set.all().delete()
    Profile.objects.filter(user=user).update(
        **dict.fromkeys(PROFILE_TEXT, ""), years_in_profession=None, member_since=None, updated_at=timezone.now()
    )
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
    # Encrypted fields are written one by one (a bulk update would not encrypt).
    for response in Response.objects.filter(respondent=user).exclude(concerns__isnull=True):
        response.concerns = None
        response.save(update_fields=["concerns"])
    for concern in Concern.objects.filter(raised_by=user):
        concern.text = REMOVED
        concern.save(update_fields=["text"])
    Meeting.objects.filter(logged_by=user).exclude(notes="").update(notes="")
    # Recognition needs both partners' consent: theirs is withdrawn, and the story (which names them) goes.
    Partnership.objects.filter(mentee=user).update(mentee_consents_to_recognition=False, success_story="")
    Partnership.objects.filter(mentor=user).update(mentor_consents_to_recognition=False, success_story="")
    # Feedback not yet answered (a final round, say) is not sent, and its link no longer opens.
    Solicitation.objects.filter(respondent=user, status=Solicitation.Status.PENDING).update(
        status=Solicitation.Status.FAILED, last_error="The member erased their account."
    )
    everything = {old_email, *addresses} | old_names
    _forget_in_others_applications(user, {old_email, *addresses})
    # Emails to them go; emails to others that name them keep their purpose, without the name.
    OutgoingEmail.objects.filter(to__in={old_email, *addresses}).delete()
    _redact(OutgoingEmail.objects.all(), ("subject", "body"), everything)
    _scrub_audit_log(user, everything)
    return user


def _redact(queryset, fields, secrets):
    """Replace the secrets (names, addresses) in these text fields, in the rows that hold one."""
    secrets = sorted((x for x in secrets if x), key=len, reverse=True)
    if not secrets:
        return
    holding = Q()
    as_text = {f"redact_{field}": Cast(field, TextField()) for field in fields}  # JSON too, on every database
    for name in as_text:
        for secret in secrets:
            holding |= Q(**{f"{name}__contains": secret})
    for row in queryset.annotate(**as_text).filter(holding):
        changed = {}
        for field in fields:
            value = _replace(getattr(row, field), secrets)
            if value != getattr(row, field):
                changed[field] = value
        if changed:
            type(row).objects.filter(pk=row.pk).update(**changed)


def _replace(value, secrets):
    """The value with every secret replaced, walking into JSON (lists and dicts)."""
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, "Former member")
        return value
    if isinstance(value, list):
        return [_replace(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, secrets) for k, v in value.items()}
    return value


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
    for application in rows.filter(holding):
        application.preferred_partner_emails = [
            e for e in application.preferred_partner_emails if str(e).lower() not in lowered
        ]
        application.avoid_emails = [e for e in application.avoid_emails if str(e).lower() not in lowered]
        application.draft = _replace(application.draft, sorted(addresses, key=len, reverse=True))
        application.save(update_fields=["preferred_partner_emails", "avoid_emails", "draft"])


def _scrub_audit_log(user, secrets):
    """The records keep what happened, not who they were: their name and addresses wherever they
    were written into the audit log, the admin's log and the matching queue's history, and their
    IP address in the entries of their own actions."""
    AuditEntry.objects.filter(actor=user).update(remote_addr=None, remote_port=None, actor_email="")
    _redact(AuditEntry.objects.all(), ("object_repr", "changes_text", "changes", "serialized_data"), secrets)
    _redact(AdminEntry.objects.all(), ("object_repr", "change_message"), secrets)
    _redact(ProposalEvent.objects.all(), ("text",), secrets)
