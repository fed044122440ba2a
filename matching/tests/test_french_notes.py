"""What the app writes about a proposal when something happens (why it closed, the lines it adds
to the decision log) is saved as a key and its values and worded when read: a French chair reads
it in French, an English chair the same rows in English (issue 26). Rows saved before that keep
their English words; what a person wrote stays as written."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import applicant, in_french, propose, read
from matching import services
from matching.models import Proposal, ProposalEvent
from mentoring.models import CommitteeMembership
from mentoring.services import create_program

pytestmark = [pytest.mark.django_db, pytest.mark.french]


@pytest.fixture
def leadership(world):
    """A program where the mentor accepts first, its chair on the committee."""
    program = create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])
    CommitteeMembership.objects.create(
        program=program,
        user=world["people"]["chair"],
        role="chair",
        pledge_accepted_at=timezone.now(),
        pledge_version=program.pledge_version,
    )
    return program


@pytest.fixture
def pair(world, leadership):
    northport, easton = world["associations"]["northport"], world["associations"]["easton"]
    mentee = applicant(leadership, "nico@example.org", "mentee", association=northport, employer="Firm N")
    mentor = applicant(leadership, "cody@example.org", "mentor", years=20, association=easton, employer="Firm C")
    return mentee, mentor


def in_english(client, user):
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def page_of(client, proposal):
    return read(client.get(reverse("committee:proposal", args=[proposal.program_id, proposal.pk])))


def test_a_decline_reads_in_the_chairs_language_with_the_day_in_their_words(client, world, leadership, pair):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    services.start_run(program=leadership, by=chair)  # the queue says why a mentee waits again after a run
    proposal = Proposal.objects.get(program=leadership, mentee_application=mentee, mentor_application=mentor)
    with time_machine.travel(datetime.datetime(2026, 12, 3, 15, tzinfo=datetime.UTC)):
        services.approve(proposal=proposal, by=chair)
        services.mentor_answers(proposal=proposal, accept=False, note="Trop occupé cet automne")
    proposal.refresh_from_db()
    assert proposal.closed_why["key"] == "declined"

    french = page_of(in_french(client, chair), proposal)
    assert f"{mentor.user} a décliné le 3 décembre ; la personne mentorée passe en tête au prochain jumelage." in french
    assert "En attente de l’accord du mentor." in french  # the app's line in the decision log
    assert "Trop occupé cet automne" in french  # the mentor's words, as written
    assert "declined on" not in french and "Waiting for the mentor to accept." not in french
    queue = read(client.get(reverse("committee:matching", args=[leadership.pk])))
    assert f"{mentor.user} a décliné le 3 décembre" in queue

    english = page_of(in_english(client, chair), proposal)
    assert f"{mentor.user} declined on 3 December; first in line at the next run." in english
    assert "Waiting for the mentor to accept." in english
    assert "a décliné" not in english


def test_a_yes_that_cannot_go_ahead_says_who_and_why_in_french(client, world, leadership, pair):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    proposal = propose(mentee, mentor)
    services.approve(proposal=proposal, by=chair)
    profile = mentee.user.profile
    profile.membership_status, profile.renewal_date = "lapsed", datetime.date(2026, 10, 12)
    profile.save()
    with time_machine.travel(datetime.datetime(2026, 12, 3, 15, tzinfo=datetime.UTC)):
        with pytest.raises(ValidationError):
            services.mentor_answers(proposal=proposal, accept=True)

    french = page_of(in_french(client, chair), proposal)
    assert (
        f"{mentor.user} a dit oui le 3 décembre, mais {mentee.user} ne peut pas être jumelé pour l’instant : "
        f"adhésion échue le 12 octobre 2026 ; {mentee.user} passe en tête au prochain jumelage."
    ) in french
    english = page_of(in_english(client, chair), proposal)
    assert (
        f"{mentor.user} said yes on 3 December, but {mentee.user} can't be matched now: membership lapsed on "
        f"12 October 2026; {mentee.user} is first in line at the next run."
    ) in english


def test_no_answer_a_full_mentor_and_a_hand_made_pair_read_in_french(client, world, leadership, pair):
    mentee, mentor = pair
    chair = world["people"]["chair"]
    other = applicant(leadership, "olga@example.org", "mentee", association=world["associations"]["northport"])
    asked, waiting = propose(mentee, mentor), propose(other, mentor)
    services.approve(proposal=asked, by=chair)  # the mentor's one place is promised: the other pair closes
    services.expire_mentor_asks(now=timezone.now() + datetime.timedelta(days=8))
    easton = world["associations"]["easton"]
    fresh = applicant(leadership, "mira@example.org", "mentor", years=20, association=easton, employer="Firm M")
    manual = services.replace_with_manual(program=leadership, mentee_app=other, mentor_app=fresh, by=chair)
    in_french(client, chair)

    assert f"La dernière place de {mentor.user} vient d’être promise à {mentee.user}." in page_of(client, waiting)
    assert f"{mentor.user} n’a pas répondu dans les 7 jours ;" in page_of(client, asked)
    made = page_of(client, manual)
    assert "Paire faite à la main." in made and "Made by hand." not in made
    in_english(client, chair)
    assert f"{mentor.user}'s last place is promised to {mentee.user} a moment ago." in page_of(client, waiting)
    assert f"{mentor.user} did not answer within 7 days; first in line at the next run." in page_of(client, asked)
    assert "Made by hand." in page_of(client, manual)


def test_a_replaced_pair_says_so_in_french(client, world):
    program, chair = world["program"], world["people"]["chair"]
    mentee = applicant(program, "men.tee@example.org", "mentee", employer="Firm A")
    first = applicant(program, "first.mentor@example.org", "mentor", years=20, employer="Firm B")
    second = applicant(program, "second.mentor@example.org", "mentor", years=20, employer="Firm C")
    replaced = propose(mentee, first)
    services.replace_with_manual(program=program, mentee_app=mentee, mentor_app=second, by=chair)
    assert replaced.events.get().said == {"key": "replaced", "mentor": str(second.user)}
    french = page_of(in_french(client, chair), replaced)
    assert f"Remplacée par une paire faite à la main avec {second.user}." in french
    english = page_of(in_english(client, chair), replaced)
    assert f"Replaced by a manual pair with {second.user}." in english


def test_rows_saved_before_keep_their_english_words(client, world, leadership, pair):
    mentee, mentor = pair
    proposal = propose(mentee, mentor)
    Proposal.objects.filter(pk=proposal.pk).update(
        status="mentor_declined", closed_note=f"{mentor.user} declined on 3 December; first in line at the next run."
    )
    ProposalEvent.objects.create(proposal=proposal, kind="approved", text="Waiting for the mentor to accept.")
    french = page_of(in_french(client, world["people"]["chair"]), proposal)
    assert f"{mentor.user} declined on 3 December; first in line at the next run." in french
    assert "Waiting for the mentor to accept." in french


def test_a_run_says_who_it_left_out_in_the_chairs_language(client, world):
    program, chair = world["program"], world["people"]["chair"]
    mentee = applicant(program, "lapsing.mentee@example.org", "mentee")
    applicant(program, "steady.mentor@example.org", "mentor", years=20)
    profile = mentee.user.profile
    profile.membership_status, profile.renewal_date = "lapsed", datetime.date(2026, 10, 12)
    profile.save()
    run = services.start_run(program=program, by=chair)
    # An older run's entry, saved with its words in English, is shown as saved.
    run.left_out.append({"application": applicant(program, "old@example.org", "mentee").pk, "text": "an old reason"})
    run.save(update_fields=["left_out"])
    queue = read(in_english(client, chair).get(reverse("committee:matching", args=[program.pk])))
    assert "membership lapsed on 12 October 2026" in queue and "an old reason" in queue

    queue = read(in_french(client, chair).get(reverse("committee:matching", args=[program.pk])))
    assert "adhésion échue le 12 octobre 2026" in queue and "membership lapsed" not in queue
    assert "an old reason" in queue


def test_a_hand_made_pairs_broken_rules_read_in_the_chairs_language(client, world):
    """The rules a manual pair breaks are saved as keys: on the manual pair's page, on the
    proposal, in the queue and in the decision log a French chair reads them in French."""
    program, chair = world["program"], world["people"]["chair"]
    mentee = applicant(program, "men.tee@example.org", "mentee", employer="Firm A")
    colleague = applicant(program, "col.league@example.org", "mentor", years=20, employer="Firm A")
    in_french(client, chair)
    asked = read(
        client.post(
            reverse("committee:matching_manual", args=[program.pk]),
            {"mentee": mentee.pk, "mentor": colleague.pk},
        )
    )
    rule = "Les deux travaillent pour Firm A ; ce programme ne jumelle pas des collègues."
    assert rule in asked and "Both work for" not in asked

    proposal = services.replace_with_manual(
        program=program, mentee_app=mentee, mentor_app=colleague, by=chair, confirmed=True
    )
    assert proposal.warnings == [{"key": "same_employer", "employer": "Firm A"}]
    page = page_of(client, proposal)
    assert rule in page and f"Paire faite à la main. Confirmé : {rule}" in page
    assert rule in read(client.get(reverse("committee:matching", args=[program.pk])))
    english = page_of(in_english(client, chair), proposal)
    assert "Made by hand. Confirmed: Both work for Firm A; this program keeps colleagues apart." in english
