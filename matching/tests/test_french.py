"""The committee's matching pages in French, for a chair whose language is French (issue 26)."""

import pytest
from django.urls import reverse

from conftest import applicant, in_french, propose, read
from matching import services
from matching.models import MatchRun, Proposal
from mentoring.models import Application, Question

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


def _a_run_with_words(program, chair):
    """A question, a perfect pair but for how often they meet and the mentee's blank free times,
    and a mentee whose only mentor works for the same employer."""
    question = Question.objects.create(
        program=program, text="Which line of business?", kind="single", choices=["Life", "Auto"], weight=2
    )
    mentee = applicant(program, "nico.newcomer@example.org", "mentee", employer="Firm A")
    applicant(program, "ruth.colleague@example.org", "mentee", employer="Big Co")
    mentor = applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Big Co")
    for application in (mentee, mentor):
        Application.objects.filter(pk=application.pk).update(extra_answers={str(question.pk): "Life"})
    Application.objects.filter(pk=mentee.pk).update(availability=[])
    Application.objects.filter(pk=mentor.pk).update(meeting_frequency="weekly")
    run = services.start_run(program=program, by=chair)
    assert run.status == MatchRun.Status.DONE, run.error
    return Proposal.objects.get(mentee_application=mentee)


def test_a_french_chair_reads_the_engine_words_in_french_and_an_english_one_in_english(client, world):
    program, chair = world["program"], world["people"]["chair"]
    proposal = _a_run_with_words(program, chair)
    # Saved as facts, not words: the words are made when read, in the reader's language.
    assert proposal.explanation == "" and proposal.summary["strengths"]
    assert all("detail" not in row and "facts" in row for row in proposal.breakdown)
    assert all("text" not in entry for entry in MatchRun.objects.get(program=program).unmatched)
    queue_url = reverse("committee:matching", args=[program.pk])
    pair_url = reverse("committee:proposal", args=[program.pk, proposal.pk])
    weights_url = reverse("committee:matching_weights", args=[program.pk])

    in_french(client, chair)
    queue, page, weights = (read(client.get(url)) for url in (queue_url, pair_url, weights_url))
    sentence = (
        "Points forts : domaines d’objectifs (2 sur 2 en commun : Leadership, Claims) ; "
        "« Which line of business? » (la même réponse) ; "
    )
    weakest = "Point le plus faible : libres aux mêmes moments (la personne mentorée n’a pas répondu)."
    for text in (queue, page):
        assert sentence in text and weakest in text
        assert "Questionnaire incomplet : Libres aux mêmes moments (laissé vide par la personne mentorée)." in text
        assert "Strengths:" not in text and "Weakest point" not in text and "Incomplete questionnaire" not in text
    assert "sont exclus par les règles du programme (même employeur, jumelage antérieur" in queue
    assert "ruled out by the program rules" not in queue
    table = page[page.index('class="table table-sm breakdown"') :]
    for row in (
        "Façons de se rencontrer</th><td>tous deux préfèrent les appels vidéo</td>",
        "Fréquence des rencontres</th><td>chaque mois pour la personne mentorée, chaque semaine pour le mentor</td>",
        "Une langue en commun</th><td>tous deux parlent English</td>",
        "Années d’expérience</th><td>12 ans pour le mentor, 1 pour la personne mentorée</td>",
        "Which line of business?</th><td>la même réponse</td>",  # the program's own words, as given
    ):
        assert row in table
    assert "Ways to meet" not in table and "both prefer" not in table and "for the mentee" not in table
    assert "Libres aux mêmes moments" in weights
    assert "La part des moments libres de la personne mentorée où le mentor est libre aussi." in weights
    assert "Free at the same times" not in weights and "The share of the mentee" not in weights

    client.logout()
    english = world["people"]["chair"]
    english.language = "en"
    english.save(update_fields=["language"])
    client.force_login(english)
    queue, page = (read(client.get(url)) for url in (queue_url, pair_url))
    for text in (queue, page):
        assert (
            "Strengths: goal areas (2 of 2 shared: Leadership, Claims); “Which line of business?” (the same answer)"
            in text
        )
        assert "Weakest point: free at the same times (the mentee did not answer)." in text
        assert "Points forts" not in text
    assert "Every mentor in their local association is ruled out by the program rules" in queue or (
        "Every mentor in their region is ruled out by the program rules" in queue
    )
    assert "Ways to meet</th><td>both prefer video calls</td>" in page
    assert "How often to meet</th><td>monthly for the mentee, weekly for the mentor</td>" in page


def test_a_proposal_and_a_run_saved_with_english_words_still_show_them(client, world):
    """Saved before the words were made when read: the English words as saved, for every reader."""
    program, chair = world["program"], world["people"]["chair"]
    mentee = applicant(program, "nico.newcomer@example.org", "mentee", employer="Firm A")
    waiting = applicant(program, "ruth.waiting@example.org", "mentee", employer="Firm C")
    mentor = applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Firm B")
    MatchRun.objects.create(
        program=program,
        status=MatchRun.Status.DONE,
        unmatched=[{"application": waiting.pk, "reason": "capacity_exhausted", "text": "Saved reason, in English."}],
    )
    old = [
        {
            "key": "topics",
            "label": "Goal areas",
            "points": 60.0,
            "max": 60.0,
            "detail": "2 of 2 shared: X",
            "blank": "",
        },
        {
            "key": "frequency",
            "label": "How often to meet",
            "points": 0.0,
            "max": 40.0,
            "detail": "none",
            "blank": "mentee",
        },
    ]
    proposal = Proposal.objects.create(
        program=program,
        mentee_application=mentee,
        mentor_application=mentor,
        score=60,
        breakdown=old,
        explanation="Strengths: goal areas (2 of 2 shared: X). Weakest point: how often to meet (none).",
    )
    in_french(client, chair)
    queue = read(client.get(reverse("committee:matching", args=[program.pk])))
    page = read(client.get(reverse("committee:proposal", args=[program.pk, proposal.pk])))
    for text in (queue, page):
        assert "Strengths: goal areas (2 of 2 shared: X). Weakest point: how often to meet (none)." in text
        assert "How often to meet (laissé vide par la personne mentorée)" in text  # the saved name, as saved
    assert "Saved reason, in English." in queue
    assert "Goal areas</th><td>2 of 2 shared: X</td>" in page
