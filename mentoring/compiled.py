"""Queries that pages run on every request, compiled once per process: building and compiling a
queryset (a union, a row of counts with a subquery each) can cost several times running it.

`rows(key, build, **values)` calls `build(**stand_ins)` once per key and database vendor, with a
stand-in for each value (a negative id, which no row has), keeps the SQL, and runs it with the
values put where the stand-ins were. Only for values the SQL carries as parameters (ids), and
for querysets whose shape does not depend on them (put what it depends on in the key)."""

from django.db import connection

_compiled = {}  # (key, vendor): (SQL, parameters)


def rows(key, build, **values) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of the queryset `build(**values)` would make."""
    stand_ins = {name: -7_654_321 - i for i, name in enumerate(sorted(values))}
    cache_key = (key, connection.vendor)
    if cache_key not in _compiled:
        queryset = build(**stand_ins)
        sql, params = queryset.query.sql_with_params()
        _compiled[cache_key] = sql, tuple(params)
    sql, params = _compiled[cache_key]
    by_stand_in = {stand_in: values[name] for name, stand_in in stand_ins.items()}
    with connection.cursor() as cursor:
        cursor.execute(sql, [by_stand_in.get(p, p) if type(p) is int else p for p in params])
        return [column[0] for column in cursor.description], cursor.fetchall()
