"""The set-up's two "close on time" settings (feedback section): the grace period after a
partnership's planned end, and how often mentees still waiting are told. Hostile input gets a
plain message, keeps what was typed and saves nothing."""

import html

import pytest
from django.urls import reverse

from mentoring.models import Program

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair_client(client, world):
    client.force_login(world["people"]["chair"])
    return client


def feedback_section(program, **changes):
    data = {
        "section": "feedback",
        "feedback_first_after_days": str(program.feedback_first_after_days),
        "feedback_every_days": str(program.feedback_every_days),
        "feedback_at_end": "on",
        "feedback_link_days": str(program.feedback_link_days),
        "reminder_after_days": str(program.reminder_after_days),
        "max_reminders": str(program.max_reminders),
        "nudge_after_days": str(program.nudge_after_days),
        "agreement_due_days": str(program.agreement_due_days),
        "grace_days_after_end": "45",
        "waiting_notice_every_days": "14",
    }
    return data | changes


def setup_url(program):
    return reverse("committee:setup", args=[program.pk])


def test_the_chair_sets_the_grace_period_and_the_waiting_notices(chair_client, program):
    page = chair_client.get(setup_url(program) + "?section=feedback").content.decode()
    assert 'name="grace_days_after_end"' in page and 'name="waiting_notice_every_days"' in page
    assert "complete automatically after the planned end (days)" in page.lower()

    assert chair_client.post(setup_url(program), feedback_section(program)).status_code == 302
    program.refresh_from_db()
    assert (program.grace_days_after_end, program.waiting_notice_every_days) == (45, 14)

    # Left empty: no waiting notices at all.
    assert (
        chair_client.post(setup_url(program), feedback_section(program, waiting_notice_every_days="")).status_code
        == 302
    )
    program.refresh_from_db()
    assert program.waiting_notice_every_days is None


HOSTILE = {
    "empty-grace": ("grace_days_after_end", "", "This field is required."),
    "too-long-grace": ("grace_days_after_end", "181", "less than or equal to 180"),
    "oversized": ("grace_days_after_end", "9" * 50, "less than or equal to 180"),
    "negative": ("grace_days_after_end", "-1", "greater than or equal to 0"),
    "html": ("grace_days_after_end", "<script>alert(1)</script>", "Enter a whole number."),
    "sql": ("waiting_notice_every_days", "30; DROP TABLE mentoring_program", "Enter a whole number."),
    "rtl-emoji": ("waiting_notice_every_days", "\u202e30 🙂", "Enter a whole number."),
    "nul": ("waiting_notice_every_days", "30\x00", "Enter a whole number."),
    "too-often": ("waiting_notice_every_days", "3", "greater than or equal to 7"),
}


@pytest.mark.parametrize(("field", "value", "message"), HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_gets_a_plain_message_and_saves_nothing(chair_client, program, field, value, message):
    before = Program.objects.filter(pk=program.pk).values().get()
    response = chair_client.post(setup_url(program), feedback_section(program, **{field: value}))
    assert response.status_code == 200
    page = response.content.decode()
    assert field in response.context["form"].errors
    assert html.escape(message) in page, message
    assert "Nothing was saved yet; what you typed is still here." in html.unescape(page)
    assert "<script>alert(1)" not in page
    if "\x00" not in value:  # what was typed is shown again (the NUL byte is dropped by the browser anyway)
        assert f'value="{html.escape(value)}"' in page or html.escape(value) in page
    assert Program.objects.filter(pk=program.pk).values().get() == before
