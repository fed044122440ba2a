"""The report snapshot recounts only what changed since the last one (issue 24): each kind of
change to the counted data shows in the next snapshot, whatever made it (a save, a bulk update,
a deletion, a cascade, erasure); the figures always equal a full recount; nothing changed,
nothing written."""

import random
import threading
from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Profile, User
from accounts.privacy import erase_member
from feedback.models import Response, Solicitation
from mentoring.models import Application, Partnership
from partnerships.models import Goal
from reports import figures as reports
from reports.models import ReportChange, ReportCount, ReportDay, ReportSnapshot
from reports.tests.factories import NOW, apply, ask, local, pair, person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_now")]


def current_and_full():
    """The current rows, and a full recount from the data, side by side."""
    days, tallies = reports._current(None, None)
    rows, counts = reports._recount(timezone.localdate())
    current = ({key: values for key, (_, values) in days.items()}, {key: n for key, (_, n) in tallies.items()})
    return current, ({key: reports._figures_of(r) for key, r in rows.items()}, dict(counts))


def assert_as_a_full_recount():
    current, full = current_and_full()
    assert current[0] == full[0]
    assert current[1] == full[1]


# --- Changes of every kind, each one changing a figure (erasure excepted: it keeps the counts) ----


def _first(queryset, rng):
    """A row picked by the seed (None if there is none), the same on every run."""
    pks = list(queryset.order_by("pk").values_list("pk", flat=True))
    return queryset.model.objects.get(pk=rng.choice(pks)) if pks else None


def _newcomer(rng, west):
    n = User.objects.order_by("-pk").values_list("pk", flat=True).first() + 1
    return person(f"new{n}@west.example.org", rng.choice([west["westfield"], west["weston"]]))


def applied(rng, west):
    when = local(2025, rng.randint(1, 6), rng.randint(1, 28))
    program = rng.choice([west["p1"], west["lead"]])
    apply(
        program,
        _newcomer(rng, west),
        rng.choice(["mentee", "mentor"]),
        rng.choice(["in_pool", "awaiting_vetting"]),
        when,
    )
    return True


def vetted(rng, west):
    candidate = _first(Application.objects.filter(role="mentor", status__in=reports.AWAITING_VETTING), rng)
    if candidate is None:
        return False
    candidate.status = "in_pool"
    candidate.save()
    return True


def withdrew(rng, west):
    # A bulk update, not a save: the change is seen all the same.
    waiting = _first(Application.objects.filter(role="mentee", status="in_pool"), rng)
    return bool(waiting and Application.objects.filter(pk=waiting.pk).update(status="withdrawn"))


def application_deleted(rng, west):
    unpaired = (
        Application.objects.filter(submitted_at__isnull=False)
        .exclude(pk__in=Partnership.objects.values("mentee_application"))
        .exclude(pk__in=Partnership.objects.values("mentor_application"))
    )
    application = _first(unpaired, rng)
    return bool(application and application.delete())


def matched(rng, west):
    mentee = _first(Application.objects.filter(role="mentee", status="in_pool"), rng)
    if mentee is None:
        return False
    mentor = _first(Application.objects.filter(role="mentor", program=mentee.program).exclude(status="draft"), rng)
    if mentor is None:
        return False
    pair(mentee, mentor, local(2025, rng.randint(3, 6), rng.randint(1, 28)))
    Application.objects.filter(pk=mentee.pk).update(status="matched")
    return True


def ended(rng, west):
    partnership = _first(Partnership.objects.filter(status="active"), rng)
    if partnership is None:
        return False
    status, reason = rng.choice([("completed", "completed"), ("dissolved", "fit"), ("dissolved", "schedules")])
    partnership.status, partnership.end_reason = status, reason
    partnership.ended_on = date(2025, rng.randint(1, 6), rng.randint(1, 28))
    partnership.save()
    return True


def moved_in_time(rng, west):
    partnership = _first(Partnership.objects.all(), rng)
    return bool(
        Partnership.objects.filter(pk=partnership.pk).update(created_at=partnership.created_at - timedelta(days=40))
    )


def _next_round(partnership):
    return (partnership.solicitations.aggregate(last=Max("round"))["last"] or 0) + 1


def asked(rng, west):
    partnership = _first(Partnership.objects.all(), rng)
    ask(partnership, rng.choice(["mentee", "mentor"]), _next_round(partnership), local(2025, rng.randint(1, 6), 3))
    return True


def answered(rng, west):
    partnership = _first(Partnership.objects.all(), rng)
    when = local(2025, rng.randint(1, 6), 3)
    ask(partnership, "mentee", _next_round(partnership), when, answered=when, satisfaction=rng.randint(1, 5))
    return True


def answer_changed(rng, west):
    response = _first(Response.objects.all(), rng)
    if response is None:
        return False
    response.satisfaction = response.satisfaction % 5 + 1
    response.save()
    return True


def answer_deleted(rng, west):
    response = _first(Response.objects.all(), rng)
    return bool(response and response.delete())


def ask_deleted(rng, west):
    # Its answer goes with it, by cascade.
    solicitation = _first(Solicitation.objects.filter(sent_at__isnull=False), rng)
    return bool(solicitation and solicitation.delete())


def goal_set(rng, west):
    Goal.objects.create(partnership=_first(Partnership.objects.all(), rng), title="A goal", progress="under_way")
    return True


def goal_achieved(rng, west):
    goal = _first(Goal.objects.exclude(progress="achieved"), rng)
    return bool(goal and Goal.objects.filter(pk=goal.pk).update(progress="achieved"))


def goal_deleted(rng, west):
    goal = _first(Goal.objects.all(), rng)
    return bool(goal and goal.delete())


def membership_changed(rng, west):
    participant = _first(Profile.objects.filter(user__partnerships_as_mentor__isnull=False).distinct(), rng)
    status = {"active": "lapsed", "grace": "active", "lapsed": "active"}[participant.membership_status]
    return bool(Profile.objects.filter(pk=participant.pk).update(membership_status=status))


def moved_association(rng, west):
    mentee = _first(Profile.objects.filter(user__applications__role="mentee").distinct(), rng)
    mentee.association = west["weston"] if mentee.association == west["westfield"] else west["westfield"]
    mentee.save()
    return True


def member_deleted(rng, west):
    # Their applications and profile go by cascade.
    applicant = _first(
        User.objects.filter(
            applications__isnull=False, partnerships_as_mentee=None, partnerships_as_mentor=None
        ).distinct(),
        rng,
    )
    return bool(applicant and applicant.delete())


def erased(rng, west):
    member = _first(User.objects.filter(applications__isnull=False, is_active=True).distinct(), rng)
    try:
        erase_member(member)
    except ValidationError:
        return False
    return True


CHANGES = [
    applied,
    vetted,
    withdrew,
    application_deleted,
    matched,
    ended,
    moved_in_time,
    asked,
    answered,
    answer_changed,
    answer_deleted,
    ask_deleted,
    goal_set,
    goal_achieved,
    goal_deleted,
    membership_changed,
    moved_association,
    member_deleted,
    erased,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_each_kind_of_change_shows_in_the_next_snapshot(west, change):
    before = reports.take_snapshot()
    assert change(random.Random(1), west)
    after = reports.take_snapshot()
    if change is erased:
        assert after == before  # the counts are kept: nothing to write
    else:
        assert after != before  # rows were written: the change was counted
    assert_as_a_full_recount()


@pytest.mark.parametrize("seed", range(12))
def test_after_random_changes_the_figures_equal_a_full_recount(west, seed):
    rng = random.Random(seed)
    reports.take_snapshot()
    for _ in range(5):
        for change in rng.sample(CHANGES, rng.randint(1, 4)):
            change(rng, west)
        reports.take_snapshot()
        assert_as_a_full_recount()
    # Nothing left unconsumed: the next snapshot finds nothing to do.
    assert not ReportChange.objects.exists()


def test_a_snapshot_with_nothing_changed_writes_nothing(west, django_assert_max_num_queries):
    first = reports.take_snapshot()
    rows = (
        set(ReportDay.objects.values_list("pk", "since", "until")),
        set(ReportCount.objects.values_list("pk", "since", "until")),
    )
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        # SQLite has no triggers: it recounts everything, and still writes nothing.
        ceiling = 12 if connection.vendor == "postgresql" else 30
        with django_assert_max_num_queries(ceiling), CaptureQueriesContext(connection) as taking:
            again = reports.take_snapshot()
    assert again == first and ReportSnapshot.objects.count() == 1
    assert again.taken_at == NOW + timedelta(minutes=10)  # its figures are those of this moment too
    assert rows == (
        set(ReportDay.objects.values_list("pk", "since", "until")),
        set(ReportCount.objects.values_list("pk", "since", "until")),
    )
    # Nothing counted, and the one row written is the snapshot's moment.
    sql = [q["sql"] for q in taking.captured_queries]
    assert not [q for q in sql if q.startswith("INSERT")]
    assert [q for q in sql if q.startswith("UPDATE")] == [
        q for q in sql if q.startswith('UPDATE "reports_reportsnapshot"')
    ]
    assert len([q for q in sql if q.startswith("UPDATE")]) == 1


def test_one_change_recounts_only_its_program(west, django_assert_max_num_queries):
    reports.take_snapshot()
    Goal.objects.create(partnership=west["partnerships"]["L1"], title="Lead a meeting", progress="achieved")
    with CaptureQueriesContext(connection) as taking:
        snapshot = reports.take_snapshot()
    written = ReportDay.objects.filter(since=snapshot.pk)
    assert list(written.values_list("program", flat=True)) == [west["lead"].pk]  # one row: that day's goals
    assert ReportDay.objects.filter(until=snapshot.pk).count() == 1
    assert not ReportCount.objects.filter(since=snapshot.pk).exists()
    assert any(str(west["lead"].pk) in q["sql"] for q in taking.captured_queries)
    assert_as_a_full_recount()


def test_the_days_waiting_move_on_with_the_day_though_nothing_changed(west):
    first = reports.take_snapshot()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        next_day = reports.take_snapshot()
        assert next_day != first
        waiting = ReportCount.objects.of(next_day).filter(measure="days_waiting")
        assert sorted(int(v) for v in waiting.values_list("value", flat=True)) == [32, 67, 227]
        assert_as_a_full_recount()


def test_a_truncated_table_recounts_everything(west):
    reports.take_snapshot()
    if connection.vendor != "postgresql":
        pytest.skip("the triggers are PostgreSQL's (SQLite recounts everything at each snapshot)")
    ReportChange.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses pending foreign key checks
        cursor.execute("TRUNCATE partnerships_goal CASCADE")
    assert ReportChange.objects.filter(program_id=None, partnership_id=None, user_id=None, association_id=None).exists()
    reports.take_snapshot()
    assert_as_a_full_recount()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_take_turns_and_count_once(west):
    if connection.vendor != "postgresql":
        pytest.skip("real row locks and triggers: PostgreSQL only")
    reports.take_snapshot()
    for rng in (random.Random(7), random.Random(8)):
        for change in CHANGES:
            change(rng, west)
    barrier, errors = threading.Barrier(2), []

    def run():
        try:
            barrier.wait()
            reports.take_snapshot()
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for model, key in (
        (ReportDay, ("day", "program", "association")),
        (ReportCount, ("day", "program", "association", "measure", "value")),
    ):
        rows = list(model.objects.filter(until=None).values_list(*key))
        assert len(rows) == len(set(rows))  # one current row for each
    assert_as_a_full_recount()
    assert not ReportChange.objects.exists()
