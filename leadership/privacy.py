"""The personal data leadership keeps: recommendations for leadership, of the member or by them.
Called by accounts.privacy (see there for the hooks)."""

from django.db.models import Q

from accounts.privacy import day, redact

from .models import LeadershipRecommendation


def export(user) -> dict:
    return {
        "leadership_recommendations": [
            {
                "you_are_the": "mentee" if r.mentee_id == user.pk else "mentor",
                "mentee": r.mentee.get_full_name(),
                "mentor": r.mentor.get_full_name(),
                "region": r.region.name,
                "note": r.note,
                "status": r.get_status_display(),
                "asked_at": day(r.asked_at),
                "answered_at": day(r.answered_at),
                "invited_at": day(r.invited_at),
            }
            for r in LeadershipRecommendation.objects.filter(Q(mentee=user) | Q(mentor=user))
            .select_related("mentee", "mentor", "region")
            .order_by("pk")
        ],
    }


def erase(user, *, secrets, addresses, nearby):
    # Recommendations of them, or by them: the note goes, and one about them no longer stands
    # (the region's VP no longer sees them).
    LeadershipRecommendation.objects.filter(Q(mentee=user) | Q(mentor=user)).update(note="")
    LeadershipRecommendation.objects.filter(mentee=user, status__in=["asked", "consented"]).update(status="withdrawn")


def expire_partnership(partnership, *, user, names):
    """The member's part of a finished partnership (record expiry, see retention)."""
    role = partnership.role_of(user)
    # A recommendation for leadership: the mentor's words (about the mentee) go with the mentor's
    # part; the status stays for the pipeline's counts.
    if role == "mentor":
        LeadershipRecommendation.objects.filter(partnership=partnership).exclude(note="").update(note="")
    redact(LeadershipRecommendation.objects.filter(partnership=partnership), ("note",), names)
