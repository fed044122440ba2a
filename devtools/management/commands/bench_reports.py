"""Time the region report on a large region, in a throwaway database.

    python manage.py bench_reports --members 100000 --partnerships 50000 --json [--renders 20] [--explain]

Never touches the configured database: a new one named ``bench_reports_<pid>`` (a temporary file
on SQLite) is created and migrated on a connection object of its own, swapped in for "default"
while the benchmark runs, and dropped in a ``finally``. The configured connection is set aside
untouched, so a test's open transaction on it stays open and sees none of the benchmark's rows.

One region, a few local associations, a new-member program for each and two leadership programs
(all with objectives), N members with profiles and membership statuses, applications (matched,
waiting, awaiting vetting), P partnerships over the last 18 months (active, completed, dissolved
and re-matched), feedback asked and answered over the months, goals. Everything is bulk-created
in chunks; the password is hashed once. Then the region's VP signs in (Django's test Client,
force_login). The report figures are taken (as the scheduled job does every ten minutes, timed
and reported as `snapshot_seconds`); then the job's next runs are timed (`next_snapshots`): with
nothing changed, after one change, after a thousand (answers, goals, partnerships ended,
memberships, applications withdrawn, one statement each), and with everything recounted. Then
the region dashboard is rendered once to warm up and N times timed; one more render counts the
queries. Prints one JSON object.
"""

import contextlib
import json
import math
import os
import random
import statistics
import sys
import time
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, reset_queries
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from devtools.throwaway import throwaway_database
from feedback.models import Response, Solicitation
from mentoring.models import Application, LocalAssociation, Objective, Partnership, Program, Region
from mentoring.services import create_program
from partnerships.models import Goal
from reports import figures as reports
from reports.models import ReportCount, ReportDay

PREFIX = "bench_reports_"
CHUNK = 5000
ASSOCIATIONS = 5
LEADERSHIP_PROGRAMS = 2


@contextlib.contextmanager
def explicit_timestamps(*fields):
    """Let bulk_create keep the creation moments we give (auto_now_add would overwrite them)."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _ in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


def chunks(items, size=CHUNK):
    for first in range(0, len(items), size):
        yield items[first : first + size]


def bulk(model, objects):
    """bulk_create in chunks; returns the saved objects (with their ids)."""
    saved = []
    for part in chunks(objects):
        saved.extend(model.objects.bulk_create(part))
    return saved


class Command(BaseCommand):
    help = "Time the region report on a large synthetic region in a throwaway database; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=100_000)
        parser.add_argument("--partnerships", type=int, default=50_000)
        parser.add_argument("--renders", type=int, default=20, help="timed renders after one warm-up")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--json", action="store_true", help="print one JSON object (the default is text)")
        parser.add_argument(
            "--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries (PostgreSQL), on stderr"
        )

    def handle(self, *args, **options):
        members, partnerships = options["members"], options["partnerships"]
        if partnerships < 1 or options["renders"] < 1:
            raise CommandError("--partnerships and --renders must be at least 1.")
        needed = sum(self._sizes(partnerships).values())
        if members < needed:
            raise CommandError(f"{partnerships} partnerships need at least {needed} members (--members).")
        with throwaway_database(PREFIX):
            report = self._bench(options)
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key}: {value}")

    # --- The benchmark ------------------------------------------------------------------------

    def _bench(self, options):
        started = time.perf_counter()
        region, vp, rows = self._populate(options["members"], options["partnerships"], options["seed"])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # as in production: the planner knows the tables
        setup_seconds = time.perf_counter() - started
        # What the scheduled job does every ten minutes: count the figures the report reads.
        reset_queries()  # the log keeps the last 9,000 queries: the bulk inserts filled it
        with CaptureQueriesContext(connection) as taking:
            snapshot = reports.take_snapshot()
        snapshot_queries = len(taking)  # now: `captured_queries` reads the log, which is reset below
        snapshot_rows = {
            "days": ReportDay.objects.of(snapshot).count(),
            "counts": ReportCount.objects.of(snapshot).count(),
        }
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE reports_reportday, reports_reportcount")  # as autovacuum would
        # The job's next runs: nothing changed, one change, a thousand, and everything recounted
        # (as on the first run of a day, when the days waiting move on).
        rng = random.Random(options["seed"] + 1)
        followed = {"nothing_changed": self._timed_snapshot()}
        made = self._change(rng, 1)
        followed["one_change"] = self._timed_snapshot() | {"changes": made}
        made = self._change(rng, 1000)
        followed["thousand_changes"] = self._timed_snapshot() | {"changes": made}
        followed["everything_recounted"] = self._timed_snapshot(everything=True)

        url = reverse("region_report", args=[region.pk])
        client = Client()
        client.force_login(vp)
        # As in production: DEBUG off (no query log kept, no template debug information).
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):

            def render():
                response = client.get(url, secure=True)
                if response.status_code != 200:
                    raise CommandError(f"The region report answered {response.status_code}.")
                return response

            render()  # warm-up: the site settings row, the session, template compilation
            times = []
            for _ in range(options["renders"]):
                t0 = time.perf_counter()
                render()
                times.append((time.perf_counter() - t0) * 1000)
            reset_queries()
            with CaptureQueriesContext(connection) as captured:
                response = render()
        if region.name.encode() not in response.content:
            raise CommandError("The region report did not show the region.")
        slowest = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:5]
        if options["explain"]:
            self._explain(slowest)
        times.sort()
        return {
            "members": options["members"],
            "partnerships": options["partnerships"],
            "renders": len(times),
            "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(times[max(0, math.ceil(0.95 * len(times)) - 1)], 1),
            "min_ms": round(times[0], 1),
            "max_ms": round(times[-1], 1),
            "queries": len(captured.captured_queries),
            "slowest_queries_ms": [round(float(q["time"]) * 1000, 1) for q in slowest],
            "setup_seconds": round(setup_seconds, 1),
            "snapshot_seconds": snapshot.seconds,
            # Grouped reads (constant) and inserts in batches of thousands of rows.
            "snapshot_queries": snapshot_queries,
            "snapshot_rows": snapshot_rows,
            "next_snapshots": followed,
            "db_vendor": connection.vendor,
            "database": os.path.basename(connection.settings_dict["NAME"]),
            "rows": rows,
        }

    def _explain(self, slowest):
        if connection.vendor != "postgresql":
            sys.stderr.write("EXPLAIN ANALYZE needs PostgreSQL.\n")
            return
        with connection.cursor() as cursor:
            for q in slowest:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                plan = "\n".join(r[0] for r in cursor.fetchall())
                sys.stderr.write(f"\n--- {float(q['time']) * 1000:.1f} ms\n{q['sql']}\n{plan}\n")

    @staticmethod
    def _timed_snapshot(everything=False):
        """A snapshot after the first: its time, queries, and the rows it wrote and replaced."""
        latest = reports.latest_snapshot()
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as taking:
            snapshot = reports.take_snapshot(everything=everything)
        seconds = time.perf_counter() - started
        new = snapshot != latest
        return {
            "seconds": round(seconds, 3),
            "queries": len(taking),
            "new_snapshot": new,
            "rows_written": ReportDay.objects.filter(since=snapshot.pk).count() if new else 0,
            "rows_replaced": ReportDay.objects.filter(until=snapshot.pk).count() if new else 0,
            "counts_written": ReportCount.objects.filter(since=snapshot.pk).count() if new else 0,
            "counts_replaced": ReportCount.objects.filter(until=snapshot.pk).count() if new else 0,
        }

    @staticmethod
    def _change(rng, n):
        """n changes as members and committees make them, one statement each, spread over the
        kinds the reports count: an answer given, a goal achieved, a partnership ended, a
        membership lapsed or renewed, an application submitted."""
        now = timezone.now()
        kinds = ["answer", "goal", "ended", "membership", "applied"]
        ids = {
            "answer": list(Response.objects.values_list("pk", flat=True)),
            "goal": list(Goal.objects.values_list("pk", flat=True)),
            "ended": list(Partnership.objects.filter(status="active").values_list("pk", flat=True)),
            "membership": list(Profile.objects.values_list("pk", flat=True)),
            "applied": list(Application.objects.filter(status="in_pool", role="mentee").values_list("pk", flat=True)),
        }
        made = 0
        for i in range(n * len(kinds)):  # a small region runs out of some kinds: the others go on
            kind = kinds[i % len(kinds)]
            if made == n or not ids[kind]:
                continue
            made += 1
            pk = ids[kind].pop(rng.randrange(len(ids[kind])))
            if kind == "answer":
                Response.objects.filter(pk=pk).update(satisfaction=F("satisfaction") % 5 + 1)  # another score
            elif kind == "goal":
                Goal.objects.filter(pk=pk).update(progress="achieved")
            elif kind == "ended":
                Partnership.objects.filter(pk=pk).update(
                    status="dissolved", ended_on=timezone.localdate(now), end_reason="schedules"
                )
            elif kind == "membership":
                Profile.objects.filter(pk=pk).update(membership_status=rng.choice(["active", "grace", "lapsed"]))
            else:
                Application.objects.filter(pk=pk).update(status="withdrawn")
        return made

    @staticmethod
    def _sizes(p):
        rematches = p // 20
        return {
            "paired_mentees": p - rematches,
            "mentors": max(2, p // 3),
            "waiting": max(1, p // 25),
            "vetting": max(1, p // 100),
        }

    def _populate(self, n_members, n_partnerships, seed):
        rng = random.Random(seed)
        now = timezone.now()
        today = timezone.localdate()
        sizes = self._sizes(n_partnerships)
        rematches = n_partnerships - sizes["paired_mentees"]

        region = Region.objects.create(name="Bench region")
        associations = LocalAssociation.objects.bulk_create(
            LocalAssociation(name=f"Bench local {i + 1}", region=region, city=f"Town {i + 1}")
            for i in range(ASSOCIATIONS)
        )
        new_member = [
            create_program(name=f"{a.name} new members", kind=Program.Kind.NEW_MEMBER, association=a)
            for a in associations
        ]
        leadership = [
            create_program(name=f"Bench leaders {i + 1}", kind=Program.Kind.LEADERSHIP, region=region)
            for i in range(LEADERSHIP_PROGRAMS)
        ]
        measures = [m for m in Objective.Measure.values]
        Objective.objects.bulk_create(
            Objective(program=program, description=f"Objective {k + 1}", measure=measure, target=rng.choice([50, 80]))
            for program in new_member + leadership
            for k, measure in enumerate(rng.sample(measures, 3))
        )

        # Members: one password hash for all of them.
        password = make_password("bench-reports-password")
        users = bulk(
            User,
            [
                User(
                    email=f"member{i}@bench.example.org", first_name=f"Member{i}", last_name="Bench", password=password
                )
                for i in range(n_members)
            ],
        )
        vp = User.objects.create(email="vp@bench.example.org", first_name="Vera", last_name="Bench", password=password)
        region.vice_president = vp
        region.save(update_fields=["vice_president"])
        statuses = ["active"] * 80 + ["grace"] * 12 + ["lapsed"] * 8
        bulk(
            Profile,
            [
                Profile(
                    user=u,
                    association=associations[i % ASSOCIATIONS],
                    job_title="Broker",
                    member_since=today - timedelta(days=rng.randint(30, 9000)),
                    membership_status=rng.choice(statuses),
                )
                for i, u in enumerate(users)
            ]
            + [Profile(user=vp, association=associations[0], membership_status="active")],
        )

        def program_of(i):
            """A member's program: their association's, or (one in five) a leadership one."""
            if (i // ASSOCIATIONS) % 5 == 0:
                return leadership[(i // ASSOCIATIONS) % LEADERSHIP_PROGRAMS]
            return new_member[i % ASSOCIATIONS]

        # Who is what: mentees who were paired, mentors, mentees waiting, mentors awaiting vetting.
        first = {}
        at = 0
        for key in ("paired_mentees", "mentors", "waiting", "vetting"):
            first[key], at = at, at + sizes[key]
        mentor_index = range(first["mentors"], first["mentors"] + sizes["mentors"])
        mentors_by_program = {}
        for i in mentor_index:
            mentors_by_program.setdefault(program_of(i).pk, []).append(i)
        all_mentors = list(mentor_index)

        # Each paired mentee: when they were matched, and to which mentor (same program).
        plan = []
        for j in range(sizes["paired_mentees"]):
            program = program_of(j)
            pool = mentors_by_program.get(program.pk)
            if not pool:
                pool = [all_mentors[j % len(all_mentors)]]
                program = program_of(pool[0])
            created = now - timedelta(days=rng.uniform(0, 540))
            plan.append((j, program, pool[j % len(pool)], created))

        def days_ago(low, high):
            return now - timedelta(days=rng.uniform(low, high))

        applications = [
            Application(
                program=program,
                user=users[j],
                role="mentee",
                status="matched",
                submitted_at=created - timedelta(days=rng.uniform(1, 60)),
            )
            for j, program, _, created in plan
        ]
        mentor_program = {i: program_of(i) for i in mentor_index}
        applications += [
            Application(
                program=mentor_program[i],
                user=users[i],
                role="mentor",
                status=rng.choice(["matched", "in_pool"]),
                capacity=rng.randint(1, 3),
                submitted_at=days_ago(60, 600),
            )
            for i in mentor_index
        ]
        applications += [
            Application(
                program=program_of(i), user=users[i], role="mentee", status="in_pool", submitted_at=days_ago(0, 200)
            )
            for i in range(first["waiting"], first["waiting"] + sizes["waiting"])
        ]
        applications += [
            Application(
                program=program_of(i),
                user=users[i],
                role="mentor",
                status=rng.choice(["awaiting_vetting", "more_info"]),
                submitted_at=days_ago(0, 60),
            )
            for i in range(first["vetting"], first["vetting"] + sizes["vetting"])
        ]
        applications = bulk(Application, applications)
        app_of = {(a.user_id, a.role): a for a in applications}

        # Partnerships: the first `rematches` mentees were dissolved and matched again.
        reasons = ["schedules", "fit", "left_association", "other"]
        partnerships = []
        for j, _program, mentor, created in plan:
            mentee_app, mentor_app = app_of[(users[j].pk, "mentee")], app_of[(users[mentor].pk, "mentor")]

            def partnership(created, status, ended_on=None, reason="", mentee_app=mentee_app, mentor_app=mentor_app):
                start = timezone.localdate(created)
                return Partnership(
                    program_id=mentee_app.program_id,
                    mentee_id=mentee_app.user_id,
                    mentor_id=mentor_app.user_id,
                    mentee_application=mentee_app,
                    mentor_application=mentor_app,
                    status=status,
                    started_on=start,
                    planned_end_on=start + timedelta(days=365),
                    ended_on=ended_on,
                    end_reason=reason,
                    created_at=created,
                )

            age = (now - created).days
            if j < rematches:
                ended = min(today, timezone.localdate(created) + timedelta(days=rng.randint(20, 90)))
                partnerships.append(partnership(created, "dissolved", ended, rng.choice(reasons)))
                again = max(created, now - timedelta(days=max(0, (today - ended).days - 7)))
                partnerships.append(partnership(again, "active"))
            elif age > 365 and rng.random() < 0.85:
                ended = min(today, timezone.localdate(created) + timedelta(days=365))
                partnerships.append(partnership(created, "completed", ended, "completed"))
            elif rng.random() < 0.15:
                ended = min(today, timezone.localdate(created) + timedelta(days=rng.randint(10, max(11, age))))
                partnerships.append(partnership(created, "dissolved", ended, rng.choice(reasons)))
            else:
                partnerships.append(partnership(created, "active"))
        created_at = Partnership._meta.get_field("created_at")
        submitted_at = Response._meta.get_field("submitted_at")
        with explicit_timestamps(created_at, submitted_at):
            partnerships = bulk(Partnership, partnerships)

            # Feedback over the months: two rounds for both partners, most of them answered.
            leadership_ids = {p.pk for p in leadership}
            asks, answers = [], []
            for p in partnerships:
                for round_, after in ((1, 30), (2, 90)):
                    sent = p.created_at + timedelta(days=after)
                    if sent > now or (round_ == 2 and rng.random() < 0.5):
                        continue
                    for role, respondent in (("mentee", p.mentee_id), ("mentor", p.mentor_id)):
                        r = rng.random()
                        status = "answered" if r < 0.75 else "sent" if r < 0.95 else "failed"
                        answered = min(now, sent + timedelta(days=rng.uniform(0, 10)))
                        asks.append(
                            Solicitation(
                                partnership=p,
                                round=round_,
                                respondent_id=respondent,
                                role=role,
                                due_on=timezone.localdate(sent),
                                status=status,
                                attempts=1,
                                sent_at=sent if status != "failed" else None,
                                answered_at=answered if status == "answered" else None,
                            )
                        )
            asks = bulk(Solicitation, asks)
            for s in asks:
                if s.status != "answered":
                    continue
                leader = s.role == "mentor" and s.partnership.program_id in leadership_ids
                answers.append(
                    Response(
                        solicitation=s,
                        partnership_id=s.partnership_id,
                        respondent_id=s.respondent_id,
                        role=s.role,
                        round=s.round,
                        satisfaction=rng.choices([1, 2, 3, 4, 5], weights=[3, 5, 15, 40, 37])[0],
                        met=rng.choice(Response.Met.values),
                        progress=rng.choice(Response.Progress.values),
                        working=rng.choices(Response.Working.values, weights=[80, 15, 5])[0],
                        wants_new_partner=rng.random() < 0.03,
                        recommends_for_leadership=(rng.random() < 0.15) if leader else None,
                        submitted_at=s.answered_at,
                    )
                )
            answers = bulk(Response, answers)

        goals = bulk(
            Goal,
            [
                Goal(partnership=p, title=f"Goal {k + 1}", progress=rng.choice(Goal.Progress.values))
                for p in partnerships
                if rng.random() < 0.5
                for k in range(rng.randint(1, 3))
            ],
        )
        rows = {
            "users": len(users) + 1,
            "applications": len(applications),
            "partnerships": len(partnerships),
            "solicitations": len(asks),
            "responses": len(answers),
            "goals": len(goals),
            "programs": len(new_member) + len(leadership),
            "associations": len(associations),
        }
        return region, vp, rows
