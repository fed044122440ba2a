"""The reports and the committee's dashboard in French: a French VP reads the region report and
its CSV (French headers, the same figures, the same cells hidden), a French chair reads what to
do next. The case is region West (reports/tests/conftest.py), its first quarter of 2025."""

import csv
import io
import json
import re

import pytest
from django.urls import reverse

from conftest import applicant, in_french, read
from mentoring.models import Application, Program
from reports.tests.factories import Q1_QUERY
from reports.views import SUPPRESSED_TEXT

pytestmark = [pytest.mark.django_db, pytest.mark.french]

TOO_FEW = "trop peu pour être publié"


def region_url(west):
    return reverse("region_report", args=[west["region"].pk])


def rows_of(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.usefixtures("frozen_now")
def test_a_french_vp_reads_the_region_report_in_french(west, client):
    in_french(client, west["vp"])
    page = read(client.get(region_url(west), Q1_QUERY))
    assert "Région West" in page and "du 1 janvier 2025 au 31 mars 2025" in page
    for words in (
        "Programmes",
        "Pendant la période",
        "Aujourd’hui, quelle que soit la période",
        "Candidatures de personnes mentorées",
        "Mois par mois",
        "De la candidature à la fin du jumelage",
        "Pourquoi les jumelages ont pris fin",
        "Terminé comme prévu",  # a closure reason, the model's choice label
        "Fidélisation des membres",
        "Relève en leadership",
        TOO_FEW,
        "Imprimer",
    ):
        assert words in page, words
    for words in ("Month by month", "In the period", "Leadership pipeline", SUPPRESSED_TEXT, "Completed as planned"):
        assert words not in page, words
    # The charts' words and months come from the page, in French; reports.js has none of its own.
    chart = re.search(r'<script id="data-chart-words" type="application/json">(.*?)</script>', page, re.S)
    assert json.loads(chart.group(1))["applications"] == "Candidatures"
    trend = re.search(r'<script id="data-trend" type="application/json">(.*?)</script>', page, re.S)
    labels = json.loads(trend.group(1))["labels"]
    assert len(labels) == 3 and all(label.endswith("2025") and not label.startswith("Jan") for label in labels)
    assert labels == ["jan. 2025", "fév. 2025", "mars 2025"]


@pytest.mark.usefixtures("frozen_now")
def test_a_french_readers_csv_has_french_headers_and_the_same_figures(west, client):
    client.force_login(west["vp"])
    english = {table: rows_of(client.get(region_url(west), {**Q1_QUERY, "export": table})) for table in TABLES}
    in_french(client, west["vp"])
    french = {table: rows_of(client.get(region_url(west), {**Q1_QUERY, "export": table})) for table in TABLES}
    assert french["programs"][0][:3] == ["Programme", "Candidatures de personnes mentorées", "Candidatures de mentors"]
    assert "Aujourd’hui : Mentors en attente de vérification" in french["programs"][0]
    assert french["trend"][0] == [
        "Mois",
        "Candidatures",
        "Jumelages",
        "Réponses de rétroaction",
        "Satisfaction moyenne",
    ]
    # The hidden reasons are listed in the reader's alphabetical order.
    assert french["closures"][1:] == [["Les horaires ne concordaient pas", TOO_FEW], ["Terminé comme prévu", TOO_FEW]]
    for table in TABLES:
        assert len(french[table][0]) == len(english[table][0])
        assert french[table][0] != english[table][0], table
        # The same figures, the same cells hidden: only the words differ.
        figures = [[TOO_FEW if cell == SUPPRESSED_TEXT else cell for cell in row] for row in english[table][1:]]
        if table in ("programs", "trend", "retention"):
            assert french[table][1:] == figures, table
        else:
            assert sorted(row[1:] for row in french[table][1:]) == sorted(row[1:] for row in figures), table


TABLES = ("programs", "trend", "funnel", "closures", "retention")


def test_a_french_chair_reads_what_to_do_next_in_french(client, world, program):
    chair = world["people"]["chair"]
    Program.objects.filter(pk=program.pk).update(summary="")
    for k in range(3):
        applicant(program, f"new.mentor.{k}@example.org", "mentor", years=12, employer=f"Firm {k}")
    Application.objects.filter(program=program, role="mentor").update(status=Application.Status.AWAITING_VETTING)
    Application.objects.filter(program=program, role="mentor", user__email="new.mentor.0@example.org").update(
        status=Application.Status.IN_POOL
    )
    for k in range(2):
        applicant(program, f"waiting.{k}@example.org", "mentee", employer=f"Mentee Firm {k}")
    Program.objects.filter(pk=program.pk).update(summary="Une année aux côtés d’un membre d’expérience.")
    in_french(client, chair)
    page = read(client.get(reverse("committee:dashboard", args=[program.pk])))
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    assert steps == [
        "Les inscriptions sont ouvertes, mais pas encore annoncées (2 membres à aviser)",
        "2 mentors à vérifier d’abord : 2 personnes mentorées attendent et seulement 1 mentor est prêt",
        "2 personnes mentorées attendent et 1 mentor est prêt : proposez des jumelages",
    ]
    for words in ("Quoi faire ensuite", "En un coup d’œil", "Votre rôle : présidence", "Les vérifier"):
        assert words in page, words
    assert "mentors en attente de vérification" in page and "personnes mentorées en attente d’un jumelage" in page
    assert "What to do next" not in page and "to vet" not in page
