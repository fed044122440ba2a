"""The committee's matching pages in French, for a chair whose language is French (issue 26)."""

import pytest
from django.urls import reverse

from conftest import applicant, in_french, propose, read
from matching import services
from matching.models import MatchRun, Proposal

pytestmark = [pytest.mark.django_db, pytest.mark.french]


def test_a_french_chair_reads_the_queue_a_proposal_and_the_weights_in_french(client, world):
    program, chair = world["program"], world["people"]["chair"]
    for i in range(2):
        applicant(program, f"mentee{i}@example.org", "mentee", employer=f"Firm {i}")
    applicant(program, "mentor.a@example.org", "mentor", years=20, employer="Big Co", capacity=2)
    run = services.start_run(program=program, by=chair)
    assert run.status == MatchRun.Status.DONE, run.error
    in_french(client, chair)

    queue = read(client.get(reverse("committee:matching", args=[program.pk])))
    assert "File de jumelage" in queue
    assert "2 personnes mentorées en attente" in queue
    assert "Approuver les jumelages cochés" in queue
    assert "Matching queue" not in queue and "Approve the ticked pairs" not in queue

    proposal = Proposal.objects.filter(program=program).first()
    page = read(client.get(reverse("committee:proposal", args=[program.pk, proposal.pk])))
    assert "De quoi se compose le pointage" in page
    assert "Approuver et les présenter" in page
    assert "What the score is made of" not in page

    weights = read(client.get(reverse("committee:matching_weights", args=[program.pk])))
    assert "Ce qui compte dans un bon jumelage" in weights
    assert "Le moins d’attente possible" in weights  # a choice of the form, marked lazily

    done = client.post(
        reverse("committee:matching_decide", args=[program.pk]), {"proposals": [proposal.pk], "action": "reject"}
    )
    assert "1 proposition refusée." in read(client.get(done.url))


def test_why_not_reads_as_one_french_sentence():
    from django.utils import translation

    why = {"mentor": 1, "score": 0.8, "full_before": False, "taken_by": [2, 3], "cost": 0, "waited_longer": True}
    with translation.override("fr"):
        line = services.why_not_sentence(why, {1: "Ann Mentor", 2: "Bo", 3: "Cy"})
    assert line.startswith("Son meilleur jumelage possible, Ann Mentor (")
    assert line.endswith(
        "est allé à Bo et Cy ; égalité de points : il est allé à la personne qui attendait depuis plus longtemps."
    )


def test_a_french_chair_reads_a_proposals_status_the_incomplete_warning_and_what_comes_next_in_french(client, world):
    program, chair = world["program"], world["people"]["chair"]
    mentee = applicant(program, "blank.mentee@example.org", "mentee", topics=[])
    mentor = applicant(program, "blank.mentor@example.org", "mentor", years=20, employer="Big Co")
    proposal = propose(mentee, mentor)
    proposal.breakdown = [{"key": "topics", "label": "Sujets", "points": 0, "max": 20, "blank": "mentee"}]
    proposal.save(update_fields=["breakdown"])
    in_french(client, chair)

    page = read(client.get(reverse("committee:proposal", args=[program.pk, proposal.pk])))
    assert "Proposée" in page
    assert "Questionnaire incomplet : Sujets (laissé vide par la personne mentorée)." in page
    assert "Incomplete questionnaire" not in page

    url = reverse("committee:proposal", args=[program.pk, proposal.pk])
    done = read(client.post(url, {"action": "reject"}, follow=True))
    assert "Aucune proposition n’attend de décision pour l’instant." in done
    again = read(client.post(url, {"action": "reject"}, follow=True))
    assert "Cette proposition est déjà dans l’état « refusée »." in again
