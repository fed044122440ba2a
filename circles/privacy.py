"""A member's circles in "Download my data" and "Erase my account" (accounts.privacy).

The download holds the circles they are or were in, the meetings of those circles, and their own
feedback; never another member's feedback. Erasure takes them out of the circles still going on
(no more invitations to an erased address), removes their own notes, and takes their names, the
first name alone too, out of what others wrote about their circles (notes, agendas, the circle's
name and topic) and out of the circles' meeting emails and calendar files; the counts stay for the
reports."""

from django.db.models import Q

from accounts.privacy import redact, redact_emails, redact_encrypted
from outbox.models import OutgoingEmail

from .models import Circle, CircleFeedback, CircleMeeting, CircleMember


def export(user) -> dict:
    memberships = CircleMember.objects.filter(user=user).select_related("circle__program").order_by("joined_at")
    circle_ids = [m.circle_id for m in memberships]
    meetings = CircleMeeting.objects.filter(circle_id__in=circle_ids).select_related("circle").order_by("starts_at")
    return {
        "circles": [
            {
                "program": m.circle.program.name,
                "circle": m.circle.name,
                "topic": m.circle.topic,
                "as": m.role,
                "joined_at": m.joined_at.isoformat(),
                "status": m.circle.status,
            }
            for m in memberships
        ],
        "circle_meetings": [
            {
                "circle": meeting.circle.name,
                "starts_at": meeting.starts_at.isoformat(),
                "minutes": meeting.minutes,
                "way_to_meet": meeting.mode,
                "place": meeting.place,
                "agenda": meeting.agenda,
                "status": meeting.status,
            }
            for meeting in meetings
        ],
        "circle_feedback_you_gave": [
            {
                "meeting": f.meeting.starts_at.isoformat(),
                "useful": f.useful,
                "note": f.note,
                "answered_at": f.answered_at and f.answered_at.isoformat(),
            }
            for f in CircleFeedback.objects.filter(respondent=user).select_related("meeting").order_by("pk")
        ],
    }


def erase(user, *, secrets, addresses, nearby):
    theirs = Circle.objects.filter(members__user=user)
    meetings = CircleMeeting.objects.filter(circle__in=theirs)
    # Encrypted notes are written one by one (a bulk update would not encrypt): theirs go, and
    # the others' notes about meetings with them lose their names.
    for feedback in CircleFeedback.objects.filter(respondent=user).exclude(note__isnull=True):
        feedback.note = None
        feedback.save(update_fields=["note"])
    redact_encrypted(CircleFeedback.objects.filter(meeting__in=meetings).exclude(note__isnull=True), "note", nearby)
    redact(meetings, ("agenda", "place"), nearby)
    redact(theirs, ("name", "topic"), nearby)
    # The circles' emails to the others (their welcome, the meetings' invitations and calendar
    # files, the feedback asks) name the circle and the meeting, which may name them.
    keys = Q()
    for member_id in CircleMember.objects.filter(circle__in=theirs).values_list("pk", flat=True):
        keys |= Q(key=f"circle-added:{member_id}")
    for meeting_id in meetings.values_list("pk", flat=True):
        keys |= Q(key__startswith=f"circle-meeting:{meeting_id}:")
    for feedback_id in CircleFeedback.objects.filter(meeting__in=meetings).values_list("pk", flat=True):
        keys |= Q(key=f"circle-feedback:{feedback_id}")
    if keys:
        redact_emails(OutgoingEmail.objects.filter(keys), nearby)
    # Out of the circles still going on: nobody invites an erased address. Those of ended circles
    # stay, as counts.
    CircleMember.objects.filter(user=user).exclude(circle__status=Circle.Status.ENDED).delete()
