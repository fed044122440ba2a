"""Email through the outbox: queued in the caller's transaction, sent once by the mailer job.

A web request never talks to the mail server or the broker: `queue_email` writes a row, and
what a rolled-back transaction queued is gone with it. The `send_pending_emails` job (every
30 seconds from beat) claims each row with a conditional update, sends it and marks it sent,
so a broker that is down delays mail but loses none.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone

from .models import OutgoingEmail

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
STUCK_AFTER = timedelta(minutes=15)


def queue_email(*, key, to, template, context) -> OutgoingEmail:
    """Queue `templates/emails/<template>-subject.txt` and `-body.txt` once per key."""
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"emails/{template}-subject.txt", context).split())
    body = render_to_string(f"emails/{template}-body.txt", context)
    email, _ = OutgoingEmail.objects.get_or_create(key=key[:200], defaults={"to": to, "subject": subject, "body": body})
    return email


def send_pending_emails(*, limit=500) -> int:
    """Send what is waiting. Safe to run in parallel and again: each row is claimed once."""
    sent = 0
    ids = list(
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at")
        .values_list("id", flat=True)[:limit]
    )
    for email_id in ids:
        now = timezone.now()
        claimed = OutgoingEmail.objects.filter(id=email_id, status=OutgoingEmail.Status.PENDING).update(
            status=OutgoingEmail.Status.SENDING, claimed_at=now
        )
        if claimed != 1:
            continue  # another worker has it
        email = OutgoingEmail.objects.get(id=email_id)
        try:
            EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
        except Exception as exc:  # the mail server said no: try again on the next run, a few times
            log.warning("Sending email %s failed: %s", email_id, exc)
            attempts = email.attempts + 1
            OutgoingEmail.objects.filter(id=email_id).update(
                status=OutgoingEmail.Status.PENDING if attempts < MAX_ATTEMPTS else OutgoingEmail.Status.FAILED,
                attempts=attempts,
                last_error=str(exc)[:500],
            )
            continue
        OutgoingEmail.objects.filter(id=email_id).update(
            status=OutgoingEmail.Status.SENT, sent_at=timezone.now(), attempts=email.attempts + 1
        )
        sent += 1
    return sent


def stuck_emails():
    """Rows claimed but never marked sent (a worker died mid-send): shown to people, not resent."""
    return OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.SENDING, claimed_at__lt=timezone.now() - STUCK_AFTER
    )
