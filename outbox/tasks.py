from celery import shared_task

from . import emails


@shared_task(acks_late=True)
def send_emails():
    """Send queued emails. Beat runs it every 30 seconds; safe to run twice at once."""
    return emails.send_pending_emails()
