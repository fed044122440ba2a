from celery import shared_task


@shared_task(acks_late=True)
def run_retention_job():
    """Warn members of records due a month ahead, then remove what is due and not kept. Beat runs
    it monthly; what is due is state in the database, so a second or late run does nothing twice."""
    from . import retention

    return retention.run_retention_job()
