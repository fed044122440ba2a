"""Email at a mail server's pace: a recruitment announcement to N members, queued by the real
service and sent by the outbox's real job, through Django's SMTP backend to a real SMTP server on
loopback, in a throwaway database (devtools.throwaway).

    python manage.py bench_email --members 20000 --json [--delay 0.002]

The server (aiosmtpd, outbox/tests/smtp.py) runs in a process of its own, so its time is not
counted as ours; it counts the connections it accepted and what each recipient received.
`--delay`: seconds the server takes per message, standing in for a provider.

JSON: emails_sent (what the server received), connections (it accepted), emails_per_connection,
duplicates and missing (recipients who got more than one, or none), seconds (wall time of the
sending), emails_per_second, cpu_seconds and db_seconds (this process's CPU, and its waits on the
database), own_ms_per_email (both, per email: our own time, whatever the server's pace), runs
(of the outbox job, as beat would run it), queue_seconds (the announcement's own request),
setup_seconds and the load average (the machine may be shared).
"""

import json
import multiprocessing
import os
import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.utils import DEFAULT_DB_ALIAS
from django.test.utils import override_settings

from accounts.models import Profile, User
from devtools.throwaway import throwaway_database
from mentoring.models import LocalAssociation, Region
from mentoring.services import create_program
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail
from outbox.sending import Marks
from outbox.tests.smtp import serve
from recruitment.services import announce_enrollment

SETUP_CHUNK = 5000


class Command(BaseCommand):
    help = "Send an announcement to N members through the outbox to an SMTP server on loopback; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=20000)
        parser.add_argument("--delay", type=float, default=0.0, help="seconds the server takes per message")
        parser.add_argument("--json", action="store_true", help="print one JSON object (the default is text)")

    def handle(self, *args, **options):
        n = options["members"]
        if n < 1:
            raise CommandError("--members must be at least 1")
        context = multiprocessing.get_context("spawn")  # a clean process: no Django, no database socket
        ours, theirs = context.Pipe()
        server = context.Process(target=serve, args=(theirs, options["delay"]), daemon=True)
        server.start()
        try:
            if not ours.poll(30):
                raise CommandError("The SMTP server did not start")
            port = ours.recv()
            mailers = {
                "default": {
                    "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                    "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 20},
                }
            }
            with throwaway_database("bench_email_"), override_settings(DEBUG=False, MAILERS=mailers):
                report = self._bench(n)
                ours.send("stop")
                seen = ours.recv()
                report.update(self._received(seen, n))
        finally:
            server.join(10)
            if server.is_alive():
                server.terminate()
        report["delay"] = options["delay"]
        report["load_average"] = [round(x, 2) for x in os.getloadavg()]
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key}: {value}")

    def _bench(self, n):
        started = time.perf_counter()
        program, chair = self._populate(n)
        setup_seconds = time.perf_counter() - started
        started = time.perf_counter()
        announce_enrollment(program=program, by=chair)
        queue_seconds = time.perf_counter() - started

        waited = [0.0]

        def timed(execute, sql, params, many, context):
            began = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                waited[0] += time.perf_counter() - began

        Marks.waited = 0.0
        runs = sent = 0
        wall, cpu = time.perf_counter(), time.process_time()
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(timed):
            while count := send_pending_emails():  # back to back: beat would run it every 30 seconds
                runs += 1
                sent += count
        seconds = time.perf_counter() - wall
        cpu_seconds = time.process_time() - cpu
        db_seconds = waited[0] + Marks.waited
        return {
            "members": n,
            "marked_sent": OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENT).count(),
            "seconds": round(seconds, 2),
            "emails_per_second": round(sent / seconds) if seconds else None,
            "cpu_seconds": round(cpu_seconds, 2),
            "db_seconds": round(db_seconds, 2),
            "own_ms_per_email": round(1000 * (cpu_seconds + db_seconds) / sent, 3) if sent else None,
            "runs": runs,
            "queue_seconds": round(queue_seconds, 2),
            "setup_seconds": round(setup_seconds, 2),
            "db_vendor": connections[DEFAULT_DB_ALIAS].vendor,
        }

    @staticmethod
    def _received(seen, n):
        counts = seen["received"]
        return {
            "emails_sent": seen["messages"],
            "connections": seen["connections"],
            "emails_per_connection": round(seen["messages"] / seen["connections"], 1) if seen["connections"] else None,
            "duplicates": sum(1 for count in counts.values() if count > 1),
            "missing": n - len(counts),
        }

    @staticmethod
    def _populate(n):
        """One association with n members who want announcements, and a program open today."""
        region = Region.objects.create(name="Bench region")
        association = LocalAssociation.objects.create(name="Bench association", region=region)
        program = create_program(name="Bench program", kind="new_member", association=association, enrollment_open=True)
        unusable = make_password(None)
        chair = User.objects.create(email="chair@bench.example.org", password=unusable)
        for first in range(0, n, SETUP_CHUNK):
            users = User.objects.bulk_create(
                User(email=f"member{k}@bench.example.org", first_name=f"M{k}", last_name="Bench", password=unusable)
                for k in range(first, min(first + SETUP_CHUNK, n))
            )
            Profile.objects.bulk_create(Profile(user=user, association=association) for user in users)
        return program, chair
