"""Plain helpers shared by the privacy and retention tests (a test module never imports another)."""

from reports import figures as reports

# A partner's ordinary feedback answers.
FINE = {"satisfaction": 4, "met": "monthly", "progress": "some", "working": "yes", "wants_new_partner": False}


def figures(program):
    """The program's report figures (a fresh snapshot, the default period, no small-count hiding)."""
    reports.take_snapshot()
    period = reports.default_period()
    return reports.all_figures([program], period, k=1)["program"][program.pk]
