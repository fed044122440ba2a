"""Programs where the mentor accepts first (on by default for leadership programs): approval asks
the mentor (a link in an email, once, for a limited time, and on their home page); both are
introduced only after they accept; a decline or no answer puts the mentee back at the front of
the pool, and the queue says why."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import applicant, propose
from matching import services
from matching.models import Proposal
from mentoring.models import CommitteeMembership, Partnership
from mentoring.services import create_program
from outbox.emails import send_pending_emails
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.fixture
def leadership(world):
    return create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])


@pytest.fixture
def pair(world, leadership):
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    mentee = applicant(leadership, "nico@example.org", "mentee", association=northport, employer="Firm N")
    mentor = applicant(leadership, "cody@example.org", "mentor", years=20, association=easton, employer="Firm C")
    OutgoingEmail.objects.all().delete()
    return mentee, mentor


def sent_to(address):
    send_pending_emails()
    return [m for m in mail.outbox if address in m.to]


def link_in(message):
    return re.search(r"https?://\S+(/match/\S+/)", message.body).group(1)


def test_leadership_programs_ask_the_mentor_first_and_new_member_programs_do_not(leadership, world):
    assert leadership.mentor_accepts_first and not world["program"].mentor_accepts_first


def test_the_mentor_accepts_through_the_link_and_only_then_both_are_introduced(client, leadership, pair, world):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    proposal = propose(mentee, mentor)
    assert services.approve(proposal=proposal, by=chair) is None
    proposal.refresh_from_db()
    assert proposal.status == "awaiting_mentor" and not Partnership.objects.exists()
    asks = sent_to(mentor.user.email)
    assert len(asks) == 1 and sent_to(mentee.user.email) == []  # nobody is introduced yet

    page = client.get(link_in(asks[0]))
    assert page.status_code == 200 and "Will you mentor Nico Member?" in page.content.decode()
    done = client.post(link_in(asks[0]), {"answer": "accept", "note": ""})
    assert "You and Nico Member are introduced" in done.content.decode()
    partnership = Partnership.objects.get()
    assert (partnership.mentee, partnership.mentor) == (mentee.user, mentor.user)
    # Each introduction once, and the link does nothing a second time.
    assert len(sent_to(mentee.user.email)) == 1 and len([m for m in sent_to(mentor.user.email)]) == 2
    again = client.post(link_in(asks[0]), {"answer": "decline"})
    assert "Already answered" in again.content.decode() and Partnership.objects.count() == 1
    send_pending_emails()
    assert len([m for m in mail.outbox if "Meet your" in m.subject]) == 2


def test_a_decline_puts_the_mentee_first_in_line_and_the_queue_says_why(client, leadership, pair, world):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    services.start_run(program=leadership, by=chair)
    proposal = Proposal.objects.get(program=leadership, status="proposed")
    services.approve(proposal=proposal, by=chair)
    services.mentor_answers(proposal=proposal, accept=False, note="A new job this autumn")
    proposal.refresh_from_db()
    assert proposal.status == "mentor_declined" and "declined on" in proposal.closed_text

    CommitteeMembership.objects.create(
        program=leadership,
        user=chair,
        role="chair",
        pledge_accepted_at=timezone.now(),
        pledge_version=leadership.pledge_version,
    )
    client.force_login(chair)
    queue = client.get(reverse("committee:matching", args=[leadership.pk]))
    waiting = {a.pk: u["text"] for a, u, _ in queue.context["unmatched"]}
    assert waiting[mentee.pk].startswith(f"{mentor.user} declined on")
    # The next run puts the mentee first in line, with another mentor: the one who declined is not
    # proposed to them again.
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    applicant(leadership, "olga@example.org", "mentee", association=northport, employer="Firm O")
    other = applicant(leadership, "mira@example.org", "mentor", years=20, association=easton, employer="Firm M")
    run = services.start_run(program=leadership, by=chair)
    first = Proposal.objects.filter(run=run).first()
    assert first.mentee_application == mentee and first.priority
    assert first.mentor_application == other


def test_no_answer_in_time_puts_the_mentee_back_once_however_often_the_job_runs(leadership, pair, world):
    mentee, mentor = pair
    proposal = propose(mentee, mentor)
    services.approve(proposal=proposal, by=world["people"]["chair"])
    assert services.expire_mentor_asks() == 0
    later = timezone.now() + timedelta(days=leadership.mentor_answer_days, hours=1)
    assert services.expire_mentor_asks(now=later) == 1
    assert services.expire_mentor_asks(now=later) == 0  # run twice: nothing more
    proposal.refresh_from_db()
    assert proposal.status == "mentor_silent" and "did not answer within 7 days" in proposal.closed_text
    with time_machine.travel(later):
        with pytest.raises(Exception, match="answered already"):
            services.mentor_answers(proposal=proposal, accept=True)


def test_an_expired_link_does_nothing(client, leadership, pair, world):
    mentee, mentor = pair
    proposal = propose(mentee, mentor)
    services.approve(proposal=proposal, by=world["people"]["chair"])
    link = link_in(sent_to(mentor.user.email)[0])
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        page = client.post(link, {"answer": "accept"})
    assert "The time to answer has run out" in page.content.decode() and not Partnership.objects.exists()


def test_the_mentors_place_is_held_while_they_decide(leadership, pair, world):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    services.approve(proposal=propose(mentee, mentor), by=chair)
    other = applicant(
        leadership, "olga@example.org", "mentee", association=world["associations"]["northport"], employer="Firm O"
    )
    with pytest.raises(Exception, match="places are all taken or promised"):
        services.approve(proposal=propose(other, mentor), by=chair)
    run = services.start_run(program=leadership, by=chair)
    assert not Proposal.objects.filter(run=run, mentor_application=mentor).exists()
    assert not Proposal.objects.filter(run=run, mentee_application=mentee).exists()


def test_the_mentor_sees_the_question_on_their_home_page(client, leadership, pair, world):
    mentee, mentor = pair
    services.approve(proposal=propose(mentee, mentor), by=world["people"]["chair"])
    client.force_login(mentor.user)
    home = client.get(reverse("home")).content.decode()
    assert "would like you to mentor <strong>Nico Member</strong>" in home


@pytest.mark.parametrize(
    "token",
    ["", "x" * 400, "not-a-token", "gAAAAAB" + "A" * 100, "<script>alert(1)</script>", "é€😀"],
)
def test_a_broken_link_gets_the_kind_page(client, token):
    response = client.get(f"/match/{token}/") if token else client.get("/match/%20/")
    assert response.status_code in (404, 410)
    if response.status_code == 410:
        assert "This link doesn't work." in response.content.decode()


def test_a_link_for_one_proposal_opens_nothing_else(client, leadership, pair, world):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    proposal = propose(mentee, mentor)
    services.approve(proposal=proposal, by=chair)
    token = link_in(sent_to(mentor.user.email)[0]).strip("/").split("/")[-1]
    # The same ids under the feedback link's key open nothing, and a changed character neither.
    assert client.get(reverse("feedback:answer", args=[token])).status_code == 410
    for i in range(0, len(token), 7):
        broken = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1 :]
        assert client.get(reverse("mentor_answer", args=[broken])).status_code == 410


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose yes or no."),
        ({"answer": "maybe"}, "Select a valid choice."),
        ({"answer": "accept", "note": "x" * 10_000}, "at most 1000 characters"),
        ({"answer": "accept", "note": "Hello\x00"}, "Null characters are not allowed."),
    ],
)
def test_a_bad_answer_gets_a_plain_message_and_changes_nothing(client, leadership, pair, world, data, message):
    mentee, mentor = pair
    proposal = propose(mentee, mentor)
    services.approve(proposal=proposal, by=world["people"]["chair"])
    page = client.post(link_in(sent_to(mentor.user.email)[0]), data)
    assert message in page.content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "awaiting_mentor" and not Partnership.objects.exists()


def test_markup_in_the_mentors_note_is_kept_as_written_and_shown_escaped(client, leadership, pair, world):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    proposal = propose(mentee, mentor)
    services.approve(proposal=proposal, by=chair)
    client.post(link_in(sent_to(mentor.user.email)[0]), {"answer": "decline", "note": "<script>alert(1)</script>"})
    assert proposal.events.last().text == "<script>alert(1)</script>"
    CommitteeMembership.objects.create(
        program=leadership,
        user=chair,
        role="chair",
        pledge_accepted_at=timezone.now(),
        pledge_version=leadership.pledge_version,
    )
    client.force_login(chair)
    page = client.get(reverse("committee:proposal", args=[leadership.pk, proposal.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)</script>" not in page


@pytest.mark.parametrize("note", ["", " ", "x" * 501, "Fine\x00"])
def test_reconsidering_a_rejection_needs_a_plain_note(client, program, world, note):
    chair = world["people"]["chair"]
    mentee = applicant(program, "nico@example.org", "mentee", employer="Firm N")
    mentor = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    proposal = propose(mentee, mentor)
    services.reject(proposal=proposal, by=chair)
    client.force_login(chair)
    url = reverse("committee:proposal", args=[program.pk, proposal.pk])
    page = client.post(url, {"action": "undo", "note": note}, follow=True).content.decode()
    proposal.refresh_from_db()
    assert proposal.status == "rejected"
    assert any(m in page for m in ("This field is required.", "at most 500 characters", "Null characters"))


def test_only_the_chair_decides_on_the_proposal_page(client, program, world):
    mentee = applicant(program, "nico@example.org", "mentee", employer="Firm N")
    mentor = applicant(program, "cody@example.org", "mentor", years=20, employer="Firm C")
    proposal = propose(mentee, mentor)
    client.force_login(world["people"]["committee_member"])
    url = reverse("committee:proposal", args=[program.pk, proposal.pk])
    for action in ("approve", "reject", "undo", "anything"):
        assert client.post(url, {"action": action, "note": "x"}).status_code == 404
    proposal.refresh_from_db()
    assert proposal.status == "proposed" and not Partnership.objects.exists()


def test_the_mentors_answer_page_says_which_local_association_the_mentee_is_from(client, leadership, pair, world):
    """A leadership program pairs members of different local associations of the region: the
    mentor is asked about someone from elsewhere, and the page said only the name."""
    mentee, mentor = pair
    services.approve(proposal=propose(mentee, mentor), by=world["people"]["chair"])

    page = client.get(link_in(sent_to(mentor.user.email)[0])).content.decode()

    assert "would like to pair you with Nico Member, a member of the Northport local association." in page
