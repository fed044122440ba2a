"""A query compiled once (mentoring.compiled) runs with each caller's values, never the stand-ins."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from mentoring import compiled
from mentoring.models import LocalAssociation, Region

pytestmark = pytest.mark.django_db


def test_a_query_compiled_once_runs_with_each_callers_values(world):
    north, south = world["regions"]["north"], world["regions"]["south"]
    built = []

    def build(region_id, other_id):
        built.append((region_id, other_id))
        return Region.objects.filter(pk__in=[region_id, other_id]).order_by("name").values("name")

    assert compiled.rows("test-regions", build, region_id=north.pk, other_id=0) == (["name"], [("North",)])
    with CaptureQueriesContext(connection) as ran:
        assert compiled.rows("test-regions", build, region_id=south.pk, other_id=north.pk)[1] == [
            ("North",),
            ("South",),
        ]
    assert len(built) == 1 and set(built[0]) == {32_000, 32_001}  # built once, with stand-ins
    assert str(built[0][0]) not in ran.captured_queries[0]["sql"]


def test_model_instances_compiled_once_are_the_querysets_own(world, django_assert_num_queries):
    """With their related rows and annotations, and a datetime value ("now"), in one query."""
    joined = world["people"]["member"].date_joined
    built = []

    def build(region_id, now):
        built.append(now)
        members = Count("members", filter=Q(members__user__date_joined__lte=now))
        return LocalAssociation.objects.filter(region_id=region_id).annotate(n=members).select_related("region")

    for region, now in ((world["regions"]["north"], joined), (world["regions"]["south"], joined - timedelta(days=1))):
        with django_assert_num_queries(1):
            got = compiled.objects("test-associations", build, region_id=region.pk, now=now)
        expected = list(build(region.pk, now))
        assert [(a.pk, a.region.name, a.n) for a in got] == [(a.pk, a.region.name, a.n) for a in expected]
        assert got and all(a.region == region for a in got)
    assert built[0].year == 1901 and len(built) == 3  # compiled once, with stand-ins (then built to compare)


def test_a_datetime_the_sql_does_not_carry_so_is_refused(world):
    def build(now):
        return Region.objects.filter(vice_president__date_joined__date__lte=now)

    with pytest.raises(ValueError):
        compiled.objects("test-refused", build, now=timezone.now())


def test_a_compiled_querys_converters_are_worked_out_once(world, monkeypatch):
    """Each column's converters are asked for when the query is compiled, not on every run, and
    still applied (a datetime read back from SQLite's text, a related row's included)."""
    north = world["regions"]["north"]

    def build(region_id):
        return Region.objects.filter(pk=region_id).select_related("vice_president")

    compiled.objects("test-converters", build, region_id=north.pk)
    asked = []
    original = SQLCompiler.get_converters
    monkeypatch.setattr(SQLCompiler, "get_converters", lambda self, e: asked.append(e) or original(self, e))
    (got,) = compiled.objects("test-converters", build, region_id=north.pk)
    assert not asked
    expected = Region.objects.select_related("vice_president").get(pk=north.pk)
    assert got.vice_president.date_joined == expected.vice_president.date_joined
    assert timezone.is_aware(got.vice_president.date_joined)


def test_a_compiled_page_is_the_paginators(world, django_assert_num_queries):
    """compiled.page gives Paginator(...).get_page's page: the same rows and count, a page asked
    for past the end is the last; the count and each page are compiled once."""
    region = world["regions"]["north"]
    for i in range(5):
        LocalAssociation.objects.create(name=f"Paged {i}", region=region, city="Paged")
    built = []

    def build(region_id):
        built.append(region_id)
        return LocalAssociation.objects.filter(region_id=region_id).select_related("region").order_by("name", "pk")

    expected = Paginator(build(region.pk), 2)
    built.clear()
    for number, shown in (("1", 1), ("2", 2), ("99", expected.num_pages), ("x", 1), ("2", 2)):
        with django_assert_num_queries(2):  # the count, the page's rows
            page = compiled.page("test-page", build, number, per_page=2, region_id=region.pk)
        assert page.number == shown and page.paginator.count == expected.count
        assert [a.pk for a in page] == [a.pk for a in expected.page(shown)]
        assert all(a.region == region for a in page)
    assert len(built) == 1 + 3  # the count, then pages 1, 2 and the last, with stand-ins
    assert set(built) == {32_000}


def test_an_empty_compiled_page_reads_no_rows(world, django_assert_num_queries):
    def build(region_id):
        return LocalAssociation.objects.filter(region_id=region_id).order_by("pk")

    with django_assert_num_queries(1):  # the count only
        page = compiled.page("test-empty-page", build, None, per_page=2, region_id=world["regions"]["north"].pk + 999)
    assert page.paginator.count == 0 and list(page) == [] and page.number == 1


def test_a_compiled_count_counts_rows_not_joins(world):
    """Annotated with a count of related rows (a GROUP BY), the rows are counted, as count() does."""
    north = world["regions"]["north"]

    def build(region_id):
        return LocalAssociation.objects.filter(region_id=region_id).annotate(n=Count("members"))

    assert compiled.count("test-count", build, region_id=north.pk) == build(north.pk).count() > 0
