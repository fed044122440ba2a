"""Links that carry a token, two kinds.

Links that open one thing (a feedback form, a mentor's answer to a proposed pair, an invitation):
make_token/read_token. Such a link is encrypted, not only signed, so that it shows nothing of what
it opens (no ids). Its keys come from SECRET_KEY and its fallbacks (a key rotation does not break
links in inboxes), one key per purpose, so a link for one thing never opens another. Whether a
link is used or expired is state in the database, checked by the caller.

Links that act for one member without a sign-in (unsubscribe, keep my history):
member_token/read_member_token. The member's id and what the link does, signed with a salt of
the link's own. They can't be altered to reach another member or do something else; they do not
expire, and what they do is idempotent."""

import base64
import functools
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core import signing
from django.utils.crypto import salted_hmac

MAX_TOKEN = 300

# --- Links that open one thing (encrypted) -----------------------------------------------------


def _cipher(purpose):
    return _cipher_for(purpose, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)


@functools.lru_cache(maxsize=64)
def _cipher_for(purpose, *keys):
    """Derived once per purpose and keys, not once per link (a feedback run makes 100,000)."""
    return MultiFernet(
        [
            Fernet(base64.urlsafe_b64encode(salted_hmac(purpose, "links", secret=k, algorithm="sha256").digest()))
            for k in keys
        ]
    )


def make_token(purpose: str, *ids: int) -> str:
    return _cipher(purpose).encrypt(json.dumps(list(ids)).encode()).decode().rstrip("=")


def read_token(purpose: str, token: str, count: int) -> list | None:
    """The `count` ids a link carries, or None. Only the canonical spelling of a token opens
    anything (base64 has a few spellings of the same bytes)."""
    if not token or len(token) > MAX_TOKEN:
        return None
    padded = token + "=" * (-len(token) % 4)
    try:
        if base64.urlsafe_b64encode(base64.urlsafe_b64decode(padded)).decode() != padded:
            return None
        ids = json.loads(_cipher(purpose).decrypt(padded.encode()))
    except (ValueError, InvalidToken):
        return None
    if not isinstance(ids, list) or len(ids) != count or not all(type(n) is int for n in ids):
        return None
    return ids


# --- Links that act for one member (signed) ----------------------------------------------------


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
