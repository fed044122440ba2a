"""One-click unsubscribe (RFC 8058) from announcements or invitations, without signing in.

The link carries the member and the one preference it turns off, signed with a key of its own
(salt), so it can't be altered to reach another member or another preference. It does not
expire: a link in an old email still works, and using it again changes nothing more. Emails a
partnership needs are not affected (they have no such link)."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy

from .links import member_token, read_member_token
from .models import Profile, User

SALT = "accounts.unsubscribe"

# Which preference a link turns off: the token's code -> (profile field, in words).
PREFERENCES = {
    "a": ("email_announcements", gettext_lazy("emails announcing that a program is open for applications")),
    "i": ("email_invitations", gettext_lazy("personal invitations to take part in a program")),
}
CODES = {field: code for code, (field, _words) in PREFERENCES.items()}


def make_token(user, preference: str) -> str:
    """`preference`: "email_announcements" or "email_invitations"."""
    return member_token(user, CODES[preference], salt=SALT)


def unsubscribe_url(user, preference: str) -> str:
    return settings.SITE_URL + reverse("unsubscribe", args=[make_token(user, preference)])


def list_unsubscribe_headers(user, preference: str) -> dict:
    """The headers a mail client shows as "Unsubscribe" and posts to in one click (RFC 8058)."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(user, preference)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def read_token(token: str):
    """(profile, field, words) for a valid link, or None (altered, cut short, or the account is gone)."""
    found = read_member_token(token, salt=SALT, codes=PREFERENCES)
    if found is None:
        return None
    user_id, code = found
    profile = Profile.objects.select_related("user").filter(user_id=user_id, user__is_active=True).first()
    if profile is None:
        return None
    field, words = PREFERENCES[code]
    return profile, field, words


@transaction.atomic
def unsubscribe(*, user: User, preference: str) -> bool:
    """Turn off this one preference. Idempotent: True when it was on, False when already off."""
    if preference not in CODES:
        raise ValueError(preference)
    return Profile.objects.filter(user=user, **{preference: True}).update(**{preference: False}) == 1
