from celery import shared_task

from . import services


@shared_task(acks_late=True)
def forget_waiting_members():
    """Delete the members pushed without an account here whom no push has named for
    SYNC_WAITING_DAYS. Beat runs it daily; a second or late run deletes nothing twice."""
    return services.forget_waiting_members()
