from celery import shared_task

from . import meetings


@shared_task(acks_late=True)
def send_meeting_reminders():
    """Remind partners of the meetings they agreed, a day ahead. Beat runs it every 15 minutes;
    safe to run twice and to run late (see meetings.send_meeting_reminders)."""
    return meetings.send_meeting_reminders()
