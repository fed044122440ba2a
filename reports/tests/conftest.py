"""The region West of the report tests (test_reports, test_association_report), and the moment
they run at."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from feedback.models import Response, Solicitation
from mentoring.models import CommitteeMembership, LocalAssociation, Objective, Region
from mentoring.services import create_program
from partnerships.models import Goal
from reports.tests.factories import NOW, apply, ask, local, pair, person, recommend_for_leadership


@pytest.fixture
def frozen_now():
    """The reports' tests run at NOW (test_reports, test_association_report use it for every test)."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def west(world):
    region = Region.objects.create(name="West")
    westfield = LocalAssociation.objects.create(name="Westfield", region=region)
    weston = LocalAssociation.objects.create(name="Weston", region=region)
    vp = person("vp.west@example.org", weston, first_name="Wanda", last_name="Vp")
    region.vice_president = vp
    region.save(update_fields=["vice_president"])
    p1 = create_program(name="Westfield new members", kind="new_member", association=westfield)
    lead = create_program(name="West leaders", kind="leadership", region=region)
    chair = person("chair.west@example.org", westfield)
    seat = CommitteeMembership.objects.create(program=p1, user=chair, role="chair")
    committee = person("committee.west@example.org", westfield)
    CommitteeMembership.objects.create(program=p1, user=committee, role="member")
    u = {}
    # Westfield: statuses for the retention table (m3 lapsed, m4 renewal due, t3 lapsed).
    status = {"m3": "lapsed", "m4": "grace", "t3": "lapsed"}
    for name in ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m9", "w1", "w2", "w3", "t1", "t2", "t3", "t4"):
        u[name] = person(f"{name}@west.example.org", westfield, status.get(name, "active"), first_name=name.upper())
    u["o1"] = person("o1@west.example.org", westfield)
    u["o2"] = person("o2@west.example.org", westfield)
    u["l2"] = person("l2@west.example.org", westfield, first_name="Lena", last_name="Second")
    u["l1"] = person("l1@west.example.org", weston, first_name="Liam", last_name="First")
    u["lt1"] = person("lt1@west.example.org", weston, first_name="Lou", last_name="Mentor")
    u["o3"] = person("o3@west.example.org", weston, "lapsed")

    a = {
        "m1": apply(p1, u["m1"], "mentee", "matched", local(2025, 1, 10)),
        "m2": apply(p1, u["m2"], "mentee", "matched", local(2025, 2, 1)),
        "m3": apply(p1, u["m3"], "mentee", "matched", local(2025, 3, 5)),
        "m4": apply(p1, u["m4"], "mentee", "withdrawn", local(2024, 12, 31, 23, 59)),
        "m5": apply(p1, u["m5"], "mentee", "withdrawn", local(2025, 4, 1, 0, 1)),
        "m6": apply(p1, u["m6"], "mentee", "draft", None),
        "m7": apply(p1, u["m7"], "mentee", "matched", local(2024, 10, 1)),
        "m9": apply(p1, u["m9"], "mentee", "withdrawn", local(2024, 9, 1)),
        # Waiting since (local) 2024-11-01 00:00, 2025-04-10 00:00 and 2025-05-15 12:00: 226, 66 and 31 days.
        "w1": apply(p1, u["w1"], "mentee", "in_pool", datetime(2024, 11, 1, 4, 0, tzinfo=UTC)),
        "w2": apply(p1, u["w2"], "mentee", "in_pool", datetime(2025, 4, 10, 4, 0, tzinfo=UTC)),
        "w3": apply(p1, u["w3"], "mentee", "in_pool", datetime(2025, 5, 15, 16, 0, tzinfo=UTC)),
        "t1": apply(p1, u["t1"], "mentor", "in_pool", local(2025, 1, 5)),
        "t2": apply(p1, u["t2"], "mentor", "awaiting_vetting", local(2025, 2, 20)),
        "t3": apply(p1, u["t3"], "mentor", "more_info", local(2024, 11, 1)),
        "t4": apply(p1, u["t4"], "mentor", "declined", local(2025, 3, 1)),
        "l1": apply(lead, u["l1"], "mentee", "matched", local(2025, 1, 15)),
        "l2": apply(lead, u["l2"], "mentee", "matched", local(2025, 2, 15)),
        "lt1": apply(lead, u["lt1"], "mentor", "matched", local(2025, 1, 2)),
    }
    t1 = a["t1"]
    p = {
        "A": pair(a["m1"], t1, local(2025, 1, 20)),
        "B": pair(a["m2"], t1, local(2025, 2, 5), "dissolved", date(2025, 3, 1), "schedules"),
        "C": pair(a["m2"], t1, local(2025, 3, 10)),
        "D": pair(a["m3"], t1, local(2025, 3, 6), "completed", date(2025, 3, 30), "completed"),
        "E": pair(a["m7"], t1, local(2024, 10, 15), "completed", date(2024, 12, 31), "goals_met_early"),
        "F": pair(a["m9"], t1, local(2024, 9, 10), "dissolved", date(2025, 2, 10), "schedules"),
        "L1": pair(a["l1"], a["lt1"], local(2025, 1, 20)),
        "L2": pair(a["l2"], a["lt1"], local(2025, 2, 18)),
    }
    ask(p["A"], "mentee", 1, local(2025, 1, 25), answered=local(2025, 1, 26), satisfaction=5)
    ask(p["A"], "mentor", 1, local(2025, 1, 25), answered=local(2025, 1, 27), satisfaction=4)
    ask(p["A"], "mentee", 2, local(2025, 2, 25), answered=local(2025, 2, 26), satisfaction=4)
    ask(p["A"], "mentor", 2, local(2025, 2, 25))
    ask(p["D"], "mentee", 1, local(2025, 3, 20), answered=local(2025, 3, 21), satisfaction=3)
    ask(p["D"], "mentor", 1, local(2025, 3, 20), answered=local(2025, 3, 22), satisfaction=1)
    ask(p["C"], "mentee", 1, local(2025, 3, 25))
    # Outside the period: asked and answered in April; one never sent.
    ask(p["A"], "mentee", 3, local(2025, 4, 2), answered=local(2025, 4, 3), satisfaction=2)
    Solicitation.objects.create(
        partnership=p["A"], round=3, respondent=p["A"].mentor, role="mentor", due_on=date(2025, 3, 30)
    )
    # The leadership program: the recommendation is given late in the evening (local time).
    ask(
        p["L1"],
        "mentor",
        1,
        local(2025, 2, 20),
        answered=local(2025, 2, 21, 22, 0),
        satisfaction=5,
        recommends_for_leadership=True,
        met="weekly",
        wants_new_partner=True,
    )
    ask(p["L1"], "mentee", 1, local(2025, 2, 20), answered=local(2025, 2, 22), satisfaction=4)
    ask(p["L2"], "mentor", 1, local(2025, 3, 20), answered=local(2025, 3, 21), satisfaction=2)
    ask(p["L2"], "mentee", 1, local(2025, 3, 20), answered=local(2025, 3, 22), satisfaction=3)
    Response.objects.filter(partnership=p["L2"], role="mentor").update(recommends_for_leadership=False)
    # The mentor's recommendation, agreed to by the mentee late in the evening (local time); the
    # second mentee was asked and has not answered: the VP does not hear of her.
    recommend_for_leadership(p["L1"], region, local(2025, 2, 21, 22, 0))
    recommend_for_leadership(p["L2"], region, None)

    Goal.objects.bulk_create(
        [
            Goal(partnership=p["A"], title="Learn claims", progress="achieved"),
            Goal(partnership=p["A"], title="Speak at a meeting", progress="under_way"),
            Goal(partnership=p["A"], title="Find a study group"),
            Goal(partnership=p["D"], title="Pass the exam", progress="achieved"),
        ]
    )
    objectives = {
        m: Objective.objects.create(program=p1, description=f"Objective {m}", measure=m, target=t)
        for m, t in [
            ("satisfaction", 3.5),
            ("response_rate", 70),
            ("completion", 30),
            ("retention", 90),
            ("goal_progress", 50),
            ("other", None),
        ]
    }
    objectives["lead"] = Objective.objects.create(
        program=lead, description="Leaders are happy", measure="satisfaction", target=4
    )
    return {
        "region": region,
        "westfield": westfield,
        "weston": weston,
        "vp": vp,
        "p1": p1,
        "lead": lead,
        "chair": chair,
        "seat": seat,
        "committee": committee,
        "users": u,
        "apps": a,
        "partnerships": p,
        "objectives": objectives,
        "world": world,
    }
