"""The personal data of a partnership's life: the member's partnerships as they lived them (the
goals, the meeting log, the meetings they arranged, the agreement's terms, the milestones), the
partnership's emails, and the committee's follow-up notes (confidential: never in the download,
redacted on erasure, removed on expiry). Called by accounts.privacy (see there for the hooks)."""

from django.db.models import Q
from django.utils import timezone

from accounts.privacy import EXPIRED, REMOVED, day, expire_emails, redact, redact_emails, redact_encrypted, replace
from mentoring.models import Partnership
from outbox.models import OutgoingEmail

from .models import Agreement, FollowUp, Goal, Meeting, MilestoneProgress, ScheduledMeeting


def export(user) -> dict:
    partnerships = list(
        Partnership.objects.filter(mentee=user).select_related("program", "mentor")
        | Partnership.objects.filter(mentor=user).select_related("program", "mentee")
    )
    goals, meetings, scheduled = {}, {}, {}
    for goal in Goal.objects.filter(partnership__in=partnerships).order_by("pk"):
        goals.setdefault(goal.partnership_id, []).append(
            {"title": goal.title, "progress": goal.get_progress_display(), "target_date": day(goal.target_date)}
        )
    for meeting in Meeting.objects.filter(partnership__in=partnerships).order_by("met_on", "pk"):
        meetings.setdefault(meeting.partnership_id, []).append(
            {"date": day(meeting.met_on), "how": meeting.mode, "minutes": meeting.minutes, "notes": meeting.notes}
        )
    for meeting in ScheduledMeeting.objects.filter(partnership__in=partnerships).order_by("starts_at", "pk"):
        scheduled.setdefault(meeting.partnership_id, []).append(
            {
                "starts_at": meeting.starts_at.isoformat(),
                "minutes": meeting.minutes,
                "how": meeting.mode,
                "place": meeting.place,
                "video_link": meeting.video_url,
                "agenda": meeting.agenda,
                "status": meeting.get_status_display(),
                "proposed_by_you": meeting.proposed_by_id == user.pk,
            }
        )
    agreed = {a.partnership_id: a for a in Agreement.objects.filter(partnership__in=partnerships)}
    milestones = {}
    for done in MilestoneProgress.objects.filter(partnership__in=partnerships).select_related("milestone"):
        milestones.setdefault(done.partnership_id, []).append(
            {"milestone": done.milestone.title, "done_on": day(done.done_on)}
        )
    return {
        "partnerships": [
            {
                "program": p.program.name,
                "you_are_the": "mentee" if p.mentee_id == user.pk else "mentor",
                "partner": (p.mentor if p.mentee_id == user.pk else p.mentee).get_full_name(),
                "status": p.get_status_display(),
                "started_on": day(p.started_on),
                "planned_end_on": day(p.planned_end_on),
                "ended_on": day(p.ended_on),
                "goals": goals.get(p.pk, []),
                "meetings": meetings.get(p.pk, []),
                "scheduled_meetings": scheduled.get(p.pk, []),
                "agreement": _agreement(agreed.get(p.pk), "mentee" if p.mentee_id == user.pk else "mentor"),
                "milestones_done": milestones.get(p.pk, []),
            }
            for p in sorted(partnerships, key=lambda p: p.pk)
        ],
    }


def _agreement(agreement, role):
    if agreement is None:
        return None
    confirmed = agreement.confirmed_at(role)
    return {
        "your_terms": agreement.terms_of(role),
        "you_confirmed_on": day(timezone.localdate(confirmed) if confirmed else None),
    }


def erase(user, *, secrets, addresses, nearby):
    Meeting.objects.filter(logged_by=user).exclude(notes="").update(notes="")
    Agreement.objects.filter(partnership__mentee=user).update(mentee_terms="")
    Agreement.objects.filter(partnership__mentor=user).update(mentor_terms="")
    # Their own goals are their words; the partner's notes and goals may name them ("Met Laura").
    theirs = Partnership.objects.filter(Q(mentee=user) | Q(mentor=user))
    Goal.objects.filter(partnership__mentee=user).update(title=REMOVED)
    redact(Goal.objects.filter(partnership__in=theirs), ("title",), nearby)
    redact(Meeting.objects.filter(partnership__in=theirs), ("notes",), nearby)
    # Their own words on the meetings they proposed go, from the emails about them too (calendar files included).
    proposed = ScheduledMeeting.objects.filter(proposed_by=user)
    for meeting in proposed.exclude(agenda="", place="", video_url=""):
        words = {meeting.agenda, meeting.place, meeting.video_url} - {""}
        words |= {replace(word, nearby) for word in words}  # as the emails read once the names went
        redact_emails(OutgoingEmail.objects.filter(key__startswith=f"meeting:{meeting.pk}:"), words)
    proposed.update(agenda="", place="", video_url="")
    redact(ScheduledMeeting.objects.filter(partnership__in=theirs), ("agenda", "place"), nearby)
    redact(Agreement.objects.filter(partnership__in=theirs), ("mentee_terms", "mentor_terms"), nearby)
    # The committee's notes about their partnerships may name them by first name (encrypted: row by row).
    redact_encrypted(FollowUp.objects.filter(partnership__in=theirs).exclude(note__isnull=True), "note", nearby)


def expire_partnership(partnership, *, user, names):
    """The member's part of a finished partnership (see retention.services): what they wrote on
    it, their names in what their partner keeps, the committee's follow-up notes on it, and the
    words of the partnership's emails to them. Dates, statuses and counts stay."""
    role = partnership.role_of(user)
    Meeting.objects.filter(partnership=partnership, logged_by=user).exclude(notes="").update(notes="")
    Agreement.objects.filter(partnership=partnership).update(**{f"{role}_terms": ""})
    if role == "mentee":  # the goals are the mentee's words (as for erasure)
        Goal.objects.filter(partnership=partnership).update(title=EXPIRED)
    ScheduledMeeting.objects.filter(partnership=partnership, proposed_by=user).update(agenda="", place="", video_url="")
    redact(Goal.objects.filter(partnership=partnership), ("title",), names)
    redact(Meeting.objects.filter(partnership=partnership), ("notes",), names)
    redact(ScheduledMeeting.objects.filter(partnership=partnership), ("agenda", "place"), names)
    redact(Agreement.objects.filter(partnership=partnership), ("mentee_terms", "mentor_terms"), names)
    # Encrypted fields are written one by one (a bulk update would not encrypt).
    for follow_up in FollowUp.objects.filter(partnership=partnership).exclude(note__isnull=True):
        follow_up.note = None
        follow_up.save(update_fields=["note"])
    # The emails about it, kept in the outbox once sent (the row stays: its key keeps it sent once).
    agreement = Agreement.objects.filter(partnership=partnership).values_list("pk", flat=True).first()
    # Their own emails only, by the keys (they name the recipient), whatever address they went to.
    keys = Q(key=f"introduction:{partnership.pk}:{role}") | Q(key__startswith=f"agreement-changed:{agreement}:{role}:")
    for prefix in ("completed", "dissolved"):
        keys |= Q(key=f"{prefix}:{partnership.pk}:{user.pk}")
    for meeting in ScheduledMeeting.objects.filter(partnership=partnership).values_list("pk", flat=True):
        keys |= Q(key__startswith=f"meeting:{meeting}:", key__endswith=f":{user.pk}")
    expire_emails(keys)
