from celery import shared_task

from . import meetings


@shared_task(acks_late=True)
def send_meeting_reminders():
    """Remind partners of the meetings they agreed, a day ahead. Beat runs it every 15 minutes;
    safe to run twice and to run late (see meetings.send_meeting_reminders)."""
    return meetings.send_meeting_reminders()


@shared_task(acks_late=True)
def run_retention_job():
    """Warn members of records due a month ahead, then remove what is due and not kept. Beat runs
    it monthly; what is due is state in the database, so a second or late run does nothing twice."""
    from . import retention

    return retention.run_retention_job()
