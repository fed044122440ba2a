"""The benchmark command runs the real pipeline on a synthetic pool, without the database."""

import json
from io import StringIO

from django.core.management import call_command

KEYS = {
    "mentees",
    "mentors",
    "score_seconds",
    "solve_seconds",
    "total_seconds",
    "peak_mb",
    "peak_mb_source",
    "total_score",
    "greedy_total_score",
    "matched",
    "dense_check",
}
DENSE_KEYS = {
    "ours_total",
    "optimum_total",
    "ratio",
    "ours_weakest_tenth",
    "optimum_weakest_tenth",
    "ours_matched",
    "optimum_matched",
}


def bench(**options):
    out = StringIO()
    call_command(
        "bench_matching",
        mentees=300,
        mentors=120,
        dense_mentees=150,
        dense_mentors=60,
        json=True,
        stdout=out,
        **options,
    )
    return json.loads(out.getvalue())


def test_it_prints_one_json_object_with_every_key():
    report = bench(seed=4)
    assert KEYS <= set(report)
    assert DENSE_KEYS <= set(report["dense_check"])
    assert report["mentees"] == 300 and report["mentors"] == 120
    assert report["matched"] > 0 and report["verify_problems"] == 0
    # The exact solve never loses to the greedy one, nor beats the dense optimum.
    assert report["total_score"] >= report["greedy_total_score"]
    dense = report["dense_check"]
    assert dense["ours_total"] <= dense["optimum_total"] + 1e-6
    assert dense["ratio"] >= 0.99


def test_same_seed_gives_the_same_totals():
    first, second = bench(seed=9), bench(seed=9)
    for key in ("total_score", "greedy_total_score", "matched"):
        assert first[key] == second[key]
    assert first["dense_check"]["optimum_total"] == second["dense_check"]["optimum_total"]
    assert bench(seed=10)["total_score"] != first["total_score"]
