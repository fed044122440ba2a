"""The member sync's part of "Download my data" and "Erase my account" (accounts.privacy): the
changes pushed to the member's membership data, and as of when it is known.

A member pushed before they had an account here (WaitingMember) has no account to download
from: their record is applied and deleted when their account exists with that address confirmed,
deleted with an account erased under that address, and deleted after SYNC_WAITING_DAYS without a
push (sync.tasks). It is not in a download: until the address is confirmed, it is not known to
be the account holder's."""

from .models import MemberChange, MemberSyncState, WaitingMember


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
    their problems, which may quote an address, are redacted by accounts.privacy everywhere).
    A waiting record under any of the account's addresses goes too."""
    MemberChange.objects.filter(profile__user=user).delete()
    MemberSyncState.objects.filter(profile__user=user).delete()
    WaitingMember.objects.filter(email__in=[a.lower() for a in addresses if a]).delete()
