import time
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from devtools import demo
from reports import figures as reports


class Command(BaseCommand):
    help = "Create the demo association for `make run` (safe to run again: it adds only what is missing)."

    def add_arguments(self, parser):
        parser.add_argument("--logins-only", action="store_true", help="Only print the demo logins.")
        parser.add_argument(
            "--when-up",
            action="store_true",
            help="With --logins-only: wait until the site answers at SITE_URL, then print them (make run).",
        )

    def handle(self, *args, logins_only=False, when_up=False, **options):
        if when_up and not _wait_for_site():
            return
        if not logins_only:
            created = demo.seed()
            demo.ask_what_is_due()
            reports.take_snapshot()  # the reports' figures, so that the first look is quick
            made = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in created.items() if n)
            self.stdout.write(f"Demo association ready ({'created ' + made if made else 'nothing new to create'}).")
        if when_up:
            self.stdout.write(f"\nThe site is up: {settings.SITE_URL}/")
        self.stdout.write(demo.logins_table())


def _wait_for_site(seconds=90):
    """True once SITE_URL/healthz answers (the site is up), False after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{settings.SITE_URL}/healthz", timeout=2):  # noqa: S310 - our own site
                return True
        except OSError:
            time.sleep(0.5)
    return False
