"""The personal data recruitment keeps: the announcements and invitations a member received.
Called by accounts.privacy (see there for the hooks)."""

from accounts.privacy import day

from .models import Invitation


def export(user) -> dict:
    return {
        "invitations": [
            {
                "program": i.program.name,
                "kind": i.get_kind_display(),
                "role": i.role,
                "invited_by": i.invited_by.get_full_name() if i.invited_by else "",
                "sent_at": day(i.created_at),
                "opened_at": day(i.opened_at),
            }
            for i in Invitation.objects.filter(user=user).select_related("program", "invited_by").order_by("pk")
        ],
    }
