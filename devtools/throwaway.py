"""A database of its own for a benchmark: created and migrated, swapped in for "default" while
the benchmark runs, and dropped afterwards.

The configured connection object is set aside untouched (a test's open transaction on it stays
open and sees none of the benchmark's rows) and put back at the end. Only a database whose name
starts with the benchmark's prefix is ever dropped."""

import contextlib
import copy
import os
import secrets
import tempfile

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
