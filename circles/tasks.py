from celery import shared_task

from . import services


@shared_task(acks_late=True)
def ask_for_feedback():
    """Ask each member of the circle meetings that have ended for one short feedback. Beat runs
    it every hour; safe to run twice and to run late (see services.ask_for_feedback): it only
    writes rows and outbox emails, which the outbox job sends."""
    return services.ask_for_feedback()
