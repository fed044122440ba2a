"""Records kept no longer than needed, in a real headless Chromium: the member opens the link in
the warning email and keeps their history with one click (no sign-in); the chair sees what will
expire in the program. Both pages are checked by axe (screenshot) and looked at."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from conftest import partnership_for, screenshot, sign_in
from mentoring.models import Partnership
from partnerships import life
from retention import services as retention
from retention.models import RecordExpiry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_member_keeps_their_history_and_the_chair_sees_what_will_expire(page, live_server, world):
    program, chair = world["program"], world["people"]["chair"]
    for tag in ("a", "b"):
        p = partnership_for(program, chair, tag=tag)
        life.complete(partnership=p, by=chair)
        ended = timezone.localdate() - timedelta(days=24 * 30 + (0 if tag == "a" else -40))
        Partnership.objects.filter(pk=p.pk).update(ended_on=ended)
    retention.run_retention_job()
    member = Partnership.objects.get(mentee__email="mentee.a@example.org").mentee
    link = retention.keep_url(member).removeprefix(settings.SITE_URL)  # the link in the warning email

    page.goto(live_server.url + link)
    expect(page.get_by_role("heading", name="Keep my mentoring history")).to_be_visible()
    screenshot(page, "retention-01-keep-history")
    page.get_by_role("button", name="Keep my history").click()
    expect(page.get_by_role("status")).to_contain_text("will not be removed")
    screenshot(page, "retention-02-kept")
    assert RecordExpiry.objects.get(user=member).kept_at is not None

    sign_in(page, live_server, chair.email)
    page.goto(f"{live_server.url}/committee/{program.pk}/expiry/")
    expect(page.get_by_role("heading", name="Records kept: what will be removed")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Mentee A (mentee) with Mentor A (mentor)")
    expect(page.get_by_role("table")).to_contain_text("keeps their history")
    screenshot(page, "retention-03-chair-expiry")
