"""Time the jobs around a partnership's life on a large association, in a throwaway database.

    python manage.py bench_lifecycle --members 20000 --partnerships 2000 --json

Never touches the configured database (see devtools/throwaway.py). One new-member program with
open enrollment; `members` members of its association who want program news; `partnerships`
partnerships past their planned end and grace period (to be completed automatically), as many
finished 25 months ago (their records due to expire), and as many mentees waiting in the pool
for 60 days (to be told the committee is still looking). Then, each timed, each run twice (the
second must do nothing):

- `announce`: the chair's announcement of enrollment, queued for every eligible member;
- `complete_overdue`: the hourly closing job (each partnership completed, with its log line);
- `final_rounds`: the feedback job's final rounds for them (the close-out survey, one per partner);
- `still_waiting`: the hourly "still looking" notes;
- `retention_warn` then `retention_expire`: the monthly job on the day it warns, and a month on;
- `mailer`: sending everything the jobs queued (to memory).

JSON: per job `seconds`, `count` and `again` (what the second run did: 0, or "refused"), plus
`setup_seconds`, `db_vendor` and the load average (the machine may be shared).
"""

import json
import os
import time
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.db.utils import DEFAULT_DB_ALIAS
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import Profile, User
from devtools.management.commands.bench_feedback import CountingBackend
from devtools.throwaway import throwaway_database
from feedback import closing
from feedback import services as feedback_services
from matching import waiting
from mentoring.models import Application, CommitteeMembership, LocalAssociation, Partnership, Region
from mentoring.services import create_program
from outbox.emails import send_pending_emails
from recruitment import services as recruitment
from retention import services as retention

SETUP_CHUNK = 5000


class Command(BaseCommand):
    help = "Time announcing, closing on time, still-waiting notes and expiry at scale; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=20000)
        parser.add_argument("--partnerships", type=int, default=2000)
        parser.add_argument("--json", action="store_true", help="print one JSON object (the default is text)")

    def handle(self, *args, **options):
        members, partnerships = options["members"], options["partnerships"]
        if members < 1 or partnerships < 1:
            raise CommandError("--members and --partnerships must be at least 1")
        backend = f"{CountingBackend.__module__}.{CountingBackend.__qualname__}"
        with (
            throwaway_database("bench_lifecycle_"),
            override_settings(DEBUG=False, MAILERS={"default": {"BACKEND": backend}}),
        ):
            report = self._bench(members, partnerships)
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key}: {value}")

    def _bench(self, members, n):
        started = time.perf_counter()
        program, chair, today = self._populate(members, n)
        report = {"members": members, "partnerships": n, "setup_seconds": round(time.perf_counter() - started, 2)}

        def announce():
            return recruitment.announce_enrollment(program=program, by=chair).recipients

        now = timezone.now()
        expire_day = today + relativedelta(months=1, days=1)
        jobs = [
            ("announce", announce),
            ("complete_overdue", lambda: closing.complete_overdue_partnerships(today=today)),
            ("final_rounds", lambda: feedback_services.create_final_rounds(today=today)),
            ("still_waiting", lambda: waiting.notify_waiting_mentees(now=now)),
            ("retention_warn", lambda: retention.run_retention_job(today=today)["warned"]),
            ("retention_expire", lambda: retention.run_retention_job(today=expire_day)["expired"]),
        ]
        for name, job in jobs:
            report[name] = self._twice(job)
        # What the jobs queued, sent (to memory): the feedback asks, then the outbox.
        CountingBackend.sent = 0
        began = time.perf_counter()
        while feedback_services.send_solicitations() or send_pending_emails(limit=5000):
            pass
        report["mailer"] = {"seconds": round(time.perf_counter() - began, 2), "count": CountingBackend.sent}
        report["db_vendor"] = connections[DEFAULT_DB_ALIAS].vendor
        report["load_average"] = [round(x, 2) for x in os.getloadavg()]
        return report

    @staticmethod
    def _twice(job):
        began = time.perf_counter()
        count = job()
        seconds = time.perf_counter() - began
        try:
            again = job()
        except ValidationError:
            again = "refused"
        return {"seconds": round(seconds, 2), "count": count, "again": again}

    def _populate(self, members, n):
        region = Region.objects.create(name="Bench region")
        association = LocalAssociation.objects.create(name="Bench association", region=region)
        program = create_program(name="Bench program", kind="new_member", association=association, enrollment_open=True)
        today = timezone.localdate()
        unusable = make_password(None)
        since = today - timedelta(days=400)

        def people(prefix, count):
            made = []
            for first in range(0, count, SETUP_CHUNK):
                size = min(SETUP_CHUNK, count - first)
                users = User.objects.bulk_create(
                    User(
                        email=f"{prefix}{first + k}@bench.example.org",
                        first_name=f"{prefix.title()}{first + k}",
                        last_name="Bench",
                        password=unusable,
                    )
                    for k in range(size)
                )
                Profile.objects.bulk_create(
                    Profile(user=user, association=association, job_title="Agent", member_since=since) for user in users
                )
                made += users
            return made

        chair = people("chair", 1)[0]
        CommitteeMembership.objects.create(program=program, user=chair, role="chair")
        people("member", members)
        mentees, mentors = people("mentee", 3 * n), people("mentor", 2 * n)
        applications = Application.objects.bulk_create(
            [Application(program=program, user=u, role="mentee", status="matched") for u in mentees[: 2 * n]]
            + [Application(program=program, user=u, role="mentor", status="matched") for u in mentors]
            + [
                Application(
                    program=program,
                    user=u,
                    role="mentee",
                    status="in_pool",
                    submitted_at=timezone.now() - timedelta(60),
                )
                for u in mentees[2 * n :]
            ],
            batch_size=SETUP_CHUNK,
        )
        by_user = {a.user_id: a for a in applications}
        grace = program.grace_days_after_end
        overdue_end = today - timedelta(days=grace + 1)
        finished_end = today - relativedelta(months=retention.keep_months() + 1)
        rows = []
        for k in range(2 * n):
            mentee, mentor = mentees[k], mentors[k]
            ended = k >= n
            end = finished_end if ended else overdue_end
            rows.append(
                Partnership(
                    program=program,
                    mentee=mentee,
                    mentor=mentor,
                    mentee_application=by_user[mentee.pk],
                    mentor_application=by_user[mentor.pk],
                    started_on=end - relativedelta(months=program.length_months),
                    planned_end_on=end,
                    status="completed" if ended else "active",
                    ended_on=end if ended else None,
                    end_reason="completed" if ended else "",
                )
            )
        Partnership.objects.bulk_create(rows, batch_size=SETUP_CHUNK)
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            if connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
                cursor.execute("ANALYZE")  # fresh statistics, as autovacuum keeps them
        return program, chair, today
