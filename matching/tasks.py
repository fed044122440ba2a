from celery import shared_task

from . import choosing, services, waiting


@shared_task(acks_late=True)
def run_matching(run_id):
    """A large pool's matching run. Claimed by a conditional update, so a redelivery is a no-op."""
    services.execute_run(run_id=run_id)


@shared_task(acks_late=True)
def start_queued_runs():
    """Runs whose task never reached a worker (the broker was down) are started here."""
    return services.sweep_queued_runs()


@shared_task(acks_late=True)
def expire_mentor_asks():
    """Pairs whose mentor did not answer in time go back to the pool; members' requests whose
    mentee no longer waits close (choosing.py). Safe to run twice or late."""
    return services.expire_mentor_asks() + choosing.close_stale_requests()


@shared_task(acks_late=True)
def notify_waiting_mentees():
    """Tell mentees still waiting that the committee is still looking, once per interval each."""
    return waiting.notify_waiting_mentees()
