"""The main pages beside a bare Django page, on the real server, in one run.

    python manage.py bench_web --seconds 10 --json [--connections 4] [--members 400]

In a throwaway database the demo association is seeded and the report figures taken; gunicorn
(DEBUG off, production settings and keys of its own, two workers as in the Procfile) serves the
site on a free loopback port, plus a bare page found only in this benchmark's server
(devtools/bench_web_app.py): one view, 4 queries, a 20-row table. Each page is then loaded on its
own, one after the other, for --seconds with --connections at once, as the person who uses it
(a session written as signing in leaves it):

- the member's home, My mentoring and the partnership page (Pat Partner, a mentee);
- the committee dashboard, the matching queue and the vetting queue (the chair);
- the region report (the region's vice president), the association report (its president).

The bare page is loaded before and after every page; each page's ratio is its req/s over the
mean of those two runs (the machine's other load moves both). Load generator: wrk if installed, else threads in
this process (which then share the cores with the server). Prints one JSON object.
"""

import argparse
import http.client
import json
import math
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools import serving
from devtools.throwaway import throwaway_database

PREFIX = "bench_web_"
APP = "devtools.bench_web_app"
QUERIES_HEADER = "X-Bench-Queries"  # set by devtools.bench_web_app
HEADERS = {"X-Forwarded-Proto": "https"}  # as behind the HTTPS proxy (no redirect to https)

# wrk's own figures as one JSON line (latencies in microseconds).
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "errors": %d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    e.status + e.connect + e.read + e.write + e.timeout))
end
"""


class Command(BaseCommand):
    help = "The main pages and a bare Django page side by side on gunicorn: req/s, p50, p95, queries; JSON."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seconds", type=float, default=10, help="load on each page, in seconds (whole ones with wrk)"
        )
        parser.add_argument("--connections", type=int, default=4, help="requests at once")
        parser.add_argument("--members", type=int, default=400, help="members in the demo association")
        parser.add_argument("--threads", action="store_true", help="the in-process client even if wrk is there")
        parser.add_argument("--json", action="store_true", help="print one JSON object (the default is text)")
        # Internal: run by this command in a subprocess with the server's settings.
        parser.add_argument("--prepare-into", help=argparse.SUPPRESS)

    def handle(self, *args, **options):
        if options["prepare_into"]:
            return self._prepare(options)
        if options["seconds"] <= 0 or options["connections"] < 1:
            raise CommandError("--seconds must be more than 0 and --connections at least 1.")
        previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)  # a timeout cleans up as Ctrl-C does
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

    def _prepare(self, options):
        """Seed the demo, take the report figures, and write each page's address and session."""
        from django.db.models import Q
        from django.urls import reverse

        from accounts.models import User
        from devtools import demo
        from mentoring.models import AssociationOfficer, CommitteeMembership, Partnership, Region
        from reports import figures

        if not os.path.basename(connection.settings_dict["NAME"]).startswith(PREFIX):
            raise CommandError("--prepare-into runs only on a bench_web database.")
        demo.seed(members=options["members"])
        figures.take_snapshot()
        partner = User.objects.get(email="partner@example.org")
        partnership = Partnership.objects.filter(
            Q(mentee=partner) | Q(mentor=partner), status=Partnership.Status.ACTIVE
        ).first()
        seat = CommitteeMembership.objects.filter(
            role=CommitteeMembership.Role.CHAIR, program__name=demo.NEW_MEMBER_PROGRAM[0]
        ).first()
        region = Region.objects.get(vice_president__email="vp.great-lakes@example.org")
        office = AssociationOfficer.objects.current().get(user__email="president@example.org")
        member, chair, vp, president = (
            serving.signed_in_session(user) for user in (partner, seat.user, region.vice_president, office.user)
        )
        program = seat.program_id
        pages = {
            "bare": (member, "/bench/bare/"),
            "home": (member, reverse("home")),
            "my_mentoring": (member, reverse("my_mentoring")),
            "partnership": (member, reverse("partnership", args=[partnership.pk])),
            "committee_dashboard": (chair, reverse("committee:dashboard", args=[program])),
            "matching_queue": (chair, reverse("committee:matching", args=[program])),
            "vetting_queue": (chair, reverse("committee:vetting", args=[program])),
            "region_report": (vp, reverse("region_report", args=[region.pk])),
            "association_report": (president, reverse("association_report", args=[office.association_id])),
        }
        plan = {"cookie": settings.SESSION_COOKIE_NAME, "pages": pages}
        Path(options["prepare_into"]).write_text(json.dumps(plan))

    def _bench(self, options):
        with tempfile.TemporaryDirectory() as folder:
            env = serving.throwaway_server_environment(folder)
            if connection.vendor == "sqlite":
                # Production's persistent connections: a SQLite file is removed whatever holds it.
                env.pop("CONN_MAX_AGE")
            plan_file = Path(folder) / "plan.json"
            serving.manage(["collectstatic", "--noinput", "--verbosity", "0"], env)
            serving.manage(["bench_web", "--members", str(options["members"]), "--prepare-into", str(plan_file)], env)
            plan = json.loads(plan_file.read_text())
            log = Path(folder) / "server.log"
            port = serving.free_port()
            with log.open("w") as server_log:
                server = serving.start(port, env, workers=2, stderr=server_log, app=APP)
                try:
                    try:
                        serving.wait_until_up(port, server)
                    except RuntimeError as error:
                        raise CommandError(f"{error}\n{log.read_text()[-3000:]}") from None
                    report = self._measure(port, plan, options)
                finally:
                    serving.stop(server)
        return report | {
            "server": "gunicorn, 2 workers, DEBUG off, production settings",
            "db_vendor": connection.vendor,
            "database": os.path.basename(connection.settings_dict["NAME"]),
        }

    def _measure(self, port, plan, options):
        load = _threads if options["threads"] or not shutil.which("wrk") else _wrk
        load_before = os.getloadavg()

        def run(name):
            session, path = plan["pages"][name]
            cookie = f"{plan['cookie']}={session}"
            status, queries = _get_once(port, path, cookie)  # also warms the workers' caches
            _, again = _get_once(port, path, cookie)
            if status != 200:
                raise CommandError(f"{name} ({path}) answered {status}, not 200.")
            # queries: the first request's; queries_again: the next one's, as the load finds the
            # page (the reports' figures are drawn once per snapshot and kept in the shared cache).
            figures = load(port, path, cookie, options["seconds"], options["connections"])
            return figures | {"queries": queries, "queries_again": again}

        # The bare page runs before and after every page, and each page is compared with those two
        # runs: the machine's other load changes within a run, and both sides feel it alike.
        bare_runs = [run("bare")]
        pages = {}
        for name in plan["pages"]:
            if name != "bare":
                pages[name] = run(name)
                bare_runs.append(run("bare"))
                around = statistics.mean(b["req_per_s"] for b in bare_runs[-2:])
                pages[name]["ratio"] = round(pages[name]["req_per_s"] / around, 2)
        return {
            "seconds_per_page": options["seconds"],
            "connections": options["connections"],
            "load_generator": "wrk" if load is _wrk else "threads in this process",
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "bare": {
                "req_per_s": round(statistics.mean(b["req_per_s"] for b in bare_runs), 1),
                "req_per_s_runs": [b["req_per_s"] for b in bare_runs],
                "p50_ms": round(statistics.median(b["p50_ms"] for b in bare_runs), 1),
                "p95_ms": round(statistics.median(b["p95_ms"] for b in bare_runs), 1),
                "queries": bare_runs[0]["queries"],
                "errors": sum(b["errors"] for b in bare_runs),
            },
            "pages": pages,
        }


def _get_once(port, path, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, **HEADERS})
        response = conn.getresponse()
        response.read()
        return response.status, int(response.getheader(QUERIES_HEADER, "-1"))
    finally:
        conn.close()


def _wrk(port, path, cookie, seconds, connections):
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT)
        script.flush()
        arguments = [f"-t{min(2, connections)}", f"-c{connections}", f"-d{math.ceil(seconds)}s", "-s", script.name]
        for name, value in {"Cookie": cookie, **HEADERS}.items():
            arguments += ["-H", f"{name}: {value}"]
        done = subprocess.run(  # noqa: S603 - wrk, found on PATH, with our arguments
            [shutil.which("wrk"), *arguments, f"http://127.0.0.1:{port}{path}"],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 60,
        )
    if done.returncode:
        raise CommandError(f"wrk failed: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {
        "requests": figures["requests"],
        "req_per_s": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "errors": figures["errors"],
    }


def _threads(port, path, cookie, seconds, connections):
    """One thread per connection, each sending its next request when the last one is answered."""
    timings, errors, lock = [], [], threading.Lock()
    stop = time.monotonic() + seconds

    def client():
        mine, failed = [], 0
        while time.monotonic() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)  # gunicorn's sync workers close it
            t0 = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie, **HEADERS})
                response = conn.getresponse()
                response.read()
                failed += response.status != 200
            except (OSError, http.client.HTTPException):
                failed += 1
            finally:
                conn.close()
            mine.append((time.perf_counter() - t0) * 1000)
        with lock:
            timings.extend(mine)
            errors.append(failed)

    began = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    ms = sorted(timings)
    return {
        "requests": len(ms),
        "req_per_s": round(len(ms) / elapsed, 1),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[max(0, -(-len(ms) * 95 // 100) - 1)], 1),
        "errors": sum(errors),
    }


def _exit_on_sigterm(signum, frame):
    raise SystemExit(128 + signum)
