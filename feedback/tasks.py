from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


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
