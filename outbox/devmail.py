"""Emails in development: kept as files under var/mail/ and read on a page of their own
(/dev/emails/, newest first, decoded, links clickable), instead of being printed
quoted-printable into the console where nobody finds them. Used only when DEBUG is on and no
EMAIL_URL is set (config/settings.py); the page answers only requests from this machine."""

import email
import itertools
import uuid
from email import policy
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

BACKEND = "outbox.devmail.EmailBackend"
KEEP = 200  # the page shows, and the folder keeps, this many of the newest


def enabled() -> bool:
    return settings.DEBUG and settings.MAILERS["default"]["BACKEND"] == BACKEND


def folder() -> Path:
    return Path(settings.DEV_MAIL_DIR)


class EmailBackend(BaseEmailBackend):
    """Writes each message to var/mail/ and says so in one line on the console."""

    def send_messages(self, email_messages):
        target = folder()
        target.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            name = f"{timezone.now():%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.eml"
            (target / name).write_bytes(message.message().as_bytes())
            print(f"Email to {', '.join(message.to)}: {message.subject} (read it at {settings.SITE_URL}/dev/emails/)")
        for old in sorted(target.glob("*.eml"), reverse=True)[KEEP:]:
            old.unlink(missing_ok=True)
        return len(email_messages)


def recent() -> list[dict]:
    """The newest emails first: to, subject, when, the plain-text body, whether it has HTML."""
    files = sorted(folder().glob("*.eml"), reverse=True) if folder().is_dir() else []
    out = []
    for path in itertools.islice(files, KEEP):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        out.append(
            {
                "has_html": message.get_body(preferencelist=("html",)) is not None,
                "id": path.stem,
                "to": message.get("To", ""),
                "subject": message.get("Subject", ""),
                "date": message.get("Date", ""),
                "body": body.get_content() if body is not None else "",
            }
        )
    return out
