"""Dissolving a partnership (the committee's page, feedback) and re-matching (matching): the
mentee goes back to the pool first in line, and the failed pair is never proposed again."""

import html

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import applicant, ask, partnership_for
from feedback import services
from feedback.models import Solicitation
from matching.models import MatchRun, Proposal
from matching.services import start_run
from mentoring.models import Application
from outbox.models import OutgoingEmail
from partnerships.models import FollowUp

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    return world["people"]


@pytest.fixture
def chair(people):
    return people["chair"]


def act(client, program, partnership, action, **data):
    return client.post(reverse("committee:act", args=[program.pk, partnership.pk, action]), data, follow=True)


def answer(partnership, role="mentee", **answers):
    solicitation = Solicitation.objects.filter(partnership=partnership, role=role, status="sent").first() or ask(
        partnership, role
    )
    fine = {"satisfaction": 4, "met": "monthly", "progress": "some", "working": "yes", "wants_new_partner": False}
    return services.submit_response(solicitation=solicitation, answers={**fine, **answers})


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_dissolve_and_rematch(client, program, people, chair):
    """The chair ends a partnership that is not working: the reason stays with the committee,
    the mentee goes back to the pool first in line and is never proposed the same mentor again,
    the mentor's seat is free, and each partner gets one tactful email."""
    partnership = partnership_for(program, chair)
    old_mentor_app = partnership.mentor_application
    new_mentor = applicant(program, "mentor.new@example.org", "mentor", years=8, employer="New Co", topics=["Claims"])
    waiting = applicant(program, "waiting@example.org", "mentee", employer="Waiting Co")
    answer(partnership, satisfaction=1, working="no", wants_new_partner=True)
    OutgoingEmail.objects.all().delete()
    reason_text = "The mentor made remarks about the mentee's employer; both agreed to stop."

    client.force_login(chair)
    response = act(client, program, partnership, "dissolve", reason="fit", note=reason_text, rematch="on", confirm="on")
    assert response.redirect_chain[-1][0] == reverse("committee:matching", args=[program.pk])
    assert any("back in the matching pool, first in line" in m for m in messages_of(response))

    partnership.refresh_from_db()
    assert (partnership.status, partnership.end_reason, partnership.ended_on) == (
        "dissolved",
        "fit",
        timezone.localdate(),
    )
    assert partnership.end_note == reason_text
    with connection.cursor() as cursor:
        cursor.execute("SELECT end_note FROM mentoring_partnership WHERE id = %s", [partnership.pk])
        assert reason_text not in cursor.fetchone()[0]
    assert Application.objects.get(pk=partnership.mentee_application_id).status == "in_pool"
    assert Application.objects.get(pk=old_mentor_app.pk).status == "in_pool"
    assert FollowUp.objects.get(partnership=partnership, kind="dissolved").note == reason_text

    # One email each, kind, without the reason.
    emails = {e.to: e for e in OutgoingEmail.objects.all()}
    assert sorted(emails) == sorted([partnership.mentee.email, partnership.mentor.email])
    for email in emails.values():
        assert reason_text not in email.body and "employer" not in email.body
        assert "not a good fit" not in email.body.lower() and "fit" not in email.subject.lower()
        assert "nobody's fault" in email.body
    assert "look for a new mentor for you" in emails[partnership.mentee.email].body
    assert "new mentor for you" not in emails[partnership.mentor.email].body

    # The committee's page shows the reason; the partners' pages don't.
    assert reason_text in html.unescape(
        client.get(reverse("committee:partnership", args=[program.pk, partnership.pk])).content.decode()
    )
    for person in (partnership.mentee, partnership.mentor):
        client.force_login(person)
        page = client.get(reverse("partnership", args=[partnership.pk])).content.decode()
        assert "remarks" not in html.unescape(page) and "ended early" in page

    # A second click ends nothing more and sends nothing more.
    client.force_login(chair)
    again = act(client, program, partnership, "dissolve", reason="fit", note="again", rematch="on", confirm="on")
    assert "This partnership is already closed." in messages_of(again)
    assert OutgoingEmail.objects.count() == 2

    # The next matching run proposes the mentee first, with the new mentor, never the old one;
    # the old mentor's free seat goes to the mentee who was waiting.
    run = start_run(program=program, by=chair)
    assert run.status == MatchRun.Status.DONE, run.error
    proposals = list(Proposal.objects.filter(run=run))
    first = proposals[0]
    assert first.mentee_application_id == partnership.mentee_application_id and first.priority
    assert first.mentor_application == new_mentor
    assert not Proposal.objects.filter(
        run=run, mentee_application_id=partnership.mentee_application_id, mentor_application=old_mentor_app
    ).exists()
    assert Proposal.objects.filter(run=run, mentee_application=waiting, mentor_application=old_mentor_app).exists()
    # And again on the run after that.
    run = start_run(program=program, by=chair)
    assert not Proposal.objects.filter(
        run=run, mentee_application_id=partnership.mentee_application_id, mentor_application=old_mentor_app
    ).exists()


def test_dissolve_without_rematch_withdraws_the_mentee(client, program, chair):
    partnership = partnership_for(program, chair)
    client.force_login(chair)
    response = act(client, program, partnership, "dissolve", reason="left_association", note="", confirm="on")
    assert response.redirect_chain[-1][0] == reverse("committee:partnership", args=[program.pk, partnership.pk])
    assert Application.objects.get(pk=partnership.mentee_application_id).status == "withdrawn"
    body = OutgoingEmail.objects.get(key=f"dissolved:{partnership.pk}:{partnership.mentee_id}").body
    assert "new mentor" not in body
    run = start_run(program=program, by=chair)
    assert not Proposal.objects.filter(run=run, mentee_application_id=partnership.mentee_application_id).exists()
