"""What the committee sees of agreements and timelines: partnerships whose agreement is not
confirmed after the program's agreement_due_days are in the attention queue (not those that
started before agreements existed); the list and each partnership's page show the agreement's
status and progress against the timeline, never the partners' own terms."""

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import partnership_for
from feedback import services
from mentoring.forms import ProgramSetupForm
from mentoring.models import Milestone
from partnerships import agreements
from partnerships.models import Agreement

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(world):
    return world["people"]["chair"]


def reasons(program, today=None):
    return {a.partnership.pk: list(a.reasons) for a in services.partnerships_needing_attention(program, today=today)}


def test_an_agreement_not_confirmed_after_the_programs_days_needs_attention(program, chair):
    p = partnership_for(program, chair, agreed=False)
    due = p.started_on + timedelta(days=program.agreement_due_days)
    assert p.pk not in reasons(program, today=due - timedelta(days=1))
    assert reasons(program, today=due)[p.pk] == [
        f"The agreement is not confirmed after {program.agreement_due_days} days"
    ]
    agreements.confirm_agreement(partnership=p, user=p.mentee)
    assert reasons(program, today=due)[p.pk] == [
        f"The agreement is not confirmed after {program.agreement_due_days} days"
    ]
    agreements.confirm_agreement(partnership=p, user=p.mentor)
    assert p.pk not in reasons(program, today=due)
    # Changing one's terms asks the other again: back in the queue until they confirm.
    agreements.add_terms(partnership=p, user=p.mentee, text="Calls before 8 pm only")
    assert p.pk in reasons(program, today=due)
    program.agreement_due_days = 30
    program.save()
    assert p.pk not in reasons(program, today=due)


def test_partnerships_from_before_agreements_are_not_flagged(client, program, chair):
    """On the day this feature arrives, older partnerships are not all flagged: their agreement
    is made when a partner opens the page, and the committee is not alerted about it."""
    old = partnership_for(program, chair, days_ago=30, agreed=False)
    Agreement.objects.filter(partnership=old).delete()
    assert old.pk not in reasons(program)
    client.force_login(old.mentee)
    client.get(reverse("partnership", args=[old.pk]))
    assert not Agreement.objects.get(partnership=old).made_at_start
    assert old.pk not in reasons(program)
    later = reasons(program, today=timezone.localdate() + timedelta(days=40))
    assert later[old.pk] == ["No meeting logged or scheduled for 70 days"]  # and nothing about the agreement


def test_the_committees_pages_show_the_agreement_and_the_timeline(client, program, chair):
    p = partnership_for(program, chair, days_ago=100, agreed=False)
    agreements.add_terms(partnership=p, user=p.mentee, text="SECRET-TERMS of the mentee")
    agreements.confirm_agreement(partnership=p, user=p.mentee)
    for title in ("Kickoff", "First month"):
        agreements.mark_milestone(
            partnership=p,
            milestone=Milestone.objects.get(program=program, title=title),
            user=p.mentor,
            done_on=timezone.localdate(),
        )
    client.force_login(chair)
    listing = html.unescape(client.get(reverse("committee:partnerships", args=[program.pk])).content.decode())
    assert "Waiting for the mentor" in listing
    assert "2 of 5 milestones; behind on: Three months" in listing
    assert "The agreement is not confirmed after 100 days" in listing
    detail = html.unescape(client.get(reverse("committee:partnership", args=[program.pk, p.pk])).content.decode())
    assert "Agreement and timeline" in detail and "The mentor: not yet" in detail
    assert f"done on {timezone.localdate():%b} {timezone.localdate().day}" in detail
    assert "SECRET-TERMS" not in detail and "SECRET-TERMS" not in listing
    agreements.confirm_agreement(partnership=p, user=p.mentor)
    listing = html.unescape(client.get(reverse("committee:partnerships", args=[program.pk])).content.decode())
    assert "Confirmed by both" in listing


def test_the_committees_list_stays_constant_query_with_agreements_and_milestones(
    client, program, chair, django_assert_max_num_queries
):
    client.force_login(chair)
    url = reverse("committee:partnerships", args=[program.pk])
    first = Milestone.objects.filter(program=program).first()

    def more(count, tag):
        for i in range(count):
            p = partnership_for(program, chair, f"{tag}{i}", days_ago=40, agreed=i % 2 == 0)
            agreements.mark_milestone(partnership=p, milestone=first, user=p.mentee, done_on=p.started_on)

    more(2, "few")
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    more(6, "many")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["attention"]) == 4


def test_the_chair_sets_how_to_end_early_and_when_agreements_are_followed_up(program):
    data = {
        "expectations_en": program.expectations,
        "confidentiality_en": program.confidentiality,
        "meeting_frequency": "monthly",
        "communication_channels": ["video"],
        "ending_early_en": "Tell the chair, who tells your partner kindly.",
        "pledge_text": program.pledge_text,
    }
    form = ProgramSetupForm(data, instance=program, section="guidelines")
    assert form.is_valid(), form.errors
    form.save()
    program.refresh_from_db()
    assert program.ending_early == "Tell the chair, who tells your partner kindly."
    feedback = ProgramSetupForm(instance=program, section="feedback")
    base = {name: feedback.initial.get(name) for name in feedback.fields}
    for days, ok in [
        ("2", False),
        ("3", True),
        ("90", True),
        ("91", False),
        ("abc", False),
        ("", False),
        ("-5", False),
        ("1e3", False),
        ("14\x00", False),
        ("9" * 60, False),
    ]:
        form = ProgramSetupForm({**base, "agreement_due_days": days}, instance=program, section="feedback")
        assert form.is_valid() is ok, (days, form.errors)


def test_bad_set_up_values_get_a_plain_message_and_change_nothing(program):
    guidelines = ProgramSetupForm(instance=program, section="guidelines")
    base = {name: guidelines.initial.get(name) for name in guidelines.fields}
    base["communication_channels"] = ["video"]
    for text, error in [
        ("x" * 40_000, "Ensure this value has at most 4000 characters (it has 40000)."),
        ("Tell the chair\x00", "Null characters are not allowed."),
    ]:
        form = ProgramSetupForm({**base, "ending_early_en": text}, instance=program, section="guidelines")
        assert not form.is_valid() and form.errors["ending_early_en"] == [error]
    program.refresh_from_db()
    assert program.ending_early.startswith("Either partner may end the partnership early")


def test_markup_in_how_to_end_early_is_shown_escaped_to_the_partners(client, program, chair):
    program.ending_early = "<script>alert(1)</script> שלום 😀"
    program.save()
    p = partnership_for(program, chair, agreed=False)
    client.force_login(p.mentee)
    body = client.get(reverse("partnership", args=[p.pk])).content.decode()
    assert html.escape(program.ending_early) in body and "<script>alert(1)" not in body
