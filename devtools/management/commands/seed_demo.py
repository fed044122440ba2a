from django.core.management.base import BaseCommand

from devtools import demo
from reports import figures as reports


class Command(BaseCommand):
    help = "Create the demo association for `make run` (safe to run again: it adds only what is missing)."

    def add_arguments(self, parser):
        parser.add_argument("--logins-only", action="store_true", help="Only print the demo logins.")

    def handle(self, *args, logins_only=False, **options):
        if not logins_only:
            created = demo.seed()
            reports.take_snapshot()  # the reports' figures, so that the first look is quick
            made = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in created.items() if n)
            self.stdout.write(f"Demo association ready ({'created ' + made if made else 'nothing new to create'}).")
        self.stdout.write(demo.logins_table())
