"""Rows for the report tests, built directly with explicit dates (the region West itself is the
`west` fixture in this folder's conftest.py)."""

from datetime import UTC, date, datetime, timedelta

from django.utils import timezone

from accounts.models import Profile, User
from conftest import make_member
from feedback.models import Response, Solicitation
from leadership.models import LeadershipRecommendation
from mentoring.models import (
    Application,
    Partnership,
)
from partnerships.models import Goal
from reports import figures as reports

NOW = datetime(2025, 6, 15, 16, 0, tzinfo=UTC)
Q1 = reports.Period(date(2025, 1, 1), date(2025, 3, 31))
Q1_QUERY = {"start": "2025-01-01", "end": "2025-03-31"}
SECRET = "SECRET-CONCERN-TEXT-7f3a"


def local(y, m, d, h=12, minute=0):
    """A moment in the site's time zone (the one the period's days are counted in)."""
    return timezone.make_aware(datetime(y, m, d, h, minute))  # noqa: DTZ001 - made aware here


# --- Building rows directly, with explicit dates ------------------------------------------------


def person(email, association, status="active", **names):
    user = make_member(email, association, **names)
    Profile.objects.filter(user=user).update(membership_status=status)
    return user


def apply(program, user, role, status, submitted_at):
    return Application.objects.create(program=program, user=user, role=role, status=status, submitted_at=submitted_at)


def pair(mentee_app, mentor_app, created_at, status="active", ended_on=None, end_reason=""):
    p = Partnership.objects.create(
        program=mentee_app.program,
        mentee=mentee_app.user,
        mentor=mentor_app.user,
        mentee_application=mentee_app,
        mentor_application=mentor_app,
        status=status,
        started_on=timezone.localdate(created_at),
        planned_end_on=timezone.localdate(created_at) + timedelta(days=365),
        ended_on=ended_on,
        end_reason=end_reason,
        end_note=SECRET if end_reason else None,
    )
    Partnership.objects.filter(pk=p.pk).update(created_at=created_at)  # auto_now_add otherwise
    p.refresh_from_db()
    return p


def ask(partnership, role, round_, sent_at, *, answered=None, satisfaction=None, **answer):
    """A solicitation sent at `sent_at`; with `answered` (a moment) and a satisfaction, its answer."""
    respondent = partnership.mentee if role == "mentee" else partnership.mentor
    s = Solicitation.objects.create(
        partnership=partnership,
        round=round_,
        respondent=respondent,
        role=role,
        due_on=timezone.localdate(sent_at),
        status="answered" if answered else "sent",
        sent_at=sent_at,
        answered_at=answered,
    )
    if answered:
        r = Response.objects.create(
            solicitation=s,
            partnership=partnership,
            respondent=respondent,
            role=role,
            round=round_,
            satisfaction=satisfaction,
            met=answer.pop("met", "monthly"),
            progress=answer.pop("progress", "some"),
            working=answer.pop("working", "yes"),
            concerns=SECRET,
            **answer,
        )
        Response.objects.filter(pk=r.pk).update(submitted_at=answered)
    return s


def recommend_for_leadership(partnership, region, agreed_at):
    """A mentor's recommendation; `agreed_at`: when the mentee agreed (None: not answered yet)."""
    return LeadershipRecommendation.objects.create(
        partnership=partnership,
        mentor=partnership.mentor,
        mentee=partnership.mentee,
        region=region,
        status="consented" if agreed_at else "asked",
        answered_at=agreed_at,
    )


def grow(west, n, offset):
    """n more partnerships in each program of the region, each with an answer and a goal."""
    for program, association in ((west["p1"], west["westfield"]), (west["lead"], west["weston"])):
        users = User.objects.bulk_create(
            User(email=f"g{program.pk}.{role}.{offset + i}@grow.example.org", password="!")
            for i in range(n)
            for role in ("mentee", "mentor")
        )
        Profile.objects.bulk_create(
            Profile(user=u, association=association, membership_status="active" if k % 3 else "lapsed")
            for k, u in enumerate(users)
        )
        apps = Application.objects.bulk_create(
            Application(
                program=program, user=u, role=u.email.split(".")[1], status="matched", submitted_at=local(2025, 1, 3)
            )
            for u in users
        )
        partnerships = Partnership.objects.bulk_create(
            Partnership(
                program=program,
                mentee=apps[2 * i].user,
                mentor=apps[2 * i + 1].user,
                mentee_application=apps[2 * i],
                mentor_application=apps[2 * i + 1],
                status=("active", "completed", "dissolved")[i % 3],
                end_reason=("", "completed", "fit")[i % 3],
                ended_on=None if i % 3 == 0 else date(2025, 3, 1),
                started_on=date(2025, 1, 20),
                planned_end_on=date(2026, 1, 20),
            )
            for i in range(n)
        )
        Partnership.objects.filter(pk__in=[p.pk for p in partnerships]).update(created_at=local(2025, 1, 20))
        for i, p in enumerate(partnerships):
            ask(p, "mentee", 1, local(2025, 2, 1), answered=local(2025, 2, 2), satisfaction=1 + i % 5)
            ask(p, "mentor", 1, local(2025, 2, 1), answered=local(2025, 2, 3), satisfaction=5)
        Goal.objects.bulk_create(Goal(partnership=p, title="Goal", progress="achieved") for p in partnerships)
