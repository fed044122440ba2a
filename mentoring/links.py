"""Links that carry their own credential (a feedback form, a mentor's answer to a proposed pair).

A link is encrypted, not only signed, so that it shows nothing of what it opens (no ids). Its
keys come from SECRET_KEY and its fallbacks (a key rotation does not break links in inboxes),
one key per purpose, so a link for one thing never opens another. Whether a link is used or
expired is state in the database, checked by the caller."""

import base64
import json

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.crypto import salted_hmac


def _cipher(purpose):
    keys = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
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
    if not token or len(token) > 300:
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
