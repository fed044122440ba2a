"""A local association's report: its new-member programs' totals, for its officers, the region's VP
and staff; the same figures and small-number rule as the region report, and never anyone's answers.
The case is test_reports' region West (Westfield runs "Westfield new members")."""

import csv
import io

import pytest
from django.urls import reverse

from accounts.models import Profile
from mentoring.models import AssociationOfficer, SiteSettings
from mentoring.services import create_program
from reports import figures as reports
from reports.tests.factories import (
    Q1_QUERY,
    SECRET,
    apply,
    ask,
    grow,
    local,
    pair,
    person,
)
from reports.views import SUPPRESSED_TEXT

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


@pytest.fixture
def officer(west):
    """The president of Westfield."""
    user = person("president@west.example.org", west["westfield"], first_name="Priya", last_name="President")
    AssociationOfficer.objects.create(association=west["westfield"], user=user, role="president")
    return user


def url(west, association="westfield"):  # noqa: F811
    return reverse("association_report", args=[west[association].pk])


def test_the_officer_reads_the_associations_new_member_programs(west, officer, client):  # noqa: F811
    client.force_login(officer)
    response = client.get(url(west), Q1_QUERY)

    assert response.status_code == 200
    ctx = response.context
    assert [p.name for p, _ in ctx["program_rows"]] == ["Westfield new members"]  # not the region's leadership one
    assert (ctx["totals"].matched, ctx["totals"].responses, ctx["totals"].satisfaction) == (4, 5, 3.4)
    assert "association_rows" not in ctx and "pipeline" not in ctx
    assert [a.name for a, *_ in ctx["retention_rows"]] == ["Westfield"]
    body = response.content.decode()
    assert "Westfield new members" in body and "West leaders" not in body
    assert "Mean <strong>3.4</strong> out of 5, from 5 answers" in body
    assert "Leadership pipeline" not in body


def test_fewer_than_k_answers_show_as_too_few(west, officer, client):  # noqa: F811
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 6})
    client.force_login(officer)
    response = client.get(url(west), Q1_QUERY)
    body = response.content.decode()

    (_, row), *_ = response.context["program_rows"]
    assert row.satisfaction is None and response.context["totals"].satisfaction is None
    assert "Too few answers to report (5)" in body and "Mean <strong>" not in body
    assert SUPPRESSED_TEXT in body and "fewer than 6 feedback answers" in body
    # Retention: groups under six members are hidden as well.
    _, mentees, mentors, _ = response.context["retention_rows"][0]
    assert mentors is None and mentees == 83.3


def test_a_small_program_beside_a_bigger_one_is_hidden_with_what_would_give_it_away(west, officer, client):  # noqa: F811
    small = create_program(name="Westfield evening cohort", kind="new_member", association=west["westfield"])
    mentee, mentor = (person(f"{r}@evening.example.org", west["westfield"]) for r in ("mentee", "mentor"))
    partnership = pair(
        apply(small, mentee, "mentee", "matched", local(2025, 1, 3)),
        apply(small, mentor, "mentor", "matched", local(2025, 1, 2)),
        local(2025, 1, 10),
    )
    ask(partnership, "mentee", 1, local(2025, 2, 1), answered=local(2025, 2, 2), satisfaction=1)
    ask(partnership, "mentor", 1, local(2025, 2, 1), answered=local(2025, 2, 3), satisfaction=2)
    reports.take_snapshot()
    client.force_login(officer)
    response = client.get(url(west), Q1_QUERY)

    rows = {p.name: f for p, f in response.context["program_rows"]}
    # The cohort's 2 answers (k = 5) are hidden; the other program's 5 would give them away as the
    # total (7) minus 5: hidden too. The total stays.
    assert rows[small.name].satisfaction is None and rows["Westfield new members"].satisfaction is None
    assert (response.context["totals"].responses, response.context["totals"].satisfaction) == (7, 2.86)
    body = response.content.decode()
    for name in rows:
        assert SUPPRESSED_TEXT in body[body.index(f'<th scope="row">{name}</th>') :].split("</tr>")[0]


@pytest.mark.parametrize("who", ["weston_officer", "moved_officer", "member", "chair", "north_vp", "north_officer"])
def test_others_get_404(west, officer, client, who):  # noqa: F811
    people = west["world"]["people"]
    if who == "weston_officer":
        user = person("president@weston.example.org", west["weston"])
        AssociationOfficer.objects.create(association=west["weston"], user=user, role="president")
    elif who == "moved_officer":  # still on record for Westfield, now a member of Weston: no rights
        user = officer
        Profile.objects.filter(user=user).update(association=west["weston"])
    else:
        user = {
            "member": west["users"]["m1"],
            "chair": west["chair"],
            "north_vp": people["vp"],
            "north_officer": people["officer"],
        }[who]
    client.force_login(user)

    assert client.get(url(west), Q1_QUERY).status_code == 404
    assert client.get(url(west), {**Q1_QUERY, "export": "programs"}).status_code == 404
    missing = client.get(reverse("association_report", args=[west["westfield"].pk + 1000]))
    assert missing.status_code == 404


def test_the_regions_vp_and_staff_read_it(west, client):  # noqa: F811
    for user in (west["vp"], west["world"]["people"]["staff"]):
        client.force_login(user)
        assert client.get(url(west), Q1_QUERY).status_code == 200
        assert client.get(url(west, "weston"), Q1_QUERY).status_code == 200  # no new-member program: says so


def test_reports_sends_the_officer_to_their_association(west, officer, client):  # noqa: F811
    client.force_login(officer)
    response = client.get(reverse("reports"))
    assert response.status_code == 302 and response.url == url(west)


def test_no_ones_answers_or_addresses_reach_the_page_or_its_exports(west, officer, client):  # noqa: F811
    client.force_login(officer)
    pages = [client.get(url(west), Q1_QUERY), client.get(url(west))]
    for table in ("programs", "trend", "funnel", "satisfaction", "closures", "objectives", "retention"):
        pages.append(client.get(url(west), {**Q1_QUERY, "export": table}))
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        assert SECRET not in body and "@west.example.org" not in body
    assert client.get(url(west), {**Q1_QUERY, "export": "pipeline"}).status_code == 404
    assert client.get(url(west), {**Q1_QUERY, "export": "associations"}).status_code == 404


def test_the_programs_export(west, officer, client):  # noqa: F811
    client.force_login(officer)
    response = client.get(url(west), {**Q1_QUERY, "export": "programs"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert response["Content-Disposition"].startswith('attachment; filename="westfield-2025-01-01-2025-03-31')
    assert [r[0] for r in rows] == ["Program", "Westfield new members"]


def test_the_page_costs_the_same_queries_at_10x_the_data(west, officer, client, django_assert_max_num_queries):  # noqa: F811
    client.force_login(officer)
    grow(west, 3, 0)
    reports.take_snapshot()
    client.get(url(west), {"start": "2025-01-01", "end": "2025-01-31"})  # warm-up: the site settings row, the session
    # The first reader of Q1 after a snapshot draws the figures (their totals are in the
    # context): the session, the user, the association, its programs with their objectives, the
    # snapshot (with the threshold), its figures (one), the survey questions (two), the
    # navigation's roles: 9. The next ones find the figures drawn (reports.views._sections): 6.
    with django_assert_max_num_queries(10):
        response = client.get(url(west), Q1_QUERY)
    assert response.status_code == 200 and response.context["totals"]
    with django_assert_max_num_queries(6):
        assert client.get(url(west), Q1_QUERY).status_code == 200
    grow(west, 30, 1000)
    reports.take_snapshot()
    with django_assert_max_num_queries(10):
        response = client.get(url(west), Q1_QUERY)
    assert response.status_code == 200 and response.context["totals"].matched == 4 + 3 + 30
    with django_assert_max_num_queries(6):
        assert client.get(url(west), Q1_QUERY).content.decode().count(">37<") == response.content.decode().count(">37<")


def test_the_region_report_links_each_association_to_its_report(west, client):  # noqa: F811
    client.force_login(west["vp"])
    body = client.get(reverse("region_report", args=[west["region"].pk]), Q1_QUERY).content.decode()
    assert f'<a href="{url(west)}">Westfield</a>' in body and f'<a href="{url(west, "weston")}">Weston</a>' in body
