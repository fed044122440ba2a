"""Time the feedback job on many active partnerships, in a throwaway database.

    python manage.py bench_feedback --partnerships 50000 --json [--mime]

Never touches the configured database: a new one named ``bench_feedback_<pid>`` (a temporary
file on SQLite) is created and migrated on a connection of its own, swapped in for "default"
while the benchmark runs, and dropped in a ``finally``; the configured connection (and a test's
open transaction on it) is set aside untouched.

One program and N active partnerships (users and applications, bulk-created in chunks) start
exactly ``feedback_first_after_days`` ago, so every partner's first round is due today. Then the
real ``run_feedback_job`` runs twice: the first run asks everyone, the second must send nothing.

Mail goes to an in-memory backend that counts messages instead of keeping them (locmem would
hold every one), so nothing leaves the machine and memory does not grow with the count. The job's
own work is timed: query, claim, render, sign, mark sent. ``--mime`` adds what the SMTP backend
does before talking to the server, building each message's bytes; in Django 6.1 that alone is
about 1 ms per email, more than the whole job per email.

JSON: seconds / cpu_seconds / db_seconds of the first run (wall, this process's CPU, waiting on
the database, the waits for the sent marks included), marks_seconds (of db_seconds, the waits
for the sent marks: one commit per email, each waited for before the next email goes),
emails_sent, second_run_*, setup_seconds, peak_mb (VmRSS sampled every 20 ms during the first
run; start_mb is where it began, after the setup's garbage was collected and returned to the
system), db_vendor and the load average (the machine may be shared).
"""

import ctypes
import gc
import json
import os
import resource
import threading
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.models import Count
from django.db.utils import DEFAULT_DB_ALIAS
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from devtools.throwaway import throwaway_database
from feedback import services
from feedback.models import Solicitation
from mentoring.models import Application, LocalAssociation, Partnership, Region
from mentoring.services import create_program
from outbox.sending import Marks

SETUP_CHUNK = 5000


class CountingBackend(LocmemBackend):
    """In memory like locmem, but it keeps a count instead of every message (locmem's outbox would
    hold 100,000 deep copies). With build_mime, each message is rendered to bytes as SMTP would."""

    sent = 0
    lock = threading.Lock()
    build_mime = False

    def send_messages(self, messages):
        if CountingBackend.build_mime:
            for message in messages:
                message.message().as_bytes()
        with CountingBackend.lock:
            CountingBackend.sent += len(messages)
        return len(messages)


class RssSampler(threading.Thread):
    """Peak resident memory of this process while a block runs, read from /proc every 20 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb = self.start_kb = self._rss_kb()
        self._done = threading.Event()

    @staticmethod
    def _rss_kb():
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1])
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # not Linux: the lifetime peak

    def run(self):
        while not self._done.wait(0.02):
            self.peak_kb = max(self.peak_kb, self._rss_kb())

    def stop(self):
        self._done.set()
        self.join()
        self.peak_kb = max(self.peak_kb, self._rss_kb())


def _release_free_memory():
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # glibc keeps freed memory otherwise
    except (OSError, AttributeError):
        pass


class Command(BaseCommand):
    help = "Time the feedback job on N active partnerships in a throwaway database; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--partnerships", type=int, default=50000)
        parser.add_argument("--json", action="store_true", help="print one JSON object (the default is text)")
        parser.add_argument(
            "--mime",
            action="store_true",
            help="also build each message's bytes, as the SMTP backend does (about 1 ms per email in Django 6.1)",
        )

    def handle(self, *args, **options):
        n = options["partnerships"]
        if n < 1:
            raise CommandError("--partnerships must be at least 1")
        with throwaway_database("bench_feedback_"):
            report = self._bench(n, mime=options["mime"])
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key}: {value}")

    def _bench(self, n, *, mime):
        backend = f"{CountingBackend.__module__}.{CountingBackend.__qualname__}"
        CountingBackend.build_mime = mime
        # As in production: DEBUG off (no query log, no template debug info), mail to memory.
        with override_settings(DEBUG=False, MAILERS={"default": {"BACKEND": backend}}):
            started = time.perf_counter()
            today = self._populate(n)
            setup_seconds = time.perf_counter() - started
            _release_free_memory()  # so start_mb is the job's baseline, not the setup's high-water mark
            sampler = RssSampler()
            sampler.start()
            first = self._run(today)
            sampler.stop()
            second = self._run(today)
            statuses = dict(Solicitation.objects.order_by().values_list("status").annotate(n=Count("pk")))
        return {
            "partnerships": n,
            "seconds": first["seconds"],
            "emails_sent": first["emails"],
            "emails_per_second": round(first["emails"] / first["seconds"]) if first["seconds"] else None,
            "cpu_seconds": first["cpu_seconds"],
            "db_seconds": first["db_seconds"],
            "marks_seconds": first["marks_seconds"],
            "second_run_seconds": second["seconds"],
            "second_run_emails_sent": second["emails"],
            "setup_seconds": round(setup_seconds, 2),
            "first_run": first["result"],
            "second_run": second["result"],
            "solicitations": statuses,
            "peak_mb": round(sampler.peak_kb / 1024, 1),
            "start_mb": round(sampler.start_kb / 1024, 1),
            "peak_mb_source": "VmRSS of this process, sampled every 20 ms during the first run",
            "mime": mime,
            "chunk": services.CHUNK,
            "db_vendor": connections[DEFAULT_DB_ALIAS].vendor,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }

    @staticmethod
    def _run(today):
        """One run_feedback_job: wall time, this process's CPU time, time waiting on the database."""
        waited = [0.0]

        def timed(execute, sql, params, many, context):
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                waited[0] += time.perf_counter() - started

        CountingBackend.sent = 0
        Marks.waited = 0.0
        wall, cpu = time.perf_counter(), time.process_time()
        with connections[DEFAULT_DB_ALIAS].execute_wrapper(timed):
            result = services.run_feedback_job(today=today)
        return {
            "seconds": round(time.perf_counter() - wall, 2),
            "cpu_seconds": round(time.process_time() - cpu, 2),
            "db_seconds": round(waited[0] + Marks.waited, 2),
            "marks_seconds": round(Marks.waited, 2),
            "emails": CountingBackend.sent,
            "result": result,
        }

    def _populate(self, n):
        """One program; n partnerships whose first round is due today. Bulk inserts in chunks."""
        region = Region.objects.create(name="Bench region")
        association = LocalAssociation.objects.create(name="Bench association", region=region)
        program = create_program(name="Bench program", kind="new_member", association=association)
        today = timezone.localdate()
        started_on = today - timedelta(days=program.feedback_first_after_days)
        planned_end_on = started_on + timedelta(days=365)
        unusable = make_password(None)
        for first in range(0, n, SETUP_CHUNK):
            size = min(SETUP_CHUNK, n - first)
            users = User.objects.bulk_create(
                User(
                    email=f"{role}{first + k}@bench.example.org",
                    first_name=f"{role.title()}{first + k}",
                    last_name="Bench",
                    password=unusable,  # nobody signs in
                )
                for role in ("mentee", "mentor")
                for k in range(size)
            )
            apps = Application.objects.bulk_create(
                Application(
                    program=program,
                    user=user,
                    role="mentee" if k < size else "mentor",
                    status=Application.Status.MATCHED,
                )
                for k, user in enumerate(users)
            )
            Partnership.objects.bulk_create(
                Partnership(
                    program=program,
                    mentee=users[k],
                    mentor=users[size + k],
                    mentee_application=apps[k],
                    mentor_application=apps[size + k],
                    started_on=started_on,
                    planned_end_on=planned_end_on,
                )
                for k in range(size)
            )
        # Fresh statistics, as autovacuum keeps them in a live database: without them PostgreSQL
        # plans the reminders query as if the partnerships table were empty (a nested loop that
        # takes 30 s at 20,000 partnerships), which measures the bulk load, not the job.
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("ANALYZE")
        return today
