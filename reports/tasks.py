from celery import shared_task

from . import figures, views


@shared_task(acks_late=True)
def take_report_snapshot():
    """Count the figures the reports show, then draw each region's and association's report for
    its first reader. Beat runs it every ten minutes; safe to run twice at once."""
    snapshot = figures.take_snapshot()
    return {"snapshot": snapshot.pk, "seconds": snapshot.seconds, "drawn": views.draw_default_reports()}
