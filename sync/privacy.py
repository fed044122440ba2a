"""The member sync's part of "Download my data" and "Erase my account" (accounts.privacy): the
changes pushed to the member's membership data, and as of when it is known."""

from .models import MemberChange, MemberSyncState


def export(user):
    changes = MemberChange.objects.filter(profile__user=user).order_by("at", "pk")
    state = MemberSyncState.objects.filter(profile__user=user).first()
    return {
        "membership_updates": {
            "known_as_of": state.as_of.isoformat() if state else None,
            "changes": [{"when": c.at.isoformat(), "what": c.field, "before": c.old, "after": c.new} for c in changes],
        }
    }


def erase(user, *, secrets, addresses, nearby):
    """The changes name the member's number and dates: they go. The push runs stay (counts only;
    their problems, which may quote an address, are redacted by accounts.privacy everywhere)."""
    MemberChange.objects.filter(profile__user=user).delete()
    MemberSyncState.objects.filter(profile__user=user).delete()
