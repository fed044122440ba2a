"""Program reports: totals for regional VPs, staff and chairs, never anyone's answers.

Every figure is aggregated in the database, grouped by program or by local association, so a
report costs the same few queries whether a region has ten partnerships or fifty thousand.
Figures drawn from feedback answers are suppressed below a threshold (SiteSettings), so that
no one can be recognised from a small group.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Avg,
    BooleanField,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
)
from django.db.models.functions import Extract, TruncMonth
from django.utils import timezone

from accounts.models import Profile
from feedback.models import Response, Solicitation

from .models import Application, Goal, LocalAssociation, Objective, Partnership, Program, SiteSettings

SUPPRESSED = None  # shown as "too few to report"


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def months(self):
        months, day = [], self.start.replace(day=1)
        while day <= self.end:
            months.append(day)
            day = (day + timedelta(days=32)).replace(day=1)
        return months


def default_period(today=None):
    today = today or timezone.localdate()
    # The first day of the month eleven months back: twelve calendar months with this one.
    first = today.year * 12 + today.month - 1 - 11
    return Period(start=date(first // 12, first % 12 + 1, 1), end=today)


def _in(prefix, period):
    """A filter for a datetime field within the period (inclusive days, in the site's time zone).

    A range on the column itself, not on its date: the database can use an index and its
    statistics (`col::date` has neither, and the planner then guesses badly)."""
    first, after = _bounds(period)
    return {f"{prefix}__gte": first, f"{prefix}__lt": after}


def _bounds(period):
    """The first moment of the period and the first moment after it, in the site's time zone."""
    first = timezone.make_aware(datetime.combine(period.start, time.min))
    return first, timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min))


def _days(expression):
    """A duration in days, as a number the database can aggregate."""
    return Extract(ExpressionWrapper(expression, output_field=DurationField()), "epoch") / 86400.0


MEDIANS_SQL = (
    "SELECT p, a, GROUPING(p), GROUPING(a), COUNT(d), PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY d), MAX(d) "
    "FROM ({rows}) AS rows GROUP BY GROUPING SETS ((p), (a), ())"
)


def _medians(queryset, table, duration):
    """{grouping: {key: (count, median days, most days)}} for the three groupings, in one query.

    PostgreSQL computes the exact medians (percentile_cont) for every program, every local
    association and the total at once (GROUPING SETS); other databases in Python."""
    program_path, association_path = KEYS["program"][table], KEYS["association"][table]
    out = {by: {} for by in GROUPINGS}
    if connection.vendor == "postgresql":
        inner = queryset.order_by().values(p=F(program_path), a=F(association_path), d=_days(duration))
        try:
            sql, params = inner.query.sql_with_params()
        except EmptyResultSet:  # e.g. no programs at all
            return out
        # The ORM compiles the rows (its own parameters stay parameters); only the grouping is added.
        query = MEDIANS_SQL.format(rows=sql)
        with connection.cursor() as cursor:
            cursor.execute(query, params)
            for p, a, no_program, no_association, n, median, most in cursor.fetchall():
                if not n:
                    continue
                if no_program and no_association:
                    out["all"][0] = (n, round(median, 1), float(most))
                elif no_association:
                    out["program"][p] = (n, round(median, 1), float(most))
                else:
                    out["association"][a] = (n, round(median, 1), float(most))
        return out
    groups = {}
    rows = queryset.order_by().values_list(
        F(program_path), F(association_path), ExpressionWrapper(duration, output_field=DurationField())
    )
    for p, a, value in rows:
        if value is not None:
            for group in (("program", p), ("association", a), ("all", 0)):
                groups.setdefault(group, []).append(value.total_seconds() / 86400)
    for (by, key), values in groups.items():
        out[by][key] = (len(values), round(statistics.median(values), 1), max(values))
    return out


def _grouped(queryset, table, **aggregates):
    """Rows of (program id, association id, *aggregates): one pass, summed up by the caller."""
    return (
        queryset.order_by()  # a model's default ordering would otherwise join the GROUP BY
        .values(p=F(KEYS["program"][table]), a=F(KEYS["association"][table]))
        .annotate(**aggregates)
        .values_list("p", "a", *aggregates)
    )


GROUPINGS = ("program", "association", "all")
KEYS = {
    # How each table reaches the program and the mentee's (or applicant's) local association.
    "program": {
        "application": "program_id",
        "partnership": "program_id",
        "solicitation": "partnership__program_id",
        "response": "partnership__program_id",
        "goal": "partnership__program_id",
    },
    "association": {
        "application": "user__profile__association_id",
        "partnership": "mentee__profile__association_id",
        "solicitation": "partnership__mentee__profile__association_id",
        "response": "partnership__mentee__profile__association_id",
        "goal": "partnership__mentee__profile__association_id",
    },
}


@dataclass
class Figures:
    mentees_applied: int = 0
    mentors_applied: int = 0
    awaiting_vetting: int = 0
    matched: int = 0
    median_days_to_match: float | None = None
    active: int = 0
    completed: int = 0
    dissolved: int = 0
    rematched: int = 0
    asked: int = 0
    answered: int = 0
    response_rate: float | None = None
    responses: int = 0
    satisfaction: float | None = None
    distribution: dict = field(default_factory=dict)
    waiting: int = 0
    median_days_waiting: float | None = None
    longest_wait: int | None = None
    goals: int = 0
    goals_achieved: int = 0

    @property
    def completion_rate(self):
        ended = self.completed + self.dissolved
        return round(100 * self.completed / ended, 1) if ended else None

    @property
    def goal_rate(self):
        return round(100 * self.goals_achieved / self.goals, 1) if self.goals else None


def grouped_figures(programs, period, *, by="program", k=None, today=None) -> dict:
    """{program id, association id, or 0 for "all": Figures} for the given programs over the period."""
    return all_figures(programs, period, k=k, today=today)[by]


def all_figures(programs, period, *, k=None, today=None) -> dict:
    """{"program": {id: Figures}, "association": {id: Figures}, "all": {0: Figures}}.

    Each table is read once, grouped by program and by the mentee's (or applicant's) local
    association, and the three groupings are summed up from those few rows; the medians come
    from one query each. The cost does not grow with the number of groupings shown."""
    k = k or SiteSettings.current().report_min_responses
    out = {by: {} for by in GROUPINGS}

    def row(by, key):
        return out[by].setdefault(key, Figures())

    def rows(program_id, association_id):
        """The figures a (program, association) group adds to: its program's, its association's, the total."""
        return (row("program", program_id), row("association", association_id), row("all", 0))

    apps = Application.objects.filter(program__in=programs)
    for p, a, mentees, mentors, awaiting in _grouped(
        apps,
        "application",
        mentees=Count("id", filter=Q(role="mentee", **_in("submitted_at", period))),
        mentors=Count("id", filter=Q(role="mentor", **_in("submitted_at", period))),
        awaiting=Count("id", filter=Q(role="mentor", status__in=["awaiting_vetting", "more_info"])),
    ):
        for f in rows(p, a):
            f.mentees_applied += mentees
            f.mentors_applied += mentors
            f.awaiting_vetting += awaiting

    partnerships = Partnership.objects.filter(program__in=programs)
    earlier_dissolved = Partnership.objects.filter(
        mentee_application=OuterRef("mentee_application"), status="dissolved", created_at__lt=OuterRef("created_at")
    )
    ended_in_period = Q(ended_on__gte=period.start, ended_on__lte=period.end)
    for p, a, matched, active, completed, dissolved, rematched in _grouped(
        partnerships,
        "partnership",
        matched=Count("id", filter=Q(**_in("created_at", period))),
        active=Count("id", filter=Q(status="active")),
        completed=Count("id", filter=Q(ended_in_period, status="completed")),
        dissolved=Count("id", filter=Q(ended_in_period, status="dissolved")),
        # The subquery runs only for the partnerships started in the period.
        rematched=Count("id", filter=Q(Exists(earlier_dissolved), **_in("created_at", period))),
    ):
        for f in rows(p, a):
            f.matched += matched
            f.active += active
            f.completed += completed
            f.dissolved += dissolved
            f.rematched += rematched
    started = partnerships.filter(**_in("created_at", period), mentee_application__submitted_at__isnull=False)
    to_match = _medians(started, "partnership", F("created_at") - F("mentee_application__submitted_at"))
    for by, groups in to_match.items():
        for key, (_, median, _) in groups.items():
            row(by, key).median_days_to_match = median

    asked = Solicitation.objects.filter(partnership__program__in=programs, **_in("sent_at", period))
    for p, a, n, answered in _grouped(
        asked, "solicitation", n=Count("id"), answered=Count("id", filter=Q(status="answered"))
    ):
        for f in rows(p, a):
            f.asked += n
            f.answered += answered

    scores = range(1, 6)
    responses = Response.objects.filter(partnership__program__in=programs, **_in("submitted_at", period))
    for p, a, n, *counts in _grouped(
        responses, "response", n=Count("id"), **{f"s{i}": Count("id", filter=Q(satisfaction=i)) for i in scores}
    ):
        for f in rows(p, a):
            f.responses += n
            for score, count in zip(scores, counts, strict=True):
                f.distribution[score] = f.distribution.get(score, 0) + count

    waiting = apps.filter(role="mentee", status="in_pool", submitted_at__isnull=False)
    for by, groups in _medians(waiting, "application", timezone.now() - F("submitted_at")).items():
        for key, (n, median, most) in groups.items():
            f = row(by, key)
            f.waiting, f.median_days_waiting, f.longest_wait = n, median, int(most)

    goals = Goal.objects.filter(partnership__program__in=programs, partnership__created_at__lt=_bounds(period)[1])
    for p, a, n, achieved in _grouped(
        goals, "goal", n=Count("id"), achieved=Count("id", filter=Q(progress="achieved"))
    ):
        for f in rows(p, a):
            f.goals += n
            f.goals_achieved += achieved

    for f in (f for groups in out.values() for f in groups.values()):
        # The response rate is drawn from the asks: too few asked and it would say who answered.
        f.response_rate = round(100 * f.answered / f.asked, 1) if f.asked >= k else SUPPRESSED
        if f.responses >= k:
            f.satisfaction = round(sum(s * n for s, n in f.distribution.items()) / f.responses, 2)
            f.distribution = {s: f.distribution.get(s, 0) for s in scores}
        else:
            f.distribution = {}
    return out


def closure_reasons(programs, period) -> list:
    rows = (
        Partnership.objects.filter(program__in=programs, ended_on__gte=period.start, ended_on__lte=period.end)
        .exclude(end_reason="")
        .order_by()
        .values("end_reason")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    labels = dict(Partnership.EndReason.choices)
    return [(labels.get(r["end_reason"], r["end_reason"]), r["n"]) for r in rows]


def trend(programs, period, k) -> list:
    """Per month: applications, partnerships started, answers and mean satisfaction (suppressed)."""
    months = {m: {"month": m, "applied": 0, "matched": 0, "responses": 0, "satisfaction": None} for m in period.months}

    def add(queryset, stamp, **aggregates):
        rows = queryset.order_by().annotate(m=TruncMonth(stamp)).values("m").annotate(**aggregates)
        for r in rows:
            month = r.pop("m")
            month = month.date() if hasattr(month, "date") else month
            if month in months:
                months[month].update(r)

    add(
        Application.objects.filter(program__in=programs, **_in("submitted_at", period)),
        "submitted_at",
        applied=Count("id"),
    )
    add(
        Partnership.objects.filter(program__in=programs, **_in("created_at", period)), "created_at", matched=Count("id")
    )
    add(
        Response.objects.filter(partnership__program__in=programs, **_in("submitted_at", period)),
        "submitted_at",
        responses=Count("id"),
        mean=Avg("satisfaction"),
    )
    result = []
    for m in months.values():
        mean = m.pop("mean", None)
        m["satisfaction"] = round(mean, 2) if mean is not None and m["responses"] >= k else SUPPRESSED
        result.append(m)
    return result


def retention(associations) -> list:
    """Per local association: the share of mentees, of mentors and of members who took no part
    whose membership is current (renewed)."""
    # `user_id IN (all mentees)`: the database hashes the participants once. (A correlated
    # EXISTS per member is priced per row, which on 100,000 members sets off PostgreSQL's JIT.)
    took_part = {
        f"is_{role}": ExpressionWrapper(Q(user_id__in=Partnership.objects.values(role)), output_field=BooleanField())
        for role in ("mentee", "mentor")
    }
    rows = (
        Profile.objects.filter(association__in=associations)
        .annotate(**took_part)
        .order_by()
        .values("association_id", "is_mentee", "is_mentor")
        .annotate(n=Count("id"), renewed=Count("id", filter=Q(membership_status=Profile.MembershipStatus.ACTIVE)))
    )
    table = {}
    for r in rows:
        entry = table.setdefault(r["association_id"], {"mentees": [0, 0], "mentors": [0, 0], "others": [0, 0]})
        group = "mentees" if r["is_mentee"] else "mentors" if r["is_mentor"] else "others"
        entry[group][0] += r["n"]
        entry[group][1] += r["renewed"]
    return table


def rate(pair, k=1):
    n, renewed = pair
    return round(100 * renewed / n, 1) if n >= k else SUPPRESSED


def objectives_progress(programs, figures, retention_rates) -> list:
    """Each program's objectives with the figure that measures it and its target."""
    out = []
    for objective in Objective.objects.filter(program__in=programs).select_related("program").order_by("program", "id"):
        f = figures.get(objective.program_id, Figures())
        value = {
            Objective.Measure.SATISFACTION: f.satisfaction,
            Objective.Measure.RESPONSE_RATE: f.response_rate,
            Objective.Measure.COMPLETION: f.completion_rate,
            Objective.Measure.RETENTION: retention_rates.get(objective.program_id),
            Objective.Measure.GOAL_PROGRESS: f.goal_rate,
        }.get(objective.measure)
        target = float(objective.target) if objective.target is not None else None
        out.append(
            {
                "objective": objective,
                "value": value,
                "target": target,
                "met": value is not None and target is not None and value >= target,
                "measured": objective.measure != Objective.Measure.OTHER,
            }
        )
    return out


def program_retention(programs) -> dict:
    """{program id: % of its participants (mentees and mentors) whose membership is current}."""
    rows = (
        Partnership.objects.filter(program__in=programs)
        .order_by()
        .values("program_id")
        .annotate(
            n=Count("mentee", distinct=True) + Count("mentor", distinct=True),
            renewed=Count("mentee", filter=Q(mentee__profile__membership_status="active"), distinct=True)
            + Count("mentor", filter=Q(mentor__profile__membership_status="active"), distinct=True),
        )
    )
    return {r["program_id"]: round(100 * r["renewed"] / r["n"], 1) for r in rows if r["n"]}


def leadership_pipeline(region) -> list:
    """Mentees recommended for a leadership role by their mentors: the recommendation only."""
    rows = (
        Response.objects.filter(
            partnership__program__region=region,
            partnership__program__kind=Program.Kind.LEADERSHIP,
            recommends_for_leadership=True,
        )
        .order_by()
        .values(
            "partnership__mentee__first_name",
            "partnership__mentee__last_name",
            "partnership__mentee__email",
            "partnership__mentee__profile__association__name",
            "partnership__program__name",
        )
        .annotate(latest=Max("submitted_at"))
        .order_by("-latest")
    )
    return [
        {
            "name": f"{r['partnership__mentee__first_name']} {r['partnership__mentee__last_name']}".strip(),
            "email": r["partnership__mentee__email"],
            "association": r["partnership__mentee__profile__association__name"],
            "program": r["partnership__program__name"],
            "date": r["latest"],
        }
        for r in rows
    ]


def region_programs(region):
    return Program.objects.filter(Q(region=region) | Q(association__region=region)).select_related(
        "association", "region"
    )


def workload(program, *, today=None) -> dict:
    """What waits for the committee: vetting, the attention queue, overdue feedback."""
    from feedback.services import partnerships_needing_attention  # noqa: PLC0415

    now = timezone.now()
    return {
        "vetting": program.applications.filter(role="mentor", status__in=["awaiting_vetting", "more_info"]).count(),
        "attention": len(partnerships_needing_attention(program, today=today)),
        "feedback_overdue": Solicitation.objects.filter(
            partnership__program=program,
            status="sent",
            sent_at__lt=now - timedelta(days=program.feedback_link_days),
        ).count(),
    }


def associations_of(region):
    return LocalAssociation.objects.filter(region=region).order_by("name")
