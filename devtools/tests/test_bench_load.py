"""The load benchmark: the real server (gunicorn, DEBUG off, static files collected as in
production) answers every page of every simulated person with 200, and the throwaway database
is gone afterwards."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from devtools.tests.factories import database_exists
from mentoring.models import Region

pytestmark = pytest.mark.django_db

KEYS = {"users", "seconds", "requests", "req_per_s", "p50_ms", "p95_ms", "p99_ms", "errors", "pages", "db_vendor"}


def test_the_load_benchmark_prints_json_with_no_errors(world):
    out = io.StringIO()
    call_command(
        "bench_load", "--users", "3", "--seconds", "1", "--think", "0", "--members", "60", "--json", stdout=out
    )
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    report = json.loads(lines[0])
    assert KEYS <= report.keys()
    assert report["errors"] == 0, report["error_samples"]
    assert report["requests"] > 0 and 0 < report["p50_ms"] <= report["p95_ms"] <= report["p99_ms"]
    assert set(report["pages"]) == {
        "my_mentoring",
        "partnership",
        "feedback_form",
        "attention_queue",
        "committee_partnership",
    }
    assert report["chairs"] == 1 and report["db_vendor"] == connection.vendor
    assert report["database"].startswith("bench_load_") and not database_exists(report["database"])
    # The test's own rows are untouched, and none of the demo's reached them.
    assert Region.objects.filter(name="North").exists() and not Region.objects.filter(name="Great Lakes").exists()


@pytest.mark.parametrize("args", [["--users", "0"], ["--seconds", "0"], ["--think", "-1"]])
def test_wrong_options_are_refused(args):
    with pytest.raises(CommandError, match="--users must be at least 1"):
        call_command("bench_load", *args)


def test_preparing_refuses_any_database_but_its_own(tmp_path):
    with pytest.raises(CommandError, match="only on a bench_load database"):
        call_command("bench_load", "--prepare-into", str(tmp_path / "plan.json"))
