"""The benchmark command runs the real feedback job in a database of its own, never in yours."""

import json
import os
import tempfile
from io import StringIO

from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from accounts.models import User
from feedback.models import Solicitation
from mentoring.models import Partnership, Program
from outbox.models import OutgoingEmail

KEYS = {
    "partnerships",
    "seconds",
    "emails_sent",
    "second_run_emails_sent",
    "setup_seconds",
    "peak_mb",
    "peak_mb_source",
    "db_vendor",
}


def test_it_prints_one_json_object_and_leaves_the_database_alone(world):
    ours, database_name = connections["default"], settings.DATABASES["default"]["NAME"]
    counts = [model.objects.count() for model in (User, Program, Partnership, Solicitation, OutgoingEmail)]
    out = StringIO()
    call_command("bench_feedback", partnerships=300, json=True, stdout=out)
    report = json.loads(out.getvalue())

    assert KEYS <= set(report)
    assert report["partnerships"] == 300 and report["db_vendor"] == connection.vendor
    assert report["emails_sent"] == 600 and report["first_run"]["sent"] == 600
    assert report["second_run_emails_sent"] == 0 and report["second_run"]["created"] == 0
    assert report["solicitations"] == {"sent": 600}
    assert report["seconds"] > 0 and report["peak_mb"] > 0
    # The waits for the sent marks (one committed per email) are part of the database's time.
    assert 0 <= report["marks_seconds"] <= report["db_seconds"]

    # Our database: the same connection, the same name, nothing added; no mail in our outbox.
    assert connections["default"] is ours and ours.in_atomic_block  # this test's transaction is still open
    assert settings.DATABASES["default"]["NAME"] == database_name == ours.settings_dict["NAME"]
    assert [model.objects.count() for model in (User, Program, Partnership, Solicitation, OutgoingEmail)] == counts
    assert not Partnership.objects.exists() and mail.outbox == []
    # The throwaway database is gone.
    name = f"bench_feedback_{os.getpid()}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name])
            assert cursor.fetchone()[0] == 0
    else:
        assert not os.path.exists(os.path.join(tempfile.gettempdir(), f"{name}.sqlite3"))
