"""Links that act for one member without a sign-in (unsubscribe, keep my history): the member's
id and what the link does, signed with a salt of the link's own. They can't be altered to reach
another member or do something else; they do not expire, and what they do is idempotent."""

from django.core import signing

MAX_TOKEN = 300


def member_token(user, code: str, *, salt: str) -> str:
    return signing.dumps([user.pk, code], salt=salt, compress=True)


def read_member_token(token: str, *, salt: str, codes) -> tuple[int, str] | None:
    """(user id, code) for a valid link whose code is one of `codes`, or None (altered, cut
    short, another link's salt)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    try:
        data = signing.loads(token, salt=salt)
    except signing.BadSignature:
        return None
    if not (isinstance(data, list) and len(data) == 2 and type(data[0]) is int and data[1] in codes):
        return None
    return data[0], data[1]
