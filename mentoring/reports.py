"""Program reports: totals for regional VPs, staff and chairs, never anyone's answers.

Every figure is aggregated in the database, grouped by program or by local association, so a
report costs the same few queries whether a region has ten partnerships or fifty thousand.
Figures drawn from feedback answers are suppressed below a threshold (SiteSettings), so that
no one can be recognised from a small group.
"""

import statistics
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    Value,
)
from django.db.models.functions import Extract, TruncMonth
from django.utils import timezone

from accounts.models import Profile
from feedback.models import Response, Solicitation

from .models import Application, Goal, LocalAssociation, Objective, Partnership, Program, SiteSettings

SUPPRESSED = None  # shown as "too few to report"


class Median(Aggregate):
    """PostgreSQL's exact median (percentile_cont); other databases compute it in Python."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


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
    return Period(start=(today.replace(day=1) - timedelta(days=335)).replace(day=1), end=today)


def _in(prefix, period):
    """A filter for a datetime or date field within the period (inclusive days)."""
    return {f"{prefix}__date__gte": period.start, f"{prefix}__date__lte": period.end}


def _days(expression):
    """A duration in days, as a number the database can aggregate."""
    return Extract(ExpressionWrapper(expression, output_field=DurationField()), "epoch") / 86400.0


def _medians(queryset, key, duration):
    """{group: median days}: one query either way."""
    if connection.vendor == "postgresql":
        rows = _by(queryset, key).annotate(m=Median(_days(duration))).values_list("grp", "m")
        return {k: round(m, 1) for k, m in rows if m is not None}
    groups = {}
    rows = queryset.values_list(F(key) if key else Value(0), ExpressionWrapper(duration, output_field=DurationField()))
    for k, value in rows:
        if value is not None:
            groups.setdefault(k, []).append(value.total_seconds() / 86400)
    return {k: round(statistics.median(v), 1) for k, v in groups.items()}


def _by(queryset, path):
    """Group by a field path, or everything into one group (path None)."""
    # order_by(): a model's default ordering would otherwise join the GROUP BY.
    return queryset.order_by().values(grp=F(path) if path else Value(0))


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
    "all": dict.fromkeys(("application", "partnership", "solicitation", "response", "goal")),
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
    """{program id or association id: Figures} for the given programs over the period."""
    k = k or SiteSettings.current().report_min_responses
    today = today or timezone.localdate()
    keys = KEYS[by]
    out = {}

    def row(key):
        return out.setdefault(key, Figures())

    apps = Application.objects.filter(program__in=programs)
    for key, mentees, mentors, awaiting in (
        _by(apps, keys["application"])
        .annotate(
            mentees=Count("id", filter=Q(role="mentee", **_in("submitted_at", period))),
            mentors=Count("id", filter=Q(role="mentor", **_in("submitted_at", period))),
            awaiting=Count("id", filter=Q(role="mentor", status__in=["awaiting_vetting", "more_info"])),
        )
        .values_list("grp", "mentees", "mentors", "awaiting")
    ):
        f = row(key)
        f.mentees_applied, f.mentors_applied, f.awaiting_vetting = mentees, mentors, awaiting

    partnerships = Partnership.objects.filter(program__in=programs)
    earlier_dissolved = Partnership.objects.filter(
        mentee_application=OuterRef("mentee_application"), status="dissolved", created_at__lt=OuterRef("created_at")
    )
    for key, matched, active, completed, dissolved, rematched in (
        _by(partnerships.annotate(was_rematch=Exists(earlier_dissolved)), keys["partnership"])
        .annotate(
            matched=Count("id", filter=Q(**_in("created_at", period))),
            active=Count("id", filter=Q(status="active")),
            completed=Count("id", filter=Q(status="completed", ended_on__gte=period.start, ended_on__lte=period.end)),
            dissolved=Count("id", filter=Q(status="dissolved", ended_on__gte=period.start, ended_on__lte=period.end)),
            rematched=Count("id", filter=Q(was_rematch=True, **_in("created_at", period))),
        )
        .values_list("grp", "matched", "active", "completed", "dissolved", "rematched")
    ):
        f = row(key)
        f.matched, f.active, f.completed, f.dissolved, f.rematched = matched, active, completed, dissolved, rematched
    started = partnerships.filter(**_in("created_at", period), mentee_application__submitted_at__isnull=False)
    for key, m in _medians(
        started, keys["partnership"], F("created_at") - F("mentee_application__submitted_at")
    ).items():
        row(key).median_days_to_match = m

    asked = Solicitation.objects.filter(partnership__program__in=programs, **_in("sent_at", period))
    for key, n, answered in (
        _by(asked, keys["solicitation"])
        .annotate(n=Count("id"), answered=Count("id", filter=Q(status="answered")))
        .values_list("grp", "n", "answered")
    ):
        f = row(key)
        f.asked, f.answered = n, answered

    responses = Response.objects.filter(partnership__program__in=programs, **_in("submitted_at", period))
    for key, n, mean, *dist in (
        _by(responses, keys["response"])
        .annotate(
            n=Count("id"),
            mean=Avg("satisfaction"),
            **{f"s{i}": Count("id", filter=Q(satisfaction=i)) for i in range(1, 6)},
        )
        .values_list("grp", "n", "mean", "s1", "s2", "s3", "s4", "s5")
    ):
        f = row(key)
        f.responses = n
        if n >= k:
            f.satisfaction = round(mean, 2)
            f.distribution = {i + 1: dist[i] for i in range(5)}

    waiting = apps.filter(role="mentee", status="in_pool", submitted_at__isnull=False)
    for key, n in _by(waiting, keys["application"]).annotate(n=Count("id")).values_list("grp", "n"):
        row(key).waiting = n
    now = timezone.now()
    for key, m in _medians(waiting, keys["application"], now - F("submitted_at")).items():
        row(key).median_days_waiting = m
    for key, oldest in (
        _by(waiting, keys["application"]).annotate(oldest=Min("submitted_at")).values_list("grp", "oldest")
    ):
        row(key).longest_wait = (now - oldest).days

    goals = Goal.objects.filter(partnership__program__in=programs, partnership__created_at__date__lte=period.end)
    for key, n, achieved in (
        _by(goals, keys["goal"])
        .annotate(n=Count("id"), achieved=Count("id", filter=Q(progress="achieved")))
        .values_list("grp", "n", "achieved")
    ):
        f = row(key)
        f.goals, f.goals_achieved = n, achieved

    for f in out.values():
        # The response rate is drawn from the asks: too few asked and it would say who answered.
        f.response_rate = round(100 * f.answered / f.asked, 1) if f.asked >= k else SUPPRESSED
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
    took_part_as = {role: Partnership.objects.filter(**{role: OuterRef("user_id")}) for role in ("mentee", "mentor")}
    rows = (
        Profile.objects.filter(association__in=associations)
        .annotate(is_mentee=Exists(took_part_as["mentee"]), is_mentor=Exists(took_part_as["mentor"]))
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
