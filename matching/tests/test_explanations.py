"""Scores a chair can act on, as the committee sees them: the breakdown in points and words
(a program question by its text), incomplete questionnaires flagged, and "why not?" for who
did not get their best fit, in the queue and on the proposal's page."""

import dataclasses
import re

import pytest
from django.urls import reverse

from conftest import applicant
from matching import services
from matching.engine import shown_score
from matching.models import Proposal
from mentoring.models import Application, Question

pytestmark = pytest.mark.django_db


def run(program, chair):
    return services.start_run(program=program, by=chair)


def test_the_breakdown_is_in_points_and_words_and_adds_up_to_the_score(program, world, client):
    chair = world["people"]["chair"]
    question = Question.objects.create(
        program=program, text="Which line of business?", kind="single", choices=["Life", "Auto"], weight=2
    )
    mentee = applicant(program, "nico.newcomer@example.org", "mentee", employer="Firm A")
    mentor = applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Firm B")
    for application in (mentee, mentor):
        Application.objects.filter(pk=application.pk).update(extra_answers={str(question.pk): "Life"})
    run(program, chair)
    proposal = Proposal.objects.get(mentee_application=mentee)
    assert proposal.score == pytest.approx(100)  # the same answers everywhere: the best fit the weights allow
    client.force_login(chair)
    page = client.get(reverse("committee:proposal", args=[program.pk, proposal.pk])).content.decode()
    table = page[page.index('class="table table-sm breakdown"') :]
    assert "question:" not in page
    assert "Which line of business?" in table and "the same answer" in table
    assert re.search(r"Goal areas</th><td>2 of 2 shared: Leadership, Claims</td><td[^>]*>\d+ of \d+</td>", table)
    shown = [(int(a), int(b)) for a, b in re.findall(r">(\d+) of (\d+)</td></tr>", table)]
    assert sum(a for a, _ in shown) == 100 and sum(b for _, b in shown) == 100
    assert "Asked for each other by name" not in table  # nobody named anyone: it does not count
    assert "100 of 100" in table
    assert proposal.sentence.startswith("Strengths: goal areas (2 of 2 shared: Leadership, Claims); ")
    assert "“Which line of business?” (the same answer)" in proposal.sentence


def test_a_blank_answer_earns_nothing_and_the_queue_says_the_questionnaire_is_incomplete(program, world, client):
    chair = world["people"]["chair"]
    mentee = applicant(program, "nico.newcomer@example.org", "mentee", employer="Firm A")
    applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Firm B")
    Application.objects.filter(pk=mentee.pk).update(availability=[], meeting_frequency="")
    run(program, chair)
    proposal = Proposal.objects.get(mentee_application=mentee)
    rows = {r["key"]: r for r in proposal.rows}
    assert rows["availability"]["points"] == 0 and rows["availability"]["blank"] == "mentee"
    assert proposal.score < 100 - rows["availability"]["max"] - rows["frequency"]["max"] + 1e-6
    client.force_login(chair)
    queue = client.get(reverse("committee:matching", args=[program.pk])).content.decode()
    warning = re.search(r"Incomplete questionnaire: ([^<]+)\. A blank answer earns no points", queue).group(1)
    assert set(warning.split("; ")) == {
        "Free at the same times (the mentee left it blank)",
        "How often to meet (the mentee left it blank)",
    }
    # And whether to approve anyway: the chair could not tell (issue 25).
    advice = (
        "A blank answer earns no points, with any partner, so the score is lower but the pair is still "
        "the best the answers allow: approve it if the rest fits, or ask for the missing answer and "
        "propose matches again."
    )
    assert advice in queue
    assert advice in client.get(reverse("committee:proposal", args=[program.pk, proposal.pk])).content.decode()


def test_a_partner_asked_for_outside_the_pool_does_not_lower_every_score(program, world):
    chair = world["people"]["chair"]
    elsewhere = applicant(world["other_program"], "someone.else@example.org", "mentor", years=12)
    mentee = applicant(program, "nico.newcomer@example.org", "mentee", employer="Firm A")
    applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Firm B")
    Application.objects.filter(pk=mentee.pk).update(preferred_partner_ids=[elsewhere.user_id])
    run(program, chair)
    proposal = Proposal.objects.get(mentee_application=mentee)
    assert proposal.score == pytest.approx(100)
    assert "preference" not in {r["key"] for r in proposal.rows}


def test_why_not_in_the_queue_and_for_who_is_still_waiting(program, world, client):
    """Ana and Ben both fit Cody best; Ben fits Dana too, Ana does not: Cody goes to Ana, and
    Ben's line says who took Cody and what forcing it would cost. Cleo fits only Cody and waits."""
    chair = world["people"]["chair"]
    ana = applicant(program, "ana.lee@example.org", "mentee", employer="Firm A", topics=["Leadership"])
    ben = applicant(program, "ben.ortiz@example.org", "mentee", employer="Firm B", topics=["Leadership", "Claims"])
    cody = applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Firm C")
    applicant(
        program, "dana.wu@example.org", "mentor", years=12, employer="Firm D", topics=["Claims"], languages=["French"]
    )
    cleo = applicant(program, "cleo.park@example.org", "mentee", employer="Firm E", topics=["Leadership"])
    Application.objects.filter(pk=cleo.pk).update(languages=["English"], submitted_at=ana.submitted_at)
    run(program, chair)
    got = dict(Proposal.objects.filter(status="proposed").values_list("mentee_application", "mentor_application"))
    assert got[ben.pk] != cody.pk
    holder = Application.objects.get(pk=next(k for k, v in got.items() if v == cody.pk))
    ben_proposal = Proposal.objects.get(mentee_application=ben, status="proposed")
    assert ben_proposal.why_not["mentor"] == cody.pk and ben_proposal.why_not["cost"] > 0
    client.force_login(chair)
    queue = client.get(reverse("committee:matching", args=[program.pk])).content.decode()
    line = re.search(r"Why not their best fit\?</strong> ([^<]+)", queue).group(1)
    best = ben_proposal.why_not["score"]
    assert line.startswith(f"Their best fit, Cody Foley ({shown_score(best)} points), went to {holder.user}")
    assert re.search(r"pairing them instead would lower the total by \d+(\.\d)? points?\.$", line)
    waiting = [a for a in (ana, cleo) if a.pk not in got]
    assert waiting, "one of the two mentees who fit only Cody waits"
    assert re.search(r"Why not\?</strong> Their best fit, Cody Foley \(\d+ points\), went to ", queue)
    page = client.get(reverse("committee:proposal", args=[program.pk, ben_proposal.pk])).content.decode()
    assert line in page


def test_why_not_costs_a_fixed_number_of_queries(program, world, client, django_assert_max_num_queries):
    chair = world["people"]["chair"]
    for k in range(6):
        applicant(program, f"mentee.{k}@example.org", "mentee", employer=f"Firm {k}")
    applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Mentor Firm", capacity=2)
    run(program, chair)
    client.force_login(chair)
    url = reverse("committee:matching", args=[program.pk])
    client.get(url)
    with django_assert_max_num_queries(30):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("why", "says"),
    [
        # A third of a point is not a tie, and is not rounded to one.
        ({"cost": 0.3, "exact": True}, "pairing them instead would lower the total by 0.3 points."),
        ({"cost": 0.01, "exact": True}, "pairing them instead would lower the total by less than 0.1 point."),
        ({"cost": 1.0, "exact": True}, "pairing them instead would lower the total by 1 point."),
        ({"cost": 12.46, "exact": True}, "pairing them instead would lower the total by 12.5 points."),
        # A tie is a tie only when nothing is lost, and "decided by waiting" only when it was.
        ({"cost": 0.0, "exact": True, "waited_longer": True}, "a tie on points: it went to who had waited longer."),
        (
            {"cost": 0.0, "exact": True, "waited_longer": False},
            "a tie on points: pairing them instead would move others and keep the same total.",
        ),
        # In a pool too large to weigh every pair, the figure is said to be on the pairs weighed.
        (
            {"cost": 12.46, "exact": False},
            "pairing them instead would lower the total of the pairs weighed by 12.5 points (in a pool "
            "this large, each mentee's best fits are weighed, not every pair).",
        ),
        # A run saved before the engine said whether it was exact reads as not exact.
        ({"cost": 3.0}, "pairing them instead would lower the total of the pairs weighed by 3 points"),
    ],
)
def test_why_not_says_only_what_is_exact(why, says):
    names = {1: "Cody Foley", 2: "Ana Lee"}
    line = services.why_not_sentence(
        {"mentor": 1, "score": 99.9958, "taken_by": [2], "full_before": False, **why}, names
    )
    assert line.startswith("Their best fit, Cody Foley (99 points), went to Ana Lee; ")  # 99.9958 is not 100
    assert says in line


@pytest.mark.french
@pytest.mark.parametrize(
    ("cost", "english", "french"),
    [
        (0.3, "0.3 points", "0,3 point"),
        (1.0, "1 point", "1 point"),
        (1.5, "1.5 points", "1,5 point"),
        (12.46, "12.5 points", "12,5 points"),
    ],
)
def test_a_cost_is_written_as_each_language_writes_numbers(cost, english, french):
    from django.utils import translation

    assert services._points(cost) == english
    with translation.override("fr"):
        assert services._points(cost) == french


def test_a_score_just_under_100_is_kept_as_it_is_and_not_shown_as_the_best_fit(program, world, client, monkeypatch):
    chair = world["people"]["chair"]
    applicant(program, "nico.newcomer@example.org", "mentee", employer="Firm A")
    applicant(program, "cody.foley@example.org", "mentor", years=12, employer="Firm B")
    propose = services.engine.propose

    def just_under(*args, **kwargs):
        result = propose(*args, **kwargs)
        return dataclasses.replace(result, proposals=[dataclasses.replace(p, score=99.9958) for p in result.proposals])

    monkeypatch.setattr(services.engine, "propose", just_under)
    run(program, chair)
    proposal = Proposal.objects.get(program=program)
    assert proposal.score == 99.9958
    client.force_login(chair)
    page = client.get(reverse("committee:proposal", args=[program.pk, proposal.pk])).content.decode()
    assert "<strong>99 / 100</strong>" in page
