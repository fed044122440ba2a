"""One way to write a time, on every page and in every email: "12:32 PM". A walk through the site
met "12:32 PM" (our templates' own format) beside "12:31 p.m." (Django's English default, wherever
a template gave none)."""

import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.template import Context, Template
from django.utils import timezone

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def test_times_are_written_one_way_with_or_without_a_format():
    moment = datetime(2026, 3, 9, 12, 32, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with timezone.override(settings.TIME_ZONE):
        shown = Template(
            '{{ t|time }}|{{ t|date:"DATETIME_FORMAT" }}|{{ t }}|{{ t|date:"SHORT_DATETIME_FORMAT" }}'
        ).render(Context({"t": moment}))
    assert shown == "12:32 PM|Mar 9, 2026, 12:32 PM|Mar 9, 2026, 12:32 PM|03/09/2026 12:32 PM"


def test_no_template_writes_a_time_format_of_its_own():
    """A time is written with |time or DATETIME_FORMAT, never a format letter for hours."""
    own = re.compile(r"""\|(?:date|time):["'][^"']*[gGhHPaA][^"']*["']""")
    found = [
        f"{path.relative_to(TEMPLATES)}: {match}"
        for path in TEMPLATES.rglob("*.*")
        for match in own.findall(path.read_text())
        if "FORMAT" not in match
    ]
    assert found == []
