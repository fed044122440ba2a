from celery import shared_task

from . import emails, reports


@shared_task(acks_late=True)
def send_emails():
    """Send queued emails. Beat runs it every minute; safe to run twice at once."""
    return emails.send_pending_emails()


@shared_task(acks_late=True)
def take_report_snapshot():
    """Count the figures the reports show. Beat runs it every ten minutes; safe to run twice at once."""
    snapshot = reports.take_snapshot()
    return {"snapshot": snapshot.pk, "seconds": snapshot.seconds}
