"""A query compiled once (mentoring.compiled) runs with each caller's values, never the stand-ins."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentoring import compiled
from mentoring.models import Region

pytestmark = pytest.mark.django_db


def test_a_query_compiled_once_runs_with_each_callers_values(world):
    north, south = world["regions"]["north"], world["regions"]["south"]
    built = []

    def build(region_id, other_id):
        built.append((region_id, other_id))
        return Region.objects.filter(pk__in=[region_id, other_id]).order_by("name").values("name")

    assert compiled.rows("test-regions", build, region_id=north.pk, other_id=-1) == (["name"], [("North",)])
    with CaptureQueriesContext(connection) as ran:
        assert compiled.rows("test-regions", build, region_id=south.pk, other_id=north.pk)[1] == [
            ("North",),
            ("South",),
        ]
    assert len(built) == 1 and all(pk < 0 for pk in built[0])  # built once, with stand-ins
    assert str(built[0][0]) not in ran.captured_queries[0]["sql"]
