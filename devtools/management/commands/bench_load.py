"""Load over loopback: N people using the main pages at once, on the real server.

    python manage.py bench_load --users 20 --seconds 60 --json [--think 1.0] [--members 400]

In a throwaway database the demo association is seeded, and the site is served by gunicorn (the
production server, DEBUG off, two workers as in the Procfile) on a free loopback port. Each
simulated person has a session of their own (written as signing in leaves it, so that the loop
times the pages, not password hashing) and goes round their pages until the time is up, pausing
a random think time between pages (uniform, mean --think seconds; 0 for none):

- members in a partnership: My mentoring, their partnership's page, their feedback form;
- chairs (one simulated person in four): the attention queue, then a partnership's confidential
  page (each read of it recorded, as in real use).

Prints one JSON object: requests, req_per_s, p50_ms, p95_ms, p99_ms, errors (any answer but 200,
or no answer) and, per page, requests and p95_ms. Target on a 2-core machine: no errors and a p95
under 300 ms at 20 users. The client runs in this process and shares the machine's cores.
"""

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools import serving
from devtools.throwaway import throwaway_database

PREFIX = "bench_load_"


class Command(BaseCommand):
    help = "Load the main pages with N simultaneous users over loopback, on gunicorn; prints JSON."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=20)
        parser.add_argument("--seconds", type=float, default=60)
        parser.add_argument("--think", type=float, default=1.0, help="mean pause between pages, in seconds")
        parser.add_argument("--members", type=int, default=400, help="members in the demo association")
        parser.add_argument("--json", action="store_true", help="print one JSON object (the default is text)")
        # Internal: run by this command in a subprocess with the server's settings.
        parser.add_argument("--prepare-into", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["prepare_into"]:
            return self._prepare(options)
        if options["users"] < 1 or options["seconds"] <= 0 or options["think"] < 0:
            raise CommandError("--users must be at least 1, --seconds more than 0, --think not negative.")
        # Stopped by a timeout (SIGTERM): clean up as for Ctrl-C (the server, the database, the files).
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            with throwaway_database(PREFIX):
                connection.close()  # the server's processes use the database from here on
                report = self._bench(options)
        finally:
            signal.signal(signal.SIGTERM, previous)
        if options["json"]:
            self.stdout.write(json.dumps(report))
        else:
            for key, value in report.items():
                self.stdout.write(f"{key}: {value}")

    # --- Set-up, in the server's settings ------------------------------------------------------

    def _prepare(self, options):
        """Seed the demo, take the report figures, and write each simulated person's session and pages."""
        from django.urls import reverse
        from django.utils import timezone

        from devtools import demo
        from feedback.models import Solicitation
        from feedback.services import make_token
        from mentoring.models import CommitteeMembership, Partnership
        from reports import figures as reports

        if not os.path.basename(connection.settings_dict["NAME"]).startswith(PREFIX):
            raise CommandError("--prepare-into runs only on a bench_load database.")
        demo.seed(members=options["members"])
        reports.take_snapshot()
        session_of = serving.signed_in_session
        people = []
        waiting = Solicitation.objects.filter(status="sent", partnership__status=Partnership.Status.ACTIVE)
        waiting.update(sent_at=timezone.now())  # asked today: the links are open (most demo asks are older)
        waiting = waiting.select_related("respondent").order_by("pk")
        for s in waiting:
            pages = [
                ("my_mentoring", reverse("my_mentoring")),
                ("partnership", reverse("partnership", args=[s.partnership_id])),
                ("feedback_form", reverse("feedback:answer", args=[make_token(s)])),
            ]
            people.append({"kind": "member", "session": session_of(s.respondent), "pages": pages})
        chairs = CommitteeMembership.objects.filter(role="chair", pledge_accepted_at__isnull=False).select_related(
            "user"
        )
        for seat in chairs:
            queue = ("attention_queue", reverse("committee:partnerships", args=[seat.program_id]))
            for pk in Partnership.objects.filter(program_id=seat.program_id).values_list("pk", flat=True)[:20]:
                page = ("committee_partnership", reverse("committee:partnership", args=[seat.program_id, pk]))
                people.append({"kind": "chair", "session": session_of(seat.user), "pages": [queue, page]})
        members = [p for p in people if p["kind"] == "member"]
        chairs = [p for p in people if p["kind"] == "chair"]
        if not members or not chairs:
            raise CommandError("The demo has no member waiting for feedback or no chair: nothing to load.")
        plan = {"cookie": settings.SESSION_COOKIE_NAME, "members": members, "chairs": chairs}
        Path(options["prepare_into"]).write_text(json.dumps(plan))

    # --- The load --------------------------------------------------------------------------------

    def _bench(self, options):
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as folder:
            env = serving.throwaway_server_environment(folder)
            plan_file = Path(folder) / "plan.json"
            serving.manage(["collectstatic", "--noinput", "--verbosity", "0"], env)
            serving.manage(["bench_load", "--members", str(options["members"]), "--prepare-into", str(plan_file)], env)
            plan = json.loads(plan_file.read_text())
            log = Path(folder) / "server.log"
            port = serving.free_port()
            with log.open("w") as server_log:
                server = serving.start(port, env, workers=2, stderr=server_log)
                try:
                    try:
                        serving.wait_until_up(port, server)
                    except RuntimeError as error:
                        raise CommandError(f"{error}\n{log.read_text()[-3000:]}") from None
                    setup_seconds = time.perf_counter() - started
                    figures = self._load(port, plan, options)
                finally:
                    serving.stop(server)
        return {
            "users": options["users"],
            "seconds": options["seconds"],
            "think_s": options["think"],
            **figures,
            "server": "gunicorn, 2 workers, DEBUG off",
            "setup_seconds": round(setup_seconds, 1),
            "db_vendor": connection.vendor,
            "database": os.path.basename(connection.settings_dict["NAME"]),
        }

    def _load(self, port, plan, options):
        """Every simulated person in a thread of their own, for the given time; their timings."""
        # One in four is a chair, the rest members: as on a real program's busy evening.
        chairs = max(1, options["users"] // 4) if options["users"] > 1 else 0
        people = [plan["chairs"][i % len(plan["chairs"])] for i in range(chairs)]
        people += [plan["members"][i % len(plan["members"])] for i in range(options["users"] - chairs)]
        headers = {"X-Forwarded-Proto": "https"}  # as behind the HTTPS proxy (no redirect to https)
        timings, failures, lock = [], [], threading.Lock()

        def get(conn, person, path):
            cookie = {"Cookie": f"{plan['cookie']}={person['session']}", **headers}
            conn.request("GET", path, headers=cookie)
            response = conn.getresponse()
            response.read()
            return response.status

        # Warm-up: every page once (templates compiled, connections open in both workers).
        for person in {p["session"]: p for p in people}.values():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _, path in person["pages"]:
                get(conn, person, path)
            conn.close()

        stop = time.monotonic() + options["seconds"]

        def browse(person, seed):
            rng = random.Random(seed)  # noqa: S311 - think times, not security
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            mine = []
            while time.monotonic() < stop:
                for page, path in person["pages"]:
                    t0 = time.perf_counter()
                    try:
                        status = get(conn, person, path)
                    except (OSError, http.client.HTTPException) as exc:
                        status = type(exc).__name__
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    mine.append((page, (time.perf_counter() - t0) * 1000, status))
                    if options["think"]:
                        time.sleep(rng.uniform(0, 2 * options["think"]))
                    if time.monotonic() >= stop:
                        break
            conn.close()
            with lock:
                timings.extend(mine)
                failures.extend((page, status) for page, _, status in mine if status != 200)

        began = time.monotonic()
        threads = [threading.Thread(target=browse, args=(p, i)) for i, p in enumerate(people)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - began
        if not timings:
            raise CommandError("No request was made.")
        ms = sorted(t for _, t, _ in timings)
        pages = {}
        for page, t, _ in timings:
            pages.setdefault(page, []).append(t)
        return {
            "requests": len(timings),
            "req_per_s": round(len(timings) / elapsed, 1),
            "p50_ms": round(statistics.median(ms), 1),
            "p95_ms": round(percentile(ms, 95), 1),
            "p99_ms": round(percentile(ms, 99), 1),
            "max_ms": round(ms[-1], 1),
            "errors": len(failures),
            "error_samples": [f"{page}: {status}" for page, status in failures[:5]],
            "pages": {
                page: {"requests": len(values), "p95_ms": round(percentile(sorted(values), 95), 1)}
                for page, values in sorted(pages.items())
            },
            "chairs": chairs,
        }


def percentile(ordered, p):
    """The nearest-rank percentile of a sorted list."""
    return ordered[max(0, -(-len(ordered) * p // 100) - 1)]


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
