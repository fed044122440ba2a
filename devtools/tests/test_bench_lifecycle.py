"""The lifecycle benchmark runs the real jobs in a database of its own, each twice, and the second
run of each does nothing."""

import json
from io import StringIO

from django.core import mail
from django.core.management import call_command

from accounts.models import User
from mentoring.models import Partnership
from outbox.models import OutgoingEmail


def test_it_runs_each_job_twice_the_second_doing_nothing_and_leaves_the_database_alone(world):
    counts = [model.objects.count() for model in (User, Partnership, OutgoingEmail)]
    out = StringIO()
    call_command("bench_lifecycle", members=40, partnerships=6, json=True, stdout=out)
    report = json.loads(out.getvalue())

    assert report["announce"]["count"] == 40 and report["announce"]["again"] == "refused"
    assert report["complete_overdue"] | {"seconds": 0} == {"seconds": 0, "count": 6, "again": 0}
    assert report["still_waiting"] | {"seconds": 0} == {"seconds": 0, "count": 6, "again": 0}
    # Both partners of each partnership finished long ago: warned, then their part removed.
    assert report["retention_warn"] | {"seconds": 0} == {"seconds": 0, "count": 12, "again": 0}
    assert report["retention_expire"] | {"seconds": 0} == {"seconds": 0, "count": 12, "again": 0}
    # 40 announcements; per completed partnership 2 thanks and 2 final rounds; 6 notes; 12 warnings.
    assert report["mailer"]["count"] == 40 + 6 * 4 + 6 + 12
    assert [model.objects.count() for model in (User, Partnership, OutgoingEmail)] == counts
    assert mail.outbox == []
