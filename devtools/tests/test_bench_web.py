"""The pages benchmark: the real server answers every main page and the bare page with 200, the
figures and query counts are printed for each, and the throwaway database is gone afterwards."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from devtools.tests.factories import database_exists
from mentoring.models import Region

pytestmark = pytest.mark.django_db

PAGES = {
    "home",
    "my_mentoring",
    "partnership",
    "committee_dashboard",
    "matching_queue",
    "vetting_queue",
    "region_report",
    "association_report",
}


def test_the_pages_benchmark_prints_json_with_no_errors(world):
    out = io.StringIO()
    # The in-process client: the test does not depend on wrk being installed.
    call_command("bench_web", "--seconds", "0.3", "--members", "60", "--threads", "--json", stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines
    report = json.loads(lines[0])
    assert set(report["pages"]) == PAGES
    for name, page in report["pages"].items():
        assert page["errors"] == 0, name
        assert page["requests"] > 0 and 0 < page["p50_ms"] <= page["p95_ms"], name
        assert page["queries"] > 0 and page["ratio"] > 0, name
        assert 0 < page["queries_again"] <= page["queries"], name  # the reports' figures are drawn once
    assert report["pages"]["region_report"]["queries_again"] < report["pages"]["region_report"]["queries"]
    assert report["bare"]["queries"] == 4 and report["bare"]["errors"] == 0
    assert len(report["bare"]["req_per_s_runs"]) == len(PAGES) + 1
    assert report["db_vendor"] == connection.vendor and report["load_generator"] == "threads in this process"
    assert report["database"].startswith("bench_web_") and not database_exists(report["database"])
    # The test's own rows are untouched, and none of the demo's reached them.
    assert Region.objects.filter(name="North").exists() and not Region.objects.filter(name="Great Lakes").exists()


@pytest.mark.parametrize("args", [["--seconds", "0"], ["--connections", "0"]])
def test_wrong_options_are_refused(args):
    with pytest.raises(CommandError, match="--seconds must be more than 0"):
        call_command("bench_web", *args)


def test_preparing_refuses_any_database_but_its_own(tmp_path):
    with pytest.raises(CommandError, match="only on a bench_web database"):
        call_command("bench_web", "--prepare-into", str(tmp_path / "plan.json"))


def test_the_bare_page_is_not_in_the_site(client):
    assert client.get("/bench/bare/").status_code == 404
