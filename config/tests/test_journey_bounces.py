"""A bounce, end to end in a real headless Chromium: the provider's webhook reports that Ana's
address bounced; Ana reads it on her home page and follows the link to her email addresses; the
chair reads "Emails to Ana Lee bounced" in the attention queue instead of waiting for her answer."""

import base64
import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from conftest import applicant, screenshot, sign_in
from matching.models import Proposal
from matching.services import approve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_bounce_is_seen_by_the_member_and_by_the_committee(page, live_server, world, settings, client):
    program, chair = world["program"], world["people"]["chair"]
    settings.EMAIL_PROVIDER = "postmark"
    settings.ANYMAIL = {"POSTMARK_SERVER_TOKEN": "server-token", "WEBHOOK_SECRET": "hook:s3cret"}
    ana = applicant(program, "ana.lee@example.org", "mentee", employer="Harbor Mutual")
    ana.user.first_name, ana.user.last_name = "Ana", "Lee"
    ana.user.save(update_fields=["first_name", "last_name"])
    cody = applicant(program, "cody.ford@example.org", "mentor", years=22, employer="Keystone")
    approve(
        proposal=Proposal.objects.create(program=program, mentee_application=ana, mentor_application=cody, score=80),
        by=chair,
    )

    bounce = {
        "RecordType": "Bounce",
        "Type": "HardBounce",
        "ID": 42,
        "Email": "ana.lee@example.org",
        "BouncedAt": "2026-11-30T15:00:00Z",
        "Metadata": {"email": "outbox-1"},
    }
    answer = client.post(
        reverse("outbox:provider_events", args=["postmark"]),
        json.dumps(bounce),
        content_type="application/json",
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"hook:s3cret").decode(),
    )
    assert answer.status_code == 200

    sign_in(page, live_server, "ana.lee@example.org")
    notice = page.get_by_role("status").filter(has_text="bounced")
    expect(notice).to_contain_text("Emails to ana.lee@example.org bounced on November 30, 2026: check your address.")
    screenshot(page, "bounce-01-member-home")
    notice.get_by_role("link", name="Check your email address").click()
    expect(page).to_have_url(live_server.url + reverse("account_email"))

    page.context.clear_cookies()
    sign_in(page, live_server, chair.email)
    page.goto(live_server.url + reverse("committee:partnerships", args=[program.pk]))
    expect(page.get_by_text("Emails to Ana Lee bounced on November 30, 2026")).to_be_visible()
    screenshot(page, "bounce-02-committee-attention")
