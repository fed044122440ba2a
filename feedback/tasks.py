from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import closing, services


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),  # the database restarted: try again shortly
    retry_backoff=5,
    max_retries=5,
)
def run_feedback_job():
    """Ask, remind and nudge whoever is due. Beat runs it every hour; what is due is state in the
    database, so a second run (or a retry, or two beats) sends nothing twice."""
    return services.run_feedback_job()


@shared_task(acks_late=True)
def send_feedback_asks():
    """Send the feedback emails waiting in the queue (an ask sent again, the final round of a
    partnership just completed) without waiting for the hourly job. Each goes once, however often
    this runs."""
    # A completed partnership's final round is asked here too, so that it goes within the minute
    # (as when completing made it); the hourly job asks it as well (create_due_solicitations).
    services.create_final_rounds()
    return services.send_solicitations()


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), retry_backoff=5, max_retries=5)
def complete_overdue_partnerships():
    """Complete the partnerships past their planned end and the program's grace period. Beat runs
    it every hour; a second run (or a retry) completes nothing twice, a late one catches up."""
    return closing.complete_overdue_partnerships()
