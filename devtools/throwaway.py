"""A database of its own for a benchmark: created and migrated, swapped in for "default" while
the benchmark runs, and dropped afterwards.

On PostgreSQL it is a copy of a migrated template (CREATE DATABASE ... TEMPLATE: about a second)
instead of a migration from nothing (ten seconds and more): the template, `bench_template_` and a
digest of the migrations and requirements, is migrated once, by whichever process needs it
first (the others wait on a lock), kept for the next runs, and replaced when the migrations
change. It is built under another name and renamed once migrated, so a process killed while
building it leaves no half-migrated template behind.

The configured connection object is set aside untouched (a test's open transaction on it stays
open and sees none of the benchmark's rows) and put back at the end. Only a database whose name
starts with the benchmark's prefix is ever dropped."""

import contextlib
import copy
import hashlib
import os
import secrets
import tempfile
from pathlib import Path

import django
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import DEFAULT_DB_ALIAS


@contextlib.contextmanager
def throwaway_database(prefix):
    """`with throwaway_database("bench_x_"):` "default" is a new, migrated, empty database
    named prefix + this process's id + a random part (a temporary file on SQLite)."""
    original = connections[DEFAULT_DB_ALIAS]
    original_name = settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"]
    original_test = settings.DATABASES[DEFAULT_DB_ALIAS].get("TEST")
    name = f"{prefix}{os.getpid()}_{secrets.token_hex(3)}"  # two machines' runs may share a PostgreSQL and a pid
    if original.vendor == "sqlite":
        name = os.path.join(tempfile.gettempdir(), name + ".sqlite3")
    settings_dict = copy.deepcopy(original.settings_dict)
    settings_dict["NAME"] = original_name
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": name, "MIGRATE": True}
    settings.DATABASES[DEFAULT_DB_ALIAS]["TEST"] = settings_dict["TEST"]
    bench = original.__class__(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = bench

    def ours():
        return os.path.basename(bench.settings_dict["NAME"]).startswith(prefix)

    try:
        if bench.vendor == "postgresql":
            _copy_of_template(bench, name)
        else:
            # create_test_db also writes the new NAME into settings.DATABASES; restored below.
            bench.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        ContentType.objects.clear_cache()  # it holds the configured database's rows (auditlog reads it)
        if not ours():
            raise CommandError(f"Refusing to run on {bench.settings_dict['NAME']!r}.")
        yield bench
    finally:
        try:
            if ours():  # created, even if migrating it failed
                bench.creation.destroy_test_db(old_database_name=original_name, verbosity=0)
            else:
                bench.close()
        finally:
            ContentType.objects.clear_cache()  # and now the throwaway database's
            settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = original_name
            if original_test is None:
                settings.DATABASES[DEFAULT_DB_ALIAS].pop("TEST", None)
            else:
                settings.DATABASES[DEFAULT_DB_ALIAS]["TEST"] = original_test
            connections[DEFAULT_DB_ALIAS] = original


TEMPLATE_PREFIX = "bench_template_"
TEMPLATE_LOCK = 7_201_318  # pg_advisory_lock's key: one process builds the template at a time


def _digest() -> str:
    """What the template's schema depends on: the migrations, the pinned requirements, Django."""
    base = Path(settings.BASE_DIR)
    parts = [django.__version__, *settings.INSTALLED_APPS, (base / "requirements.txt").read_text()]
    for path in sorted(base.glob("*/migrations/*.py")):
        parts += [str(path.relative_to(base)), path.read_text()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def _copy_of_template(bench, name):
    """Make `name` a copy of the migrated template and point `bench` (and settings.DATABASES, as
    create_test_db does) at it."""
    copy_migrated_template(bench, name)
    bench.close()
    bench.settings_dict["NAME"] = name
    settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = name


def copy_migrated_template(connection, name):
    """Create (or replace) the PostgreSQL database `name` as a copy of the migrated template,
    built first if there is none for these migrations. Also how the suite makes its own test
    databases (conftest.py): one migration for the three processes of CI instead of three."""
    template = TEMPLATE_PREFIX + _digest()
    quote = connection.ops.quote_name
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [TEMPLATE_LOCK])
        try:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            if cursor.fetchone() is None:
                _build_template(connection, cursor, template)
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
            cursor.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [TEMPLATE_LOCK])


def _build_template(connection, cursor, template):
    """Migrate a database from nothing under a building name, then give it the template's name;
    templates of other migrations are dropped (those in use are left for a later run)."""
    quote = connection.ops.quote_name
    building = template + "_building"
    settings_dict = copy.deepcopy(connection.settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": building, "MIGRATE": True}
    builder = connection.__class__(settings_dict, DEFAULT_DB_ALIAS)
    saved_name = settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"]
    saved_default = connections[DEFAULT_DB_ALIAS]
    connections[DEFAULT_DB_ALIAS] = builder  # migrate works on "default"
    try:
        builder.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    finally:
        builder.close()
        connections[DEFAULT_DB_ALIAS] = saved_default
        settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = saved_name
    cursor.execute(f"ALTER DATABASE {quote(building)} RENAME TO {quote(template)}")
    cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", [TEMPLATE_PREFIX + "%"])
    for (old,) in cursor.fetchall():
        if old != template:
            with contextlib.suppress(Exception):
                cursor.execute(f"DROP DATABASE {quote(old)}")
