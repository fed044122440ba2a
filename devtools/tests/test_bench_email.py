"""The email benchmark sends a real announcement through the outbox to a real SMTP server on
loopback, in a database of its own, and reports what the server saw."""

import json
from io import StringIO

from django.core import mail
from django.core.management import call_command
from django.db import connections

from outbox.models import OutgoingEmail


def test_it_sends_each_member_one_email_over_one_connection_per_batch(world):
    ours, queued = connections["default"], OutgoingEmail.objects.count()
    out = StringIO()
    call_command("bench_email", members=120, json=True, stdout=out)
    report = json.loads(out.getvalue())

    assert report["members"] == report["emails_sent"] == report["marked_sent"] == 120
    assert (report["duplicates"], report["missing"]) == (0, 0)
    assert report["connections"] == 1  # the outbox sends up to 500 per connection
    assert report["own_ms_per_email"] > 0 and report["emails_per_second"] > 0
    # Our database and outbox are untouched.
    assert connections["default"] is ours and OutgoingEmail.objects.count() == queued and mail.outbox == []
