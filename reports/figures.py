"""Program reports: totals for regional VPs, staff and chairs, never anyone's answers.

Two steps. `take_snapshot` (a job, every few minutes) counts what the reports show, grouped in
the database by day, program and local association (the mentee's or applicant's), into ReportDay
rows: only for the programs and associations whose data changed since the last snapshot (database
triggers record each change in ReportChange), and it writes only the rows whose figures differ.
A report then sums the rows of its programs over its period: a few thousand small rows, in a
few queries, however large the region. Figures drawn from feedback answers are suppressed below
a threshold (SiteSettings), so that no one can be recognised from a small group.
"""

import contextlib
import time as clock
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, JSONObject, TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop, ngettext

from accounts.models import Profile
from circles.models import Circle, CircleMeeting, CircleMember
from feedback.models import Response, Solicitation
from feedback.services import partnerships_needing_attention
from flash.models import Slot
from leadership import services as leadership
from matching.models import Proposal
from mentoring import compiled
from mentoring.models import Application, LocalAssociation, Objective, Partnership, Program, SiteSettings
from mentoring.orientation import Required, gates, split_for_vetting
from partnerships.models import Goal

from .models import ReportChange, ReportCount, ReportDay, ReportSnapshot

SUPPRESSED = None  # a hidden figure, shown as SUPPRESSED_TEXT
SUPPRESSED_TEXT = gettext_noop("too few to report")  # shown through gettext: in the reader's language
SUPPRESSIBLE = {"satisfaction", "response_rate"}  # the figures drawn from feedback; others may be empty
STALE_AFTER = timedelta(hours=1)  # older figures (the job is not running) are taken on the spot
KEEP_READABLE = timedelta(minutes=5)  # a snapshot stays this long after a newer one, for pages reading it
TAKING = "reports:taking-snapshot"  # the cache key a page holds while it takes the figures
SNAPSHOT_LOCK = 24_0001  # PostgreSQL advisory lock: one snapshot is taken at a time
MANY_CHANGES = 20_000  # more changes than this since the last snapshot: recount everything
SCORES = range(1, 6)


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


GROUPINGS = ("program", "association", "all")
KEYS = {
    # How each table reaches the program and the mentee's (or applicant's) local association.
    "program": {
        "application": "program_id",
        "partnership": "program_id",
        "solicitation": "partnership__program_id",
        "response": "partnership__program_id",
        "goal": "partnership__program_id",
        "flash": "program_id",
        "circle": "program_id",
        "circle_meeting": "circle__program_id",
        "circle_member": "circle__program_id",
    },
    "association": {
        "application": "user__profile__association_id",
        "partnership": "mentee__profile__association_id",
        "solicitation": "partnership__mentee__profile__association_id",
        "response": "partnership__mentee__profile__association_id",
        "goal": "partnership__mentee__profile__association_id",
        "flash": "member__profile__association_id",  # the member who booked it
        # A circle, and its meetings, are its first mentor's (annotated: circle_lead); its members
        # each their own.
        "circle": "circle_lead",
        "circle_meeting": "circle_lead",
        "circle_member": "user__profile__association_id",
    },
}
AWAITING_VETTING = [Application.Status.AWAITING_VETTING, Application.Status.MORE_INFO]


# --- Taking the figures (the scheduled job) ---------------------------------------------------


def _count(queryset, table, *, by=None, **aggregates):
    """Rows of (program id, association id, *`by` values, *aggregates), grouped in the database."""
    by = by or {}
    return (
        queryset.order_by()  # a model's default ordering would otherwise join the GROUP BY
        .values(p=F(KEYS["program"][table]), a=F(KEYS["association"][table]), **by)
        .annotate(**aggregates)
        .values_list("p", "a", *by, *aggregates)
    )


def take_snapshot(*, everything=False) -> ReportSnapshot:
    """Bring the figures up to date: recount what changed since the latest snapshot and write
    the rows whose figures differ, as a new snapshot. Nothing changed: nothing is written but
    the latest snapshot's moment (its figures still stand). Returns the snapshot now current.

    What changed is read from ReportChange, written by database triggers in the transaction of
    each change, so no way of changing the data is missed. `everything` (and SQLite, which has
    no triggers here, and the first snapshot of a day, when the days waiting move on) recounts
    every program and association; even then only the rows that differ are written.

    Every count is of one moment (one REPEATABLE READ transaction on PostgreSQL; SQLite's are
    serializable), stamped with that moment. Safe to run twice at once: the runs take turns (an
    advisory lock; SQLite's transactions take its write lock at once), and the second finds
    nothing left to do. A snapshot is dropped once it is older than KEEP_READABLE and no longer
    the newest, with the rows that only it could still see."""
    started = clock.perf_counter()
    with _one_at_a_time():
        repeatable = not connection.in_atomic_block and connection.vendor == "postgresql"
        with transaction.atomic():
            if repeatable:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            snapshot = _take(started, timezone.now(), everything=everything, repeatable=repeatable)
        _drop_old(snapshot.taken_at)
    return snapshot


@contextlib.contextmanager
def _one_at_a_time():
    """Taken before the transaction starts, so that the second run's transaction sees the first's rows."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [SNAPSHOT_LOCK])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SNAPSHOT_LOCK])


def _drop_old(taken_at):
    # Older ones, but never the newest: a page that began reading one five minutes ago has finished.
    newest = ReportSnapshot.objects.order_by("-taken_at", "-pk").values_list("pk", flat=True)[:1]
    ReportSnapshot.objects.filter(taken_at__lt=taken_at - KEEP_READABLE).exclude(pk__in=list(newest)).delete()
    # A row replaced by a snapshot no older than the oldest kept is seen by none of them.
    oldest = ReportSnapshot.objects.order_by("pk").values_list("pk", flat=True).first()
    if oldest is not None:
        ReportDay.objects.filter(until__lte=oldest).delete()
        ReportCount.objects.filter(until__lte=oldest).delete()


def _take(started, taken_at, *, everything, repeatable):
    """Which programs and associations to recount, the recounting, and the writing of what differs.
    `repeatable`: every statement sees the moment the transaction began (REPEATABLE READ)."""
    latest = ReportSnapshot.objects.order_by("-taken_at", "-pk").first()
    if latest is not None:
        # A clock behind the last run's (another machine's) must not make the newest look older.
        taken_at = max(taken_at, latest.taken_at)
    today = timezone.localdate(taken_at)
    changes = ReportChange.objects.order_by().values_list(
        "pk", "program_id", "partnership_id", "user_id", "association_id"
    )
    changes = list(changes[: MANY_CHANGES + 1] if repeatable else changes)
    if (
        everything
        or latest is None
        or timezone.localdate(latest.taken_at) != today  # the days waiting are counted to today
        or connection.vendor != "postgresql"  # no triggers: no record of what changed
        or len(changes) > MANY_CHANGES
        or any(not any(ids) for _, *ids in changes)  # a TRUNCATE
    ):
        programs = associations = None  # all of them
    else:
        programs, associations = _touched(changes)
    rows, counts = _recount(today, programs, associations)
    days, tallies = _current(programs, associations)
    old_rows = [pk for key, (pk, values) in days.items() if key not in rows or _figures_of(rows[key]) != values]
    new_rows = [r for key, r in rows.items() if key not in days or _figures_of(r) != days[key][1]]
    old_counts = [pk for key, (pk, n) in tallies.items() if counts.get(key) != n]
    new_counts = [(key, n) for key, n in counts.items() if key not in tallies or tallies[key][1] != n]

    if latest is not None and not (old_rows or new_rows or old_counts or new_counts):
        snapshot = latest
        snapshot.taken_at = taken_at  # its figures are those of this moment too
        snapshot.save(update_fields=["taken_at"])
    else:
        snapshot = ReportSnapshot.objects.create(taken_at=taken_at)
        for model, pks in ((ReportDay, old_rows), (ReportCount, old_counts)):
            for first in range(0, len(pks), 5000):
                model.objects.filter(pk__in=pks[first : first + 5000]).update(until=snapshot.pk)
        for r in new_rows:
            r.since = snapshot.pk
        ReportDay.objects.bulk_create(new_rows, batch_size=2000)
        ReportCount.objects.bulk_create(
            (
                ReportCount(since=snapshot.pk, day=d, program_id=p, association_id=a, measure=m, value=v, n=n)
                for (d, p, a, m, v), n in new_counts
            ),
            batch_size=5000,
        )
    # The changes this moment sees, and only those: one committed since is for the next snapshot.
    if repeatable:
        ReportChange.objects.all().delete()  # sees what the transaction saw: those read, or more when many
    else:
        ids = [pk for pk, *_ in changes]
        for first in range(0, len(ids), 5000):
            ReportChange.objects.filter(pk__in=ids[first : first + 5000]).delete()
    if snapshot is not latest:
        snapshot.seconds = round(clock.perf_counter() - started, 3)
        snapshot.save(update_fields=["seconds"])
    return snapshot


def _touched(changes):
    """(program ids, association ids) whose figures the changes may have changed: a program's
    rows (by day and association) count its applications, partnerships and what hangs from them,
    with the mentee's or applicant's association and membership; an association's renewals count
    its members' membership and whether they took part in a partnership."""
    programs, partnerships, users, associations = set(), set(), set(), set()
    for _, program, partnership, user, association in changes:
        for ids, value in (
            (programs, program),
            (partnerships, partnership),
            (users, user),
            (associations, association),
        ):
            if value is not None:
                ids.add(value)
    # A partnership deleted since has no program here: its deletion is a change of its own.
    programs |= set(Partnership.objects.filter(pk__in=partnerships).values_list("program_id", flat=True))
    if users:
        programs |= set(Application.objects.filter(user__in=users).values_list("program_id", flat=True))
        programs |= set(
            Partnership.objects.filter(Q(mentee__in=users) | Q(mentor__in=users)).values_list("program_id", flat=True)
        )
        associations |= set(
            Profile.objects.filter(user__in=users, association__isnull=False).values_list("association_id", flat=True)
        )
    return programs, associations


FIGURES = [
    f.name
    for f in ReportDay._meta.concrete_fields
    if f.name not in {"id", "since", "until", "day", "program", "association"}
]


def _figures_of(row):
    return tuple(getattr(row, name) for name in FIGURES)


def _scope(programs, associations):
    """The rows of these programs (all of them when None) and these associations' renewals."""
    if programs is None:
        return Q()
    return Q(program__in=programs) | Q(program=None, association__in=associations)


def _current(programs, associations):
    """The current rows in scope: ({(day, program, association): (pk, figures)},
    {(day, program, association, measure, value): (pk, n)})."""
    scope = _scope(programs, associations)
    days = {
        (d, p, a): (pk, tuple(values))
        for pk, d, p, a, *values in ReportDay.objects.filter(scope, until=None).values_list(
            "pk", "day", "program_id", "association_id", *FIGURES
        )
    }
    tallies = {
        (d, p, a, m, v): (pk, n)
        for pk, d, p, a, m, v, n in ReportCount.objects.filter(scope, until=None).values_list(
            "pk", "day", "program_id", "association_id", "measure", "value", "n"
        )
    }
    return days, tallies


def _recount(today, programs=None, associations=None):
    """The figures of these programs (all when None) and these associations' renewals, counted
    from the data, grouped in the database: ({(day, program, association): ReportDay},
    {(day, program, association, measure, value): n})."""
    rows, counts = {}, Counter()

    def row(day, p, a):
        if (day, p, a) not in rows:
            rows[day, p, a] = ReportDay(day=day, program_id=p, association_id=a)
        return rows[day, p, a]

    def add(day, p, a, **figures):
        r = row(day, p, a)
        for name, n in figures.items():
            setattr(r, name, getattr(r, name) + n)

    def tally(day, p, a, measure, value, n):
        counts[day, p, a, measure, str(value)] += n

    def of(queryset, table):
        if programs is None:
            return queryset
        return queryset.filter(**{KEYS["program"][table] + "__in": programs})

    submitted = of(Application.objects.filter(submitted_at__isnull=False), "application")
    for p, a, d, mentees, mentors in _count(
        submitted,
        "application",
        by={"d": TruncDate("submitted_at")},
        mentees=Count("id", filter=Q(role="mentee")),
        mentors=Count("id", filter=Q(role="mentor")),
    ):
        add(d, p, a, mentees_applied=mentees, mentors_applied=mentors)
    vetting = of(Application.objects.filter(role="mentor", status__in=AWAITING_VETTING), "application")
    for p, a, n in _count(vetting, "application", n=Count("id")):
        add(None, p, a, awaiting_vetting=n)
    waiting = submitted.filter(role="mentee", status="in_pool")
    for p, a, d, n in _count(waiting, "application", by={"d": TruncDate("submitted_at")}, n=Count("id")):
        tally(None, p, a, ReportCount.Measure.DAYS_WAITING, (today - d).days, n)

    earlier_dissolved = Partnership.objects.filter(
        mentee_application=OuterRef("mentee_application"), status="dissolved", created_at__lt=OuterRef("created_at")
    )
    for p, a, d, matched, rematched in _count(
        of(Partnership.objects.all(), "partnership"),
        "partnership",
        by={"d": TruncDate("created_at")},
        matched=Count("id"),
        rematched=Count("id", filter=Q(Exists(earlier_dissolved))),
    ):
        add(d, p, a, matched=matched, rematched=rematched)
    # Whole days from the day the mentee applied to the day they were matched.
    for p, a, d, applied, n in _count(
        of(Partnership.objects.filter(mentee_application__submitted_at__isnull=False), "partnership"),
        "partnership",
        by={"d": TruncDate("created_at"), "applied": TruncDate("mentee_application__submitted_at")},
        n=Count("id"),
    ):
        tally(d, p, a, ReportCount.Measure.DAYS_TO_MATCH, (d - applied).days, n)
    for p, a, d, reason, completed, dissolved in _count(
        of(Partnership.objects.filter(ended_on__isnull=False), "partnership"),
        "partnership",
        by={"d": F("ended_on"), "reason": F("end_reason")},
        completed=Count("id", filter=Q(status="completed")),
        dissolved=Count("id", filter=Q(status="dissolved")),
    ):
        add(d, p, a, completed=completed, dissolved=dissolved)
        if reason:
            tally(d, p, a, ReportCount.Measure.END_REASON, reason, completed + dissolved)
    for p, a, n in _count(of(Partnership.objects.filter(status="active"), "partnership"), "partnership", n=Count("id")):
        add(None, p, a, active=n)

    for p, a, d, n, answered in _count(
        of(Solicitation.objects.filter(sent_at__isnull=False), "solicitation"),
        "solicitation",
        by={"d": TruncDate("sent_at")},
        n=Count("id"),
        answered=Count("id", filter=Q(status="answered")),
    ):
        add(d, p, a, asked=n, answered=answered)
    for p, a, d, *scores in _count(
        of(Response.objects.all(), "response"),
        "response",
        by={"d": TruncDate("submitted_at")},
        **{f"score_{i}": Count("id", filter=Q(satisfaction=i)) for i in SCORES},
    ):
        add(d, p, a, **{f"score_{i}": n for i, n in zip(SCORES, scores, strict=True)})
    for p, a, d, n, achieved in _count(
        of(Goal.objects.all(), "goal"),
        "goal",
        by={"d": TruncDate("partnership__created_at")},
        n=Count("id"),
        achieved=Count("id", filter=Q(progress="achieved")),
    ):
        add(d, p, a, goals=n, goals_achieved=achieved)

    # Flash conversations that took place (either side said so), on the day of the slot.
    for p, a, d, n in _count(
        of(Slot.objects.held(), "flash"), "flash", by={"d": TruncDate("starts_at")}, n=Count("id")
    ):
        add(d, p, a, flash_held=n)

    # Circles (circles/), apart from pairs: those meeting now and their members, and the meetings
    # held (begun, not cancelled), on their day.
    meeting = Circle.Status.MEETING
    lead = (
        CircleMember.objects.filter(role="mentor").order_by("joined_at", "pk").values("user__profile__association_id")
    )
    circles = Circle.objects.filter(status=meeting).annotate(
        circle_lead=Subquery(lead.filter(circle=OuterRef("pk"))[:1])
    )
    for p, a, n in _count(of(circles, "circle"), "circle", n=Count("id")):
        add(None, p, a, circles_meeting=n)
    members = CircleMember.objects.filter(circle__status=meeting)
    for p, a, n in _count(of(members, "circle_member"), "circle_member", n=Count("user_id", distinct=True)):
        add(None, p, a, circle_members=n)
    held = CircleMeeting.objects.held().annotate(circle_lead=Subquery(lead.filter(circle=OuterRef("circle_id"))[:1]))
    for p, a, d, n in _count(
        of(held, "circle_meeting"), "circle_meeting", by={"d": TruncDate("starts_at")}, n=Count("id")
    ):
        add(d, p, a, circle_meetings_held=n)

    for program_id, n, renewed in _participants(programs):
        add(None, program_id, None, participants=n, participants_renewed=renewed)
    for association_id, group, n, renewed in _renewals(associations):
        add(None, None, association_id, **{group: n, f"{group}_renewed": renewed})

    return rows, counts


def _participants(programs):
    """(program id, its mentees and mentors, how many of them renewed their membership): each
    person once, even one who was both a mentee and a mentor in the program."""
    people = {}  # program id: {person id: renewed}
    for role in ("mentee", "mentor"):
        partnerships = Partnership.objects.filter(program__in=programs) if programs is not None else Partnership.objects
        pairs = (
            partnerships.order_by().values_list("program_id", role, f"{role}__profile__membership_status").distinct()
        )
        for program_id, person, status in pairs:
            people.setdefault(program_id, {})[person] = status == Profile.MembershipStatus.ACTIVE
    return [(program_id, len(members), sum(members.values())) for program_id, members in people.items()]


def _renewals(associations):
    """(association id, "mentees", "mentors" or "others", members, renewed): a member who was a
    mentee in any partnership counts as a mentee, else one who mentored as a mentor."""
    # `user_id IN (all mentees)`: the database hashes the participants once. (A correlated
    # EXISTS per member is priced per row, which on 100,000 members sets off PostgreSQL's JIT.)
    took_part = {
        f"is_{role}": ExpressionWrapper(Q(user_id__in=Partnership.objects.values(role)), output_field=BooleanField())
        for role in ("mentee", "mentor")
    }
    members = Profile.objects.filter(association__isnull=False)
    if associations is not None:
        members = members.filter(association__in=associations)
    rows = (
        members.annotate(**took_part)
        .order_by()
        .values("association_id", "is_mentee", "is_mentor")
        .annotate(n=Count("id"), renewed=Count("id", filter=Q(membership_status=Profile.MembershipStatus.ACTIVE)))
    )
    for r in rows:
        group = "mentees" if r["is_mentee"] else "mentors" if r["is_mentor"] else "others"
        yield r["association_id"], group, r["n"], r["renewed"]


def latest_snapshot() -> ReportSnapshot:
    """The latest figures; taken now if there are none yet or the job has not run for a while
    (by one page at a time: the others show the figures they have meanwhile)."""
    # With the small-number threshold in the same query (min_responses; None without settings yet).
    threshold = SiteSettings.objects.filter(pk=1).values("report_min_responses")
    snapshot = ReportSnapshot.objects.annotate(min_responses=Subquery(threshold)).order_by("-taken_at", "-pk").first()
    if snapshot is not None and snapshot.taken_at >= timezone.now() - STALE_AFTER:
        return snapshot
    try:
        ours = cache.add(TAKING, True, timeout=KEEP_READABLE.total_seconds())
    except Exception:  # the cache (Redis) is down: take them
        ours = True
    if not ours and snapshot is not None:
        return snapshot
    try:
        return take_snapshot()
    finally:
        if ours:
            with contextlib.suppress(Exception):
                cache.delete(TAKING)


# --- Reading them -----------------------------------------------------------------------------


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
    flash_held: int = 0
    circle_meetings_held: int = 0
    circles_meeting: int = 0
    circle_members: int = 0

    @property
    def flash_hours(self):
        hours = self.flash_held * Slot.MINUTES / 60
        return int(hours) if hours.is_integer() else round(hours, 1)

    @property
    def completion_rate(self):
        ended = self.completed + self.dissolved
        return round(100 * self.completed / ended, 1) if ended else None

    @property
    def goal_rate(self):
        return round(100 * self.goals_achieved / self.goals, 1) if self.goals else None


def _median(histogram):
    """The median of {value: how many}: the middle value, or the mean of the two middle ones."""
    n = sum(histogram.values())
    if not n:
        return None
    middle, seen, below = (n - 1) // 2, 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if below is None and seen > middle:
            below = value
        if seen > n // 2:
            return round((below + value) / 2, 1)
    raise AssertionError("unreachable")


def _in_period(period):
    return Q(day__gte=period.start, day__lte=period.end)


ON_THE_DAY = (
    "mentees_applied",
    "mentors_applied",
    "matched",
    "rematched",
    "completed",
    "dissolved",
    "asked",
    "answered",
    "flash_held",
    "circle_meetings_held",
)
AT_THE_SNAPSHOT = ("awaiting_vetting", "active", "circles_meeting", "circle_members")


def min_responses(snapshot) -> int:
    """The small-number threshold, read with the snapshot where latest_snapshot read it."""
    k = getattr(snapshot, "min_responses", None)
    return SiteSettings.current().report_min_responses if k is None else k


RETENTION = ("mentees", "mentees_renewed", "mentors", "mentors_renewed", "others", "others_renewed")
DAY_SUMS = (
    *ON_THE_DAY,
    *(f"score_{i}" for i in SCORES),
    *AT_THE_SNAPSHOT,
    "goals",
    "goals_achieved",
    "participants",
    "participants_renewed",
    *RETENTION,
)


@dataclass
class Reading:
    """What a report reads of a snapshot, in one query whatever the period and the programs:
    the ReportDay rows summed by program, association and part ("before" the period, "in" it by
    month, "now": the rows without a day), and the ReportCount rows summed by program,
    association, measure and value. all_figures, trend, closure_reasons, retention and
    program_retention are drawn from it."""

    days: list  # (program id, association id, part, month, {column: sum})
    counts: list  # (program id, association id, measure, value, n)


def read(programs, period, *, associations=(), snapshot=None) -> Reading:
    """The snapshot's rows for `programs` over `period` (None: only the rows without a day) and
    the retention rows of `associations`."""
    snapshot = snapshot or latest_snapshot()
    Measure = ReportCount.Measure
    if period is None:
        in_scope, part, month = Q(day=None), Value("now"), Value(None, output_field=DateField())
    else:
        in_scope = Q(day=None) | Q(day__lte=period.end)  # the goals: of partnerships started by its end
        part = Case(
            When(day=None, then=Value("now")), When(day__lt=period.start, then=Value("before")), default=Value("in")
        )
        month = TruncMonth(Case(When(day__gte=period.start, then="day"), default=None, output_field=DateField()))
    scope = Q(in_scope, program__in=programs) | Q(program=None, day=None, association__in=associations)
    # Rows (program, association, part, month, value, *DAY_SUMS); a ReportCount row's part is
    # its measure, its value is in `value` and its count in the first sum.
    rows = (
        ReportDay.objects.of(snapshot)
        .filter(scope)
        .order_by()
        .values("program_id", "association_id", part=part, month=month, value=Value(None, output_field=CharField()))
        .annotate(**{name: Sum(name) for name in DAY_SUMS})
        .values_list("program_id", "association_id", "part", "month", "value", *DAY_SUMS)
    )
    if period is not None:
        # The day counts' sums in the same query (one round trip instead of two).
        counts = (
            ReportCount.objects.of(snapshot)
            .filter(program__in=programs)
            .filter(
                Q(_in_period(period), measure__in=[Measure.DAYS_TO_MATCH, Measure.END_REASON])
                | Q(day=None, measure=Measure.DAYS_WAITING)
            )
            .order_by()
            .values("program_id", "association_id", "measure", "value")
            .annotate(
                month=Value(None, output_field=DateField()),
                n=Sum("n"),
                **{name: Value(None, output_field=IntegerField()) for name in DAY_SUMS[1:]},
            )
            .values_list("program_id", "association_id", "measure", "month", "value", "n", *DAY_SUMS[1:])
        )
        rows = rows.union(counts, all=True)
    days, counts = [], []
    for p, a, part, m, value, *sums in rows:
        if value is None:
            days.append((p, a, part, m, dict(zip(DAY_SUMS, (v or 0 for v in sums), strict=True))))
        else:
            counts.append((p, a, part, value, sums[0]))
    return Reading(days=days, counts=counts)


def all_figures(programs, period, *, k=None, snapshot=None, reading=None) -> dict:
    """{"program": {id: Figures}, "association": {id: Figures}, "all": {0: Figures}}.

    The snapshot's rows are summed in the database by program and association (a few dozen rows
    come back), then into the three groupings here; the medians come from the day counts."""
    reading = reading or read(programs, period, snapshot=snapshot)
    k = k or SiteSettings.current().report_min_responses
    out = {by: {} for by in GROUPINGS}

    def rows(program_id, association_id):
        """The figures a (program, association) group adds to: its program's, its association's, the total."""
        return [
            out[by].setdefault(key, Figures())
            for by, key in zip(GROUPINGS, (program_id, association_id, 0), strict=True)
        ]

    for p, a, part, _, counts in reading.days:
        if p is None:
            continue  # an association's renewals
        for f in rows(p, a):
            if part == "in":
                for name in ON_THE_DAY:
                    setattr(f, name, getattr(f, name) + counts[name])
                for score in SCORES:
                    f.distribution[score] = f.distribution.get(score, 0) + counts[f"score_{score}"]
                    f.responses += counts[f"score_{score}"]
            elif part == "now":
                for name in AT_THE_SNAPSHOT:
                    setattr(f, name, getattr(f, name) + counts[name])
            if part in ("in", "before"):
                f.goals += counts["goals"]
                f.goals_achieved += counts["goals_achieved"]

    # How many waited how many days (the medians).
    histograms = defaultdict(Counter)  # (grouping, key, measure): {days: how many}
    Measure = ReportCount.Measure
    for p, a, measure, days, n in reading.counts:
        if measure == Measure.END_REASON:
            continue
        days = int(days)
        histograms["program", p, measure][days] += n
        histograms["association", a, measure][days] += n
        histograms["all", 0, measure][days] += n
    for (by, key, measure), counts in histograms.items():
        f = out[by].setdefault(key, Figures())
        if measure == Measure.DAYS_TO_MATCH:
            f.median_days_to_match = _median(counts)
        else:
            f.waiting, f.median_days_waiting, f.longest_wait = counts.total(), _median(counts), max(counts)

    for f in (f for groups in out.values() for f in groups.values()):
        # The response rate is drawn from the asks: too few asked and it would say who answered.
        f.response_rate = round(100 * f.answered / f.asked, 1) if f.asked >= k else SUPPRESSED
        if f.responses >= k:
            f.satisfaction = round(sum(s * n for s, n in f.distribution.items()) / f.responses, 2)
        else:
            f.distribution = {}
    return out


def _hide_satisfaction(f):
    f.satisfaction, f.distribution = SUPPRESSED, {}


def _hide_rate(f):
    f.response_rate = SUPPRESSED


# (what a figure is drawn from, whether it is shown, how to hide it)
DRAWN_FROM = [
    (lambda f: f.responses, lambda f: f.satisfaction is not None, _hide_satisfaction),
    (lambda f: f.asked, lambda f: f.response_rate is not None, _hide_rate),
]


def suppress_complements(groups, total, k):
    """Secondary suppression. A group hidden for having fewer than k answers must not come back as
    the total minus the groups shown: while what is hidden (the total minus what is shown, which
    includes groups not listed on the page) adds up to between 1 and k - 1 answers, the smallest
    group still shown is hidden too. `groups`: the Figures shown side by side with the total."""
    for drawn_from, shown, hide in DRAWN_FROM:
        if shown(total):
            _hide_smallest_until(groups, drawn_from(total), k, drawn_from, shown, hide)
        else:
            for f in groups:
                hide(f)


def suppress_months(months, total, k):
    """The same for the monthly trend: the period's answers minus the months shown."""

    def hide(month):
        month["satisfaction"] = SUPPRESSED

    _hide_smallest_until(
        months, total.responses, k, lambda m: m["responses"], lambda m: m["satisfaction"] is not None, hide
    )


def _hide_smallest_until(groups, total, k, drawn_from, shown, hide):
    """Hide the smallest groups shown until what is hidden is none, or k or more."""
    visible = sorted((g for g in groups if shown(g)), key=drawn_from)
    hidden = total - sum(drawn_from(g) for g in visible)
    while visible and 0 < hidden < k:
        smallest = visible.pop(0)
        hide(smallest)
        hidden += drawn_from(smallest)


def closure_reasons(programs, period, k, *, snapshot=None, reading=None) -> list:
    """[(why partnerships ended, how many)], the commonest first. Why a partnership ended is a
    person's situation: a reason given fewer than k times is hidden (SUPPRESSED), and so is the
    next smallest while what is hidden could be worked out from the others (secondary suppression;
    the total of partnerships ended is shown elsewhere on the page)."""
    reading = reading or read(programs, period, snapshot=snapshot)
    rows = Counter()
    for _, _, measure, reason, n in reading.counts:
        if measure == ReportCount.Measure.END_REASON:
            rows[reason] += n
    labels = dict(Partnership.EndReason.choices)
    groups = [{"label": labels.get(r, r), "n": n, "shown": n >= k} for r, n in rows.items()]

    def hide(group):
        group["shown"] = False

    _hide_smallest_until(groups, sum(g["n"] for g in groups), k, lambda g: g["n"], lambda g: g["shown"], hide)
    shown = sorted(((g["label"], g["n"]) for g in groups if g["shown"]), key=lambda pair: (-pair[1], pair[0]))
    return shown + sorted((g["label"], SUPPRESSED) for g in groups if not g["shown"])


def trend(programs, period, k, *, snapshot=None, reading=None) -> list:
    """Per month: applications, partnerships started, answers and mean satisfaction (suppressed)."""
    reading = reading or read(programs, period, snapshot=snapshot)
    months = {m: {"month": m, "applied": 0, "matched": 0, "responses": 0, "satisfaction": None} for m in period.months}
    scores = defaultdict(Counter)
    for p, _, part, m, counts in reading.days:
        month = months.get(m) if p is not None and part == "in" else None
        if month is None:
            continue
        month["applied"] += counts["mentees_applied"] + counts["mentors_applied"]
        month["matched"] += counts["matched"]
        for i in SCORES:
            scores[m][i] += counts[f"score_{i}"]
    for m, month in months.items():
        n = scores[m].total()
        month["responses"] = n
        if n >= k:
            month["satisfaction"] = round(sum(i * c for i, c in scores[m].items()) / n, 2)
    return list(months.values())


def retention(associations, *, snapshot=None, reading=None) -> dict:
    """{association id: {"mentees", "mentors", "others": [members, renewed]}}: the share of its
    members whose membership is current, for mentees, mentors and those who took no part."""
    reading = reading or read([], None, associations=associations, snapshot=snapshot)
    groups = ("mentees", "mentors", "others")
    return {
        a: {g: [counts[g], counts[f"{g}_renewed"]] for g in groups}
        for p, a, part, _, counts in reading.days
        if p is None and part == "now"
    }


def rate(pair, k=1):
    n, renewed = pair
    return round(100 * renewed / n, 1) if n >= k else SUPPRESSED


def program_retention(programs, *, snapshot=None, reading=None) -> dict:
    """{program id: % of its participants (mentees and mentors) whose membership is current}."""
    reading = reading or read(programs, None, snapshot=snapshot)
    return {
        p: round(100 * counts["participants_renewed"] / counts["participants"], 1)
        for p, a, part, _, counts in reading.days
        if p is not None and a is None and part == "now" and counts["participants"]
    }


def objectives_progress(programs, figures, retention_rates) -> list:
    """Each program's objectives with the figure that measures it and its target: read with the
    programs (with_objectives), or here."""
    if all(hasattr(p, "objective_rows") for p in programs):
        objectives = [
            Objective(
                pk=row["id"],
                program=p,
                description=row["description"],
                measure=row["measure"],
                target=None if row["target"] is None else Decimal(str(row["target"])),
            )
            for p in programs
            for row in p.objective_rows or []
        ]
        objectives.sort(key=lambda o: (o.program.name, o.pk))  # as the model orders them: by program, then id
    else:
        objectives = Objective.objects.filter(program__in=programs).select_related("program").order_by("program", "id")
    out = []
    for objective in objectives:
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


def leadership_pipeline(region, *, period=None, limit=None) -> list:
    """Members recommended for leadership by their mentors, who agreed that the region's VP
    hears of it (agreed in the period, if given), the latest first, each with how far they have
    come: recommended, invited, applied, matched, took a leadership role since."""
    return pipeline_table(leadership.pipeline(region, period=period, roles=False)[:limit])


def pipeline_table(rows) -> list:
    """The rows of `leadership.services.pipeline` as the report's table (and its CSV)."""
    return [
        {
            "name": r.recommendation.mentee.get_full_name() or r.recommendation.mentee.email,
            "email": r.recommendation.mentee.email,
            "association": getattr(r.recommendation.mentee.profile.association, "name", ""),
            "program": r.recommendation.partnership.program.name,
            "date": r.recommendation.answered_at,
            "stage": r.stage_label,
        }
        for r in rows
    ]


def pipeline_stages(rows, *, k=1) -> list:
    """[(label, count)] of the rows of a region's pipeline; a count from 1 to k-1 is None
    (shown as "fewer than k"), as for every other figure shown to someone who may not see names."""
    counts = leadership.stage_counts(rows)
    return [
        (leadership.STAGE_LABELS[name], None if 0 < counts[name] < k else counts[name]) for name in leadership.STAGES
    ]


class _JSONList(Aggregate):
    """The values as a JSON array (PostgreSQL's jsonb_agg, SQLite's json_group_array)."""

    function = "JSONB_AGG"
    output_field = JSONField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="JSON_GROUP_ARRAY", **extra_context)


def with_objectives(programs):
    """The programs, each with its objectives' rows (objective_rows: a JSON list, None without
    any) read in the same query: a report's objectives cost no query of their own."""
    rows = _JSONList(JSONObject(id="id", description="description", measure="measure", target="target"))
    objectives = Objective.objects.filter(program=OuterRef("pk")).order_by().values("program").annotate(rows=rows)
    return programs.annotate(objective_rows=Subquery(objectives.values("rows")))


def region_programs(region) -> list:
    """The region's programs with their objectives. The report pages read them on every request:
    compiled once per process (mentoring.compiled), as building the objectives' subquery took
    longer than running it."""
    return compiled.objects("report-region-programs", _region_programs, region_id=region.pk)


def _region_programs(region_id):
    programs = Program.objects.filter(Q(region=region_id) | Q(association__region=region_id))
    return with_objectives(programs.select_related("association", "region"))


def association_programs(association) -> list:
    """The programs a local association runs, its new-member programs, with their objectives;
    compiled once per process, as region_programs."""
    return compiled.objects("report-association-programs", _association_programs, association_id=association.pk)


def _association_programs(association_id):
    programs = Program.objects.filter(association=association_id, kind=Program.Kind.NEW_MEMBER)
    return with_objectives(programs.select_related("association", "region"))


def _how_many(queryset):
    """How many rows `queryset` has, as a subquery of a query on its program."""
    counted = queryset.order_by().values("program").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def committee_counts(program, *, user=None) -> dict:
    """The committee dashboard's counts for one program, as they stand now, in one query (the
    partnerships needing attention apart), compiled once per process (mentoring.compiled: its
    subqueries took longer to build than to run). With `user` and a program that asks for
    two-factor sign-in, also "two_factor": whether that person has an authenticator app
    (allauth's own check, mentoring.access.has_two_factor, made here in the same query)."""
    gating = gates(program, Required.BEFORE_VETTING)
    two_factor = user is not None and program.require_two_factor

    def build(program_id, user_id=None):
        return _counts_query(program, program_id, user_id)

    values = {"program_id": program.pk} | ({"user_id": user.pk} if two_factor else {})
    names, (row,) = compiled.rows(("committee_counts", gating, two_factor), build, **values)
    # Named apart from the program's fields and relations ("proposals"), then as the page says.
    counts = {name[2:]: n for name, n in zip(names, row, strict=True)}
    if two_factor:
        counts["two_factor"] = bool(counts["two_factor"])  # SQLite says 1 or 0
    counts["attention"] = len(partnerships_needing_attention(program))
    return counts


def _counts_query(program, program_id, user_id):
    Status = Application.Status
    applications = Application.objects.filter(program=OuterRef("pk"))
    undecided = applications.filter(role="mentor", status__in=AWAITING_VETTING)
    counts = {
        "awaiting_vetting": _how_many(undecided),
        "mentees_waiting": _how_many(applications.filter(role="mentee", status=Status.IN_POOL)),
        "mentors_ready": _how_many(applications.filter(role="mentor", status=Status.IN_POOL)),
        "drafts": _how_many(applications.filter(status=Status.DRAFT)),
        # Candidates still doing a required orientation are not the committee's to vet yet.
        "waiting_for_orientation": _how_many(split_for_vetting(undecided, program)[1]),
        "active": _how_many(Partnership.objects.filter(program=OuterRef("pk"), status="active")),
        "proposals": _how_many(Proposal.objects.filter(program=OuterRef("pk"), status="proposed")),
    }
    if user_id is not None:
        counts["two_factor"] = Exists(Authenticator.objects.filter(user_id=user_id, type=Authenticator.Type.TOTP))
    return Program.objects.filter(pk=program_id).values(**{f"n_{name}": n for name, n in counts.items()})


@dataclass(frozen=True)
class NextStep:
    text: str  # "4 mentors to vet", in the reader's language
    action: str  # the button: "Vet them"
    url_name: str  # a committee page of the program
    query: str = ""  # added to the page's address, e.g. "?section=essentials"
    post: bool = False  # the button does it at once (a form), rather than opening the page
    count: int = 0  # what the text counts (next_steps.in_order words the vetting step with it)


def next_steps(*, counts, checklist, is_chair) -> list[NextStep]:
    """What the committee should do next, most urgent first, with counts, in the reader's
    language (whole sentences, each count with its plural). The chair also sees what only the
    chair can do (the set-up, proposing and approving matches)."""
    steps = []
    missing = [item for item in checklist if item.needed and not item.done]
    if is_chair and missing:
        first = missing[0]
        what = f"{first.label[0].lower()}{first.label[1:]}"
        steps.append(
            NextStep(
                # Translators: %(first)s is the first thing left to do, e.g. "a summary members read".
                ngettext(
                    "Finish the program's set-up: %(n)s thing to do before members can apply (%(first)s)",
                    "Finish the program's set-up: %(n)s things to do before members can apply (%(first)s, ...)",
                    len(missing),
                )
                % {"n": len(missing), "first": what},
                gettext("Do it now"),
                "committee:setup",
                f"?section={first.where}&next=dashboard",
            )
        )
    if is_chair and counts.get("to_announce"):
        n = counts["to_announce"]
        steps.append(
            NextStep(
                ngettext(
                    "Enrollment is open and not announced yet (%(n)s member to tell)",
                    "Enrollment is open and not announced yet (%(n)s members to tell)",
                    n,
                )
                % {"n": n},
                gettext("Announce it"),
                "committee:recruit",
            )
        )
    if counts["attention"]:
        n = counts["attention"]
        steps.append(
            NextStep(
                ngettext("%(n)s partnership needs attention", "%(n)s partnerships need attention", n) % {"n": n},
                gettext("See them"),
                "committee:partnerships",
            )
        )
    to_vet = counts["awaiting_vetting"] - counts.get("waiting_for_orientation", 0)
    if to_vet > 0:
        text = ngettext("%(n)s mentor to vet", "%(n)s mentors to vet", to_vet) % {"n": to_vet}
        steps.append(NextStep(text, gettext("Vet them"), "committee:vetting", count=to_vet))
    if is_chair and counts["proposals"]:
        n = counts["proposals"]
        steps.append(
            NextStep(
                ngettext("%(n)s proposed pair to approve or reject", "%(n)s proposed pairs to approve or reject", n)
                % {"n": n},
                gettext("Review them"),
                "committee:matching",
            )
        )
    elif is_chair and counts["mentees_waiting"] and counts["mentors_ready"]:
        steps.append(
            NextStep(
                # Translators: "3 mentees are waiting and 2 mentors ready: propose matches".
                gettext("%(waiting)s and %(ready)s: propose matches")
                % {
                    "waiting": ngettext(
                        "%(n)s mentee is waiting", "%(n)s mentees are waiting", counts["mentees_waiting"]
                    )
                    % {"n": counts["mentees_waiting"]},
                    "ready": ngettext("%(n)s mentor ready", "%(n)s mentors ready", counts["mentors_ready"])
                    % {"n": counts["mentors_ready"]},
                },
                gettext("Propose matches"),
                "committee:matching_run",
                post=True,
            )
        )
    return steps


def workload(program, *, today=None) -> dict:
    """What waits for the committee: vetting, the attention queue, overdue feedback."""
    now = timezone.now()
    return {
        "vetting": program.applications.filter(role="mentor", status__in=AWAITING_VETTING).count(),
        "attention": len(partnerships_needing_attention(program, today=today)),
        "feedback_overdue": Solicitation.objects.filter(
            partnership__program=program,
            status="sent",
            sent_at__lt=now - timedelta(days=program.feedback_link_days),
        ).count(),
    }


def associations_of(region):
    return LocalAssociation.objects.filter(region=region).order_by("name")
