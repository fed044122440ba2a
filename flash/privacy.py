"""A member's flash conversations in "Download my data" and "Erase my account" (accounts.privacy).

The download holds the slots they offered and booked, with their own question and their own
feedback; never the other side's feedback. Erasure removes the free text they wrote (questions,
notes) and redacts their names in the other side's; the counts stay for the reports."""

from django.db.models import Q

from accounts.privacy import REMOVED

from .models import FlashFeedback, Slot


def export(user) -> dict:
    slots = Slot.objects.filter(Q(mentor=user) | Q(member=user)).select_related("program").order_by("starts_at")
    return {
        "flash_conversations": [
            {
                "program": slot.program.name,
                "starts_at": slot.starts_at.isoformat(),
                "as": "mentor" if slot.mentor_id == user.pk else "member",
                "status": slot.status,
                "way_to_meet": slot.mode,
                "note": slot.note,
                "question": slot.question if slot.member_id == user.pk else None,
            }
            for slot in slots
        ],
        "flash_feedback_you_gave": [
            {
                "held": f.held,
                "useful": f.useful,
                "note": f.note,
                "answered_at": f.answered_at and f.answered_at.isoformat(),
            }
            for f in FlashFeedback.objects.filter(respondent=user).order_by("pk")
        ],
    }


def erase(user, *, secrets, addresses, nearby):
    Slot.objects.filter(mentor=user).exclude(note="").update(note=REMOVED)
    Slot.objects.filter(member=user).exclude(question="").update(question=REMOVED)
    Slot.objects.filter(mentor=user, status=Slot.Status.OPEN).update(status=Slot.Status.WITHDRAWN)
    # Encrypted notes are written one by one (a bulk update would not encrypt). Theirs go, and the
    # other side's notes about a conversation with them (they may name them).
    theirs = FlashFeedback.objects.filter(Q(respondent=user) | Q(slot__mentor=user) | Q(slot__member=user)).exclude(
        note__isnull=True
    )
    for feedback in theirs:
        feedback.note = None
        feedback.save(update_fields=["note"])
