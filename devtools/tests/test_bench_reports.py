"""The report benchmark: prints one JSON object, costs the same queries at twice the data, and
runs in a throwaway database of its own (the configured one gets none of its rows)."""

import io
import json

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from mentoring.models import Partnership, Region

pytestmark = pytest.mark.django_db

KEYS = {
    "members",
    "partnerships",
    "renders",
    "median_ms",
    "p95_ms",
    "queries",
    "setup_seconds",
    "snapshot_seconds",
    "db_vendor",
}


def bench(members, partnerships, renders=3):
    out = io.StringIO()
    call_command(
        "bench_reports",
        "--members",
        str(members),
        "--partnerships",
        str(partnerships),
        "--renders",
        str(renders),
        "--json",
        stdout=out,
    )
    lines = out.getvalue().strip().splitlines()
    assert len(lines) == 1, lines  # one JSON object, nothing else
    return json.loads(lines[0])


def test_the_benchmark_prints_json_with_constant_queries_in_a_throwaway_database(world):
    name_before = settings.DATABASES["default"]["NAME"]
    partnerships_before = Partnership.objects.count()

    small = bench(300, 100)
    assert KEYS <= small.keys()
    assert (small["members"], small["partnerships"], small["renders"]) == (300, 100, 3)
    assert small["rows"]["partnerships"] == 100 and small["rows"]["users"] == 301
    assert small["rows"]["responses"] > 0 and small["rows"]["solicitations"] >= small["rows"]["responses"]
    assert 0 < small["median_ms"] <= small["p95_ms"]
    assert small["db_vendor"] == connection.vendor
    assert small["database"].startswith("bench_reports_")

    double = bench(600, 200)
    assert double["rows"]["partnerships"] == 200
    # The same queries whatever the size of the region, to render and to take the figures.
    assert double["queries"] == small["queries"] > 0
    assert double["snapshot_queries"] == small["snapshot_queries"] > 0
    assert 0 < small["snapshot_rows"]["days"] < double["snapshot_rows"]["days"]
    # The job's next runs write what changed: nothing, then a row or two, in the same queries.
    for run in (small["next_snapshots"], double["next_snapshots"]):
        assert run["nothing_changed"]["new_snapshot"] is False and run["nothing_changed"]["rows_written"] == 0
        assert run["one_change"]["new_snapshot"] and 0 < run["one_change"]["rows_written"] <= 2
        assert run["thousand_changes"]["changes"] > 100  # a small region runs out of things to change
    for name in ("nothing_changed", "one_change", "thousand_changes"):
        assert double["next_snapshots"][name]["queries"] == small["next_snapshots"][name]["queries"]

    # The test database is untouched, and "default" points at it again.
    assert settings.DATABASES["default"]["NAME"] == name_before
    assert Partnership.objects.count() == partnerships_before == 0
    assert not Region.objects.filter(name="Bench region").exists()
    assert Region.objects.filter(name="North").exists()  # the test's own rows are still there


def test_too_few_members_for_the_partnerships_is_refused_before_anything_is_created():
    with pytest.raises(CommandError, match="at least"):
        call_command("bench_reports", "--members", "10", "--partnerships", "100", "--json", stdout=io.StringIO())
