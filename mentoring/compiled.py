"""Queries that pages run on every request, compiled once per process: building and compiling a
queryset (its joins and columns, a union, a row of counts with a subquery each) can cost
several times running it, and was most of a page's time.

`rows(key, build, **values)` and `objects(key, build, **values)` call `build(**stand_ins)` once
per key and database vendor, with a stand-in for each value (a number in the 32,000s, a date or
datetime in 1901; never run), keep the SQL, and run it with the values put where the stand-ins were.
`count(key, build, **values)` is how many rows it has, and `page(key, build, number, per_page=...,
**values)` a Paginator page of it: the count and each page's rows compiled once.
Only for values the SQL carries as parameters as they are (ids and other whole numbers, dates,
aware datetimes such as "now"; a value it does not carry so is refused), and for querysets whose
shape does not depend on them (put what it depends on in the key)."""

import copy
from datetime import UTC, date, datetime

from django.core.paginator import Page, Paginator
from django.db import connection, connections
from django.utils import timezone

# (kind, key, vendor, time zone): (SQL, parameters, {position: value's name}, queryset, compiler)
_compiled = {}


def rows(key, build, **values) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of the queryset `build(**values)` would make."""
    sql, params, _, _ = _compile("rows", key, build, values)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [column[0] for column in cursor.description], cursor.fetchall()


def objects(key, build, **values) -> list:
    """The model instances `list(build(**values))` would give, select_related, annotations and
    prefetch_related included."""
    sql, params, queryset, compiler = _compile("objects", key, build, values)
    if queryset._known_related_objects:  # a related manager's instance: the first call's, for good
        raise ValueError(f"{key}: build from Model.objects, not from an instance's related manager")
    ready = copy.copy(compiler)  # its columns and related models, worked out once
    # This thread's connection itself, not the proxy to it: the proxy looks the thread up again
    # on every attribute the instances' reading touches.
    ready.connection = connections[queryset.db]
    ready.as_sql = lambda *args, **kwargs: (sql, params)
    # Each column's converters (from the database's values to Python's), worked out once too:
    # asked of every column again on each run, they cost more than reading the rows did.
    converters = _converters(key, compiler)
    ready.get_converters = lambda expressions: converters
    run = queryset._chain()
    run.query.get_compiler = lambda *args, **kwargs: ready
    return list(run)


def count(key, build, **values) -> int:
    """How many rows the queryset `build(**values)` has (unsliced), without reading them."""
    sql, params, _, _ = _compile("count", key, lambda **v: build(**v).order_by().values("pk"), values)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)  # noqa: S608 - our compiled SQL, values as parameters
        return cursor.fetchone()[0]


def page(key, build, number, *, per_page, **values) -> Page:
    """Page `number` (as a request gives it: a wrong one is the last or the first) of the
    queryset `build(**values)` (unsliced, in a fixed order), as Paginator(...).get_page gives it:
    the count compiled once, and each page's rows once per page; an empty list reads no rows."""
    return Paginator(_Pages(key, build, values), per_page).get_page(number)


class _Pages:
    """What Paginator reads of a compiled queryset: its length (the compiled count, read once)
    and a page's rows (a slice, compiled once per slice: the database takes its limit and offset
    in the SQL, not as parameters)."""

    def __init__(self, key, build, values):
        self.key, self.build, self.values = key, build, values
        self.length = None

    def __len__(self):
        if self.length is None:
            self.length = count(self.key, self.build, **self.values)
        return self.length

    def __getitem__(self, rows):
        start, stop = rows.start or 0, rows.stop
        if stop <= start:
            return []
        build = self.build
        return objects((self.key, start, stop), lambda **v: build(**v)[start:stop], **self.values)


def _converters(key, compiler):
    """{position: (converters, column)} of the compiled query's columns, as results_iter asks."""
    cache_key = ("converters", key, connection.vendor, timezone.get_current_timezone_name())
    if cache_key not in _compiled:
        _compiled[cache_key] = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
    return _compiled[cache_key]


def _compile(kind, key, build, values):
    """(SQL, this call's parameters, the stand-ins' queryset, its compiler), compiled once."""
    # The time zone too: a day of a datetime (TruncDate, __date) is taken in the current one.
    cache_key = (kind, key, connection.vendor, timezone.get_current_timezone_name())
    if cache_key not in _compiled:
        stand_ins = {name: _stand_in(i, values[name]) for i, name in enumerate(sorted(values))}
        queryset = build(**stand_ins)
        compiler = queryset.query.get_compiler(queryset.db)
        sql, params = compiler.as_sql()  # also works out the columns and the related models
        slots = {}
        for position, param in enumerate(params):
            for name, stand_in in stand_ins.items():
                adapted = _adapted(stand_in)
                if type(param) is type(adapted) and param == adapted:
                    slots[position] = name
        # A value the SQL does not carry as it is (a datetime truncated to its day, a number
        # outside its column's range, which Django leaves out of the SQL) would be the stand-in's
        # for good: refused.
        lost = sorted(set(values) - set(slots.values()))
        if lost:
            raise ValueError(f"{key}: {lost} not among the SQL's parameters")
        _compiled[cache_key] = sql, tuple(params), slots, queryset, compiler
    sql, params, slots, queryset, compiler = _compiled[cache_key]
    params = [_adapted(values[slots[i]]) if i in slots else p for i, p in enumerate(params)]
    return sql, params, queryset, compiler


def _stand_in(i, value):
    if isinstance(value, datetime):
        return datetime(1901, 2, 3, 4, 5, 6, 7 + i, tzinfo=UTC)
    if isinstance(value, date):
        return date(1901, 2, 3 + i)
    return 32_000 + i  # within even a small integer column's range (ids are any number)


def _adapted(value):
    """`value` as the SQL's parameters carry it."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value
