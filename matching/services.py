"""The committee's matching queue: running the engine on a program's pool, and the chair's
decisions on its proposals. The engine itself (matching/engine.py) knows nothing of Django."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts import links
from accounts.language import language_of
from mentoring import compiled
from mentoring.branding import brand_id_for
from mentoring.models import Application, Partnership, Program
from mentoring.orientation import waiting_for_orientation
from mentoring.services import held_back, held_back_words
from outbox.emails import queue_email
from partnerships import life

from . import engine, waiting, words
from .models import EmployerSpelling, MatchRun, Proposal, ProposalEvent

log = logging.getLogger(__name__)

Status = Application.Status
# Pools up to this many mentees are matched while the chair waits; larger ones by a worker.
INLINE_LIMIT = 1500


# --- The pool ---------------------------------------------------------------------------------


@dataclass
class Pool:
    mentees: list  # engine.Member
    mentors: list
    rules: engine.Rules
    questions: list
    applications: dict  # application id -> Application (with user and profile)
    # application id -> why it cannot be matched now, a key and its values (mentoring.services.held_back)
    left_out: dict = field(default_factory=dict)


# Pairs that hold the mentor's place and keep their mentee out of runs until decided: a pair the
# chair made by hand, one waiting for its mentor to accept, and a member's own request the mentor
# accepted, waiting for the committee.
PINNED = (
    Q(status=Proposal.Status.PROPOSED, manual=True)
    | Q(status=Proposal.Status.PROPOSED, origin=Proposal.Origin.MEMBER)
    | Q(status=Proposal.Status.AWAITING_MENTOR)
)


def weights_for(program, override=None):
    weights = dict(engine.DEFAULT_WEIGHTS)
    weights.update({k: float(v) for k, v in (program.matching_weights or {}).items() if k in weights})
    if override:
        weights.update({k: float(v) for k, v in override.items() if k in weights})
    return weights


def _member(application, *, capacity=1, priority=False, spellings=None, others=None):
    """The engine's view of an application. ``others``: the user ids on the other side of the
    pool; a partner asked for who is not among them can't be matched here, so the request does
    not count (see engine: "asked for each other by name" counts only where someone named anyone)."""
    profile = application.user.profile
    association = profile.association
    employer = profile.employer or ""
    return engine.Member(
        id=application.pk,
        user_id=application.user_id,
        association_id=association.pk if association else 0,
        region_id=association.region_id if association else 0,
        employer=(spellings or {}).get(engine.employer_key(employer), employer),
        topics=tuple(application.topics or ()),
        modes=tuple(application.communication_modes or ()),
        availability=tuple(application.availability or ()),
        frequency=application.meeting_frequency or "",
        hours=application.hours_per_month,
        languages=tuple(application.languages or ()),
        years=_years(application, profile),
        answers=dict(application.extra_answers or {}),
        capacity=capacity,
        ranked=tuple(u for u in application.preferred_partner_ids if others is None or u in others),
        avoid=frozenset(application.avoid_partner_ids),
        priority=priority,
        waiting_since=(application.submitted_at or application.created_at).timestamp(),
    )


def _years(application, profile):
    """Years in the profession, from the questionnaire or else the profile; None when neither says."""
    if application.years_experience is not None:
        return application.years_experience
    return profile.years_in_profession


def build_pool(program, *, policy=MatchRun.Policy.BEST_TOTAL, only=None, chooser=None) -> Pool:
    """Who can be matched now: mentees waiting without an active partnership or a pending
    approval, and vetted mentors with a free seat. The rules are checked as things stand today,
    not as they stood when people applied: a member whose membership lapsed or who moved to
    another local association is left out, with the reason (`Pool.left_out`). A fixed number of
    queries. `only`: just these application ids (a hand-made pair), with the same rules.
    `chooser`: a mentee choosing a mentor themselves (members choose: choosing.py), the pool's
    only mentee, even while their own requests wait for an answer."""
    active = Partnership.objects.filter(program=program, status=Partnership.Status.ACTIVE)
    busy_mentees = active.values("mentee_application_id")
    seats_taken = dict(
        active.values_list("mentor_application_id").annotate(n=Count("id")).values_list("mentor_application_id", "n")
    )
    # A fixed order, not the database's whim (ties themselves are decided in the engine: who has
    # waited longest, then the earliest application; tests/test_ties.py).
    base = (
        Application.objects.filter(program=program, status=Status.IN_POOL)
        .select_related("user__profile__association__region")
        .order_by("-submitted_at", "-pk")
    )
    if only is not None:
        base = base.filter(pk__in=only)
    # A hand-made pair waiting for approval is pinned: its mentee is not matched again and its
    # mentor's place is kept (the solver fills the rest around it).
    # So is a pair waiting for its mentor to accept.
    # So is a member's own request, waiting for the mentor or (accepted) for the committee.
    pinned = Proposal.objects.filter(program=program).filter(PINNED)
    for mentor_id in pinned.values_list("mentor_application_id", flat=True):
        seats_taken[mentor_id] = seats_taken.get(mentor_id, 0) + 1
    mentee_apps = base.filter(role=Application.Role.MENTEE).exclude(pk__in=busy_mentees)
    if chooser is None:
        mentee_apps = mentee_apps.exclude(pk__in=pinned.values("mentee_application_id"))
    else:
        mentee_apps = mentee_apps.filter(pk=chooser.pk)
    mentee_apps = list(mentee_apps)
    mentor_apps = list(base.filter(role=Application.Role.MENTOR))
    left_out = held_back(program=program, applications=mentee_apps + mentor_apps, as_keys=True)
    # Where the program requires the orientation before matching, those with required items left wait.
    left_out |= waiting_for_orientation(
        program=program,
        applications=[a for a in mentee_apps + mentor_apps if a.pk not in left_out],
        stage="matching",
        as_keys=True,
    )
    mentee_apps = [a for a in mentee_apps if a.pk not in left_out]
    mentor_apps = [a for a in mentor_apps if a.pk not in left_out]
    # A pair that was dissolved is never proposed again, in any program of the association and
    # with the roles either way round; a pair the committee rejected, never again in this program
    # (unless the rejection is undone).
    in_pool = Application.objects.filter(program=program, status=Status.IN_POOL).values("user_id")
    dissolved = list(
        Partnership.objects.filter(
            status=Partnership.Status.DISSOLVED, mentee_id__in=in_pool, mentor_id__in=in_pool
        ).values_list("mentee_id", "mentor_id")
    )
    rejected = Proposal.objects.filter(program=program, status=Proposal.Status.REJECTED).values_list(
        "mentee_application__user_id", "mentor_application__user_id"
    )
    # A pair the mentor declined is not proposed again, like a rejected one; one the mentor let
    # expire, not until a run has finished since (silence is not a refusal).
    declined = Proposal.objects.filter(program=program, status=Proposal.Status.MENTOR_DECLINED).values_list(
        "mentee_application__user_id", "mentor_application__user_id"
    )
    silent, re_entering = (), set()
    if chooser is None:
        # (A member choosing remembers every silence of their own: choosing.py; nobody is in line.)
        last_run = MatchRun.objects.filter(program=program, status=MatchRun.Status.DONE).order_by("-created_at").first()
        silent = Proposal.objects.filter(program=program, status=Proposal.Status.MENTOR_SILENT)
        if last_run:
            silent = silent.filter(
                events__kind=ProposalEvent.Kind.MENTOR_SILENT, events__created_at__gte=last_run.created_at
            )
        silent = silent.values_list("mentee_application__user_id", "mentor_application__user_id")
        # First in line: mentees whose partnership was dissolved, or whose mentor declined, did not answer
        # or said yes too late (something had changed).
        re_entering = set(
            Partnership.objects.filter(program=program, status=Partnership.Status.DISSOLVED).values_list(
                "mentee_application_id", flat=True
            )
        ) | set(
            Proposal.objects.filter(
                program=program,
                status__in=[
                    Proposal.Status.MENTOR_DECLINED,
                    Proposal.Status.MENTOR_SILENT,
                    Proposal.Status.CANT_GO_AHEAD,
                ],
            ).values_list("mentee_application_id", flat=True)
        )

    spellings = {
        engine.employer_key(s): same for s, same in EmployerSpelling.objects.values_list("spelling", "same_as")
    }
    mentor_users = {a.user_id for a in mentor_apps}
    mentee_users = {a.user_id for a in mentee_apps}
    mentees = [_member(a, priority=a.pk in re_entering, spellings=spellings, others=mentor_users) for a in mentee_apps]
    mentors = []
    for a in mentor_apps:
        free = a.capacity - seats_taken.get(a.pk, 0)
        if free > 0:
            mentors.append(_member(a, capacity=free, spellings=spellings, others=mentee_users))
    rules = engine.Rules(
        scope="association" if program.kind == Program.Kind.NEW_MEMBER else "region",
        allow_same_employer=program.allow_same_employer,
        # Either way round: what broke was between the two people, whoever mentored whom.
        forbidden=frozenset(dissolved) | {(mentor, mentee) for mentee, mentor in dissolved},
        rejected=frozenset(rejected),
        declined=frozenset(declined),
        silent=frozenset(silent),
        policy=policy,
    )
    questions = [
        engine.QuestionSpec(id=str(q.pk), kind=q.kind, weight=float(q.weight), text=q.text)
        for q in program.questions.filter(weight__gt=0)
    ]
    applications = {a.pk: a for a in mentee_apps + mentor_apps}
    return Pool(
        mentees=mentees, mentors=mentors, rules=rules, questions=questions, applications=applications, left_out=left_out
    )


# --- Runs -------------------------------------------------------------------------------------


def start_run(*, program, by, policy=MatchRun.Policy.BEST_TOTAL) -> MatchRun:
    """Record a run; small pools are matched at once, large ones by a worker (with progress)."""
    waiting = Application.objects.filter(program=program, role="mentee", status=Status.IN_POOL).count()
    run = MatchRun.objects.create(program=program, started_by=by, policy=policy, weights=weights_for(program))
    if waiting <= INLINE_LIMIT:
        execute_run(run_id=run.pk)
        run.refresh_from_db()
    else:
        from .tasks import run_matching  # tasks import this module

        def enqueue():
            try:
                run_matching.apply_async((run.pk,), retry=False)
            except Exception:  # the broker is down: the periodic sweep starts it when it is back
                log.warning("Broker unavailable; matching run %s waits for the next sweep.", run.pk)

        transaction.on_commit(enqueue)
    return run


def execute_run(*, run_id) -> MatchRun | None:
    """Run the engine for a queued run. Claimed with a conditional update: never run twice."""
    now = timezone.now()
    if (
        MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
            status=MatchRun.Status.RUNNING, started_at=now, progress=0.01
        )
        != 1
    ):
        return None
    run = MatchRun.objects.select_related("program").get(pk=run_id)
    try:
        pool = build_pool(run.program, policy=run.policy)
        last = [0.0]

        def progress(fraction):
            # A few writes, not thousands: only when it moved by 5 points.
            if fraction - last[0] >= 0.05:
                last[0] = fraction
                MatchRun.objects.filter(pk=run_id).update(progress=min(0.95, fraction))

        result = engine.propose(
            pool.mentees,
            pool.mentors,
            rules=pool.rules,
            weights=run.weights,
            questions=pool.questions,
            progress=progress,
            why_not=True,
        )
        problems = engine.verify(result, pool.mentees, pool.mentors, rules=pool.rules)
        if problems:
            raise RuntimeError("The proposals failed verification: " + "; ".join(problems[:3]))
        _save_result(run, pool, result)
    except Exception as exc:
        log.exception("Matching run %s failed", run_id)
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
    return MatchRun.objects.get(pk=run_id)


@transaction.atomic
def _save_result(run, pool, result):
    program = run.program
    # Earlier proposals still waiting for a decision are replaced by this run's; hand-made ones
    # and members' own requests stay.
    Proposal.objects.filter(program=program, status=Proposal.Status.PROPOSED, manual=False).exclude(
        origin=Proposal.Origin.MEMBER
    ).update(status=Proposal.Status.SUPERSEDED)
    priority = {m.id for m in pool.mentees if m.priority}
    Proposal.objects.bulk_create(
        Proposal(
            program=program,
            run=run,
            mentee_application_id=p.mentee_id,
            mentor_application_id=p.mentor_id,
            score=p.score,  # as computed: rounding 99.9958 up would read as the best fit
            breakdown=p.breakdown,
            summary=p.summary,  # the sentence is made when read, in the reader's language (words.py)
            why_not=_why_not_json(p.why_not),
            priority=p.mentee_id in priority,
        )
        for p in result.proposals
    )
    # The reasons as the engine gave them, with their counts: worded when read (words.unmatched_text).
    run.unmatched = [{**words.unmatched_entry(u), "why_not": _why_not_json(u.why_not)} for u in result.unmatched]
    # Worded when read too (mentoring.services.held_back_words).
    run.left_out = [{"application": pk, "why": why} for pk, why in pool.left_out.items()]
    run.mentees, run.mentors = len(pool.mentees), len(pool.mentors)
    run.total_score = round(result.total_score, 2)
    run.stats = {k: v for k, v in result.stats.items() if isinstance(v, int | float | str)}
    run.status = MatchRun.Status.DONE
    run.progress = 1.0
    run.finished_at = timezone.now()
    run.save()


def _why_not_json(why):
    if why is None:
        return {}
    return {
        "mentor": why.mentor_id,
        "score": why.score,  # as computed: 99.9958 is not the best fit, and must not read as one
        "taken_by": list(why.taken_by),
        "cost": why.cost,
        "full_before": why.full_before,
        "exact": why.exact,
        "waited_longer": why.waited_longer,
        "priced": why.priced,
    }


def why_not_lines(program, entries) -> dict:
    """Plain words for the "why not?" of each entry ({key: why_not dict}), with names: a fixed
    number of queries, whatever the number of entries."""
    ids = set()
    for why in entries.values():
        if why:
            ids.add(why["mentor"])
            ids.update(why["taken_by"])
    names = {a.pk: str(a.user) for a in Application.objects.filter(pk__in=ids, program=program).select_related("user")}
    return {key: why_not_sentence(why, names) for key, why in entries.items() if why and why["mentor"] in names}


def _points(cost: float) -> str:
    """A cost in points, to one decimal, never rounded to nothing."""
    if cost < 0.05:
        return _("less than 0.1 point")
    tenths = round(cost, 1)
    shown = formats.number_format(tenths, decimal_pos=0 if tenths == int(tenths) else 1)  # "0,5" in French
    # The plural form by the number as written: English says "1 point", "0.5 points"; French
    # "0,5 point", "1,5 point" (its form 0 is for 0 and 1: n is 0 under one, 1 for one, 2 beyond).
    n = 1 if tenths == 1 else (0 if tenths < 2 else 2)
    return ngettext("%(points)s point", "%(points)s points", n) % {"points": shown}


# The sentences of a "why not?", whole for translators: (full sentence when the fit went to someone
# named, full sentence when it is only taken), by what the run worked out.
_WHY_NOT = {
    "unpriced": (
        gettext_lazy("Their best fit, %(mentor)s (%(score)s points), went to %(who)s."),
        gettext_lazy("Their best fit, %(mentor)s (%(score)s points), is taken."),
    ),
    "rematch": (
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), went to %(who)s; pairing them would leave a member "
            "who is being re-matched without a mentor."
        ),
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), is taken; pairing them would leave a member who is "
            "being re-matched without a mentor."
        ),
    ),
    "tie_waited": (
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), went to %(who)s; a tie on points: it went to who had "
            "waited longer."
        ),
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), is taken; a tie on points: it went to who had waited "
            "longer."
        ),
    ),
    "tie": (
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), went to %(who)s; a tie on points: pairing them "
            "instead would move others and keep the same total."
        ),
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), is taken; a tie on points: pairing them instead would "
            "move others and keep the same total."
        ),
    ),
    "exact": (
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), went to %(who)s; pairing them instead would lower the "
            "total by %(cost)s."
        ),
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), is taken; pairing them instead would lower the total "
            "by %(cost)s."
        ),
    ),
    "weighed": (
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), went to %(who)s; pairing them instead would lower the "
            "total of the pairs weighed by %(cost)s (in a pool this large, each mentee's best fits are weighed, "
            "not every pair)."
        ),
        gettext_lazy(
            "Their best fit, %(mentor)s (%(score)s points), is taken; pairing them instead would lower the total "
            "of the pairs weighed by %(cost)s (in a pool this large, each mentee's best fits are weighed, not "
            "every pair)."
        ),
    ),
}


def why_not_sentence(why: dict, names: dict) -> str:
    """The words for one "why not?": only what the run worked out exactly. A tie is a tie when
    forcing the pair loses nothing at all; "decided by waiting" only when the holders did wait
    longer; a cost worked out on the pairs a large pool's run weighed says so."""
    words = {"mentor": names[why["mentor"]], "score": engine.shown_score(why["score"])}
    if why["full_before"]:
        return _("Their best fit, %(mentor)s (%(score)s points), had no free place before this run.") % words
    holders = [names[k] for k in why["taken_by"] if k in names]
    if len(holders) > 1:
        words["who"] = _("%(names)s and %(last)s") % {"names": ", ".join(holders[:-1]), "last": holders[-1]}
    elif holders:
        words["who"] = holders[0]
    cost = why["cost"]
    if not why.get("priced", True):
        case = "unpriced"
    elif cost is None:
        case = "rematch"
    elif cost == 0:
        case = "tie_waited" if why.get("waited_longer") else "tie"
    else:
        case = "exact" if why.get("exact") else "weighed"
        words["cost"] = _points(cost)
    went_to, taken = _WHY_NOT[case]
    return str(went_to if holders else taken) % words


def sweep_queued_runs(*, older_than=timedelta(seconds=20)) -> int:
    """Start runs whose task was never delivered (the broker was down when they were made)."""
    ids = list(
        MatchRun.objects.filter(status=MatchRun.Status.QUEUED, created_at__lt=timezone.now() - older_than).values_list(
            "pk", flat=True
        )
    )
    return sum(execute_run(run_id=run_id) is not None for run_id in ids)


def preview(*, program, weights, policy):
    """What the proposals would be with other weights, without saving anything."""
    pool = build_pool(program, policy=policy)
    result = engine.propose(
        pool.mentees, pool.mentors, rules=pool.rules, weights=weights_for(program, weights), questions=pool.questions
    )
    current = dict(
        Proposal.objects.filter(program=program, status=Proposal.Status.PROPOSED).values_list(
            "mentee_application_id", "mentor_application_id"
        )
    )
    new = {p.mentee_id: p.mentor_id for p in result.proposals}
    changed = sorted(set(current) | set(new), key=lambda k: k)
    changed = [k for k in changed if current.get(k) != new.get(k)]
    names = {a.pk: str(a.user) for a in pool.applications.values()}
    return {
        "matched": len(result.proposals),
        "current_matched": len(current),
        "total_score": result.total_score,
        "changed": len(changed),
        "examples": [
            {
                "mentee": names.get(k, "?"),
                "before": names.get(current.get(k), "nobody"),
                "after": names.get(new.get(k), "nobody"),
            }
            for k in changed[:10]
        ],
    }


def save_weights(*, program, weights):
    program.matching_weights = {k: float(v) for k, v in weights.items() if k in engine.DEFAULT_WEIGHTS}
    program.save(update_fields=["matching_weights"])


# --- Decisions ------------------------------------------------------------------------------


def _event(proposal, by, kind, text="", said=None):
    """A line in the decision log: `text` is what a person wrote; `said`, what the app says (a key
    and its values, worded when read: words.event_text)."""
    ProposalEvent.objects.create(proposal=proposal, actor=by, kind=kind, text=text, said=said or {})


@transaction.atomic
def approve(*, proposal, by) -> Partnership | None:
    """The chair approves a pair. Where the program asks the mentor to accept first, the mentor
    is asked (their place and the mentee are held) and None is returned; otherwise the pair
    becomes a partnership (partnerships.life.start: capacity, the introduction).
    Lock order: the two applications, then the proposal."""
    locked = life.lock_applications(proposal.mentee_application_id, proposal.mentor_application_id)
    proposal = Proposal.objects.select_for_update().select_related("program").get(pk=proposal.pk)
    if proposal.status == Proposal.Status.MENTOR_FULL:
        raise ValidationError(proposal.closed_text)
    if proposal.status != Proposal.Status.PROPOSED:
        raise ValidationError(
            _("This proposal is already %(status)s.") % {"status": proposal.get_status_display().lower()}
        )
    mentee_app = locked[proposal.mentee_application_id]
    mentor_app = locked[proposal.mentor_application_id]
    _check_run_time_rules(proposal.program, mentee_app, mentor_app)
    # A member's own request comes here once its mentor has accepted: they are not asked twice.
    if proposal.program.mentor_accepts_first and proposal.origin != Proposal.Origin.MEMBER:
        _ask_mentor(proposal, mentee_app, mentor_app, by)
        return None
    partnership = life.start(mentee_application=mentee_app, mentor_application=mentor_app, by=by)
    proposal.status = Proposal.Status.APPROVED
    proposal.partnership = partnership
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["status", "partnership", "decided_by", "decided_at"])
    _event(proposal, by, ProposalEvent.Kind.APPROVED)
    _close_competitors(proposal, mentee_app, mentor_app, full=mentor_app.status == Status.MATCHED)
    return partnership


class NoLongerMatchable(ValidationError):
    """A rule of the run no longer holds for one of the two (the words say who and why: for the
    committee, not for the other partner)."""


def _check_run_time_rules(program, *applications):
    """The rules each matching run applies (membership, association or region, account, the
    orientation where the program requires it before matching), checked again as things stand
    now: a ValidationError that says who and why."""
    apps = list(
        Application.objects.filter(pk__in=[a.pk for a in applications]).select_related(
            "user__profile__association__region"
        )
    )
    held = held_back(program=program, applications=apps, as_keys=True)
    held |= waiting_for_orientation(
        program=program, applications=[a for a in apps if a.pk not in held], stage="matching", as_keys=True
    )
    for application in apps:
        if application.pk in held:
            refused = NoLongerMatchable(
                _("%(person)s can't be matched now: %(why)s.")
                % {"person": application.user, "why": held_back_words(held[application.pk])}
            )
            refused.person, refused.why = str(application.user), held[application.pk]
            raise refused


def _close_competitors(proposal, mentee_app, mentor_app, *, full, promised=False):
    """The mentee's other open proposals can't be approved any more; nor the mentor's, once
    their places are all taken (or promised): those say why, and their mentees are still waiting."""
    others = Proposal.objects.filter(program=proposal.program, status=Proposal.Status.PROPOSED).exclude(pk=proposal.pk)
    others.filter(mentee_application=mentee_app).update(status=Proposal.Status.SUPERSEDED)
    if full:
        # Members' own requests accepted by this mentor hold places of their own (_places_held).
        others.filter(mentor_application=mentor_app).exclude(origin=Proposal.Origin.MEMBER).update(
            status=Proposal.Status.MENTOR_FULL,
            closed_why={
                "key": "mentor_full",
                "mentor": str(mentor_app.user),
                "taken_by": str(mentee_app.user),
                "promised": promised,
            },
        )


def _places_held(mentor_app, *, besides=None):
    """A mentor's places taken by partnerships and promised to pairs waiting for their answer (or,
    a member's own request they accepted, for the committee's)."""
    active = Partnership.objects.filter(mentor_application=mentor_app, status=Partnership.Status.ACTIVE).count()
    waiting = Proposal.objects.filter(mentor_application=mentor_app).filter(
        Q(status=Proposal.Status.AWAITING_MENTOR) | Q(status=Proposal.Status.PROPOSED, origin=Proposal.Origin.MEMBER)
    )
    return active + waiting.exclude(pk=besides).count()


def _ask_mentor(proposal, mentee_app, mentor_app, by, *, template="mentor_ask", context=None):
    """Hold the mentor's place for the pair and ask them by email. `by`: the chair who approved
    it; None for a member's own request (choosing.ask_mentor logs it as the mentee's)."""
    life.check_still_available(mentee_app, mentor_app)
    held = _places_held(mentor_app, besides=proposal.pk)
    if held >= mentor_app.capacity:
        raise ValidationError(
            _("%(mentor)s's places are all taken or promised (%(held)s of %(capacity)s).")
            % {"mentor": mentor_app.user, "held": held, "capacity": mentor_app.capacity}
        )
    proposal.status = Proposal.Status.AWAITING_MENTOR
    proposal.asked_mentor_at = timezone.now()
    fields = ["status", "asked_mentor_at"]
    if by is not None:
        proposal.decided_by, proposal.decided_at = by, timezone.now()
        fields += ["decided_by", "decided_at"]
    proposal.save(update_fields=fields)
    if by is not None:
        _event(proposal, by, ProposalEvent.Kind.APPROVED, said={"key": "waiting_for_mentor"})
    _close_competitors(proposal, mentee_app, mentor_app, full=held + 1 >= mentor_app.capacity, promised=True)
    program = proposal.program
    queue_email(
        key=f"mentor-ask:{proposal.pk}",
        to=mentor_app.user.email,
        language=language_of(mentor_app.user),
        template=template,
        brand_id=brand_id_for(program=program),
        context={
            "program": program,
            "person": mentor_app.user,
            "mentee": mentee_app.user,
            "mentee_application": mentee_app,
            "link": mentor_answer_url(proposal),
            "days": program.mentor_answer_days,
            **(context or {}),
        },
    )


MENTOR_LINK = "matching.mentor-answer"  # the links' purpose: a key of their own


def mentor_answer_url(proposal):
    token = links.make_token(MENTOR_LINK, proposal.pk, proposal.mentor_application.user_id)
    return settings.SITE_URL + reverse("mentor_answer", args=[token])


def proposal_for_mentor_token(token) -> Proposal | None:
    """The proposal a mentor's link opens (whatever its state now), or None for a broken link."""
    ids = links.read_token(MENTOR_LINK, token, 2)
    if ids is None:
        return None
    return (
        Proposal.objects.select_related("program", "mentee_application__user", "mentor_application__user")
        .filter(pk=ids[0], mentor_application__user_id=ids[1])
        .first()
    )


def mentor_link_expired(proposal) -> bool:
    days = proposal.program.mentor_answer_days
    return proposal.asked_mentor_at is None or timezone.now() - proposal.asked_mentor_at > timedelta(days=days)


def mentor_answers(*, proposal, accept, note="") -> Partnership | None:
    """The mentor accepts (both are introduced now) or declines (the mentee goes back to the
    front of the pool, and the queue says why). Once: a second answer changes nothing.

    A yes that can no longer start the partnership (a rule of the run stopped holding since the
    chair's approval) closes the pair for good, saying who and why on the committee's pages, and
    frees the mentor's place; then NoLongerMatchable is raised, once that is committed."""
    partnership, refused = _mentor_answers(proposal=proposal, accept=accept, note=note)
    if refused is not None:
        raise refused
    return partnership


@transaction.atomic
def _mentor_answers(*, proposal, accept, note):
    locked = life.lock_applications(proposal.mentee_application_id, proposal.mentor_application_id)
    proposal = Proposal.objects.select_for_update().select_related("program").get(pk=proposal.pk)
    if proposal.status != Proposal.Status.AWAITING_MENTOR:
        raise ValidationError(_("This proposal has been answered already."))
    if mentor_link_expired(proposal):
        raise ValidationError(_("The time to answer has run out; the committee will be in touch."))
    mentee_app, mentor_app = locked[proposal.mentee_application_id], locked[proposal.mentor_application_id]
    mentor = mentor_app.user
    chosen = proposal.origin == Proposal.Origin.MEMBER
    if chosen:
        from . import choosing  # choosing imports this module

        if mentee_app.status != Status.IN_POOL:
            # The mentee withdrew their application since asking: the request closes (the hourly job
            # closes those nobody answers), and nothing of why is the mentor's to read.
            proposal.status = Proposal.Status.WITHDRAWN
            proposal.save(update_fields=["status"])
            return None, ValidationError(_("This request is closed: nothing more is needed from you."))
    if not accept:
        proposal.status = Proposal.Status.MENTOR_DECLINED
        proposal.closed_why = {"key": "declined", "mentor": str(mentor), "date": timezone.localdate().isoformat()}
        proposal.save(update_fields=["status", "closed_why"])
        _event(proposal, mentor, ProposalEvent.Kind.MENTOR_DECLINED, note.strip()[:2000])
        if chosen:
            choosing.tell_mentee(proposal, "declined")
        return None, None
    _event(proposal, mentor, ProposalEvent.Kind.MENTOR_ACCEPTED, note.strip()[:2000])
    try:
        _check_run_time_rules(proposal.program, mentee_app, mentor_app)
    except NoLongerMatchable as refused:
        proposal.status = Proposal.Status.CANT_GO_AHEAD
        proposal.closed_why = {
            "key": "cant_go_ahead",
            "mentor": str(mentor),
            "date": timezone.localdate().isoformat(),
            "person": refused.person,
            "why": refused.why,
            "mentee": str(mentee_app.user),
        }
        proposal.save(update_fields=["status", "closed_why"])
        if chosen:
            choosing.tell_mentee(proposal, "cant_go_ahead")
        return None, refused
    if chosen:
        return choosing.accepted(proposal, mentee_app, mentor_app), None
    partnership = life.start(mentee_application=mentee_app, mentor_application=mentor_app, by=proposal.decided_by)
    proposal.status = Proposal.Status.APPROVED
    proposal.partnership = partnership
    proposal.save(update_fields=["status", "partnership"])
    return partnership, None


def expire_mentor_asks(*, now=None) -> int:
    """Pairs whose mentor did not answer in time: the mentee goes back to the front of the pool.
    State in the database, each claimed by a conditional update: safe to run twice, or late."""
    now = now or timezone.now()
    expired = 0
    for proposal in Proposal.objects.filter(status=Proposal.Status.AWAITING_MENTOR).select_related(
        "program", "mentor_application__user", "mentee_application__user"
    ):
        if now - proposal.asked_mentor_at <= timedelta(days=proposal.program.mentor_answer_days):
            continue
        why = {
            "key": "silent",
            "mentor": str(proposal.mentor_application.user),
            "days": proposal.program.mentor_answer_days,
        }
        claimed = Proposal.objects.filter(pk=proposal.pk, status=Proposal.Status.AWAITING_MENTOR).update(
            status=Proposal.Status.MENTOR_SILENT, closed_why=why
        )
        if claimed:
            _event(proposal, None, ProposalEvent.Kind.MENTOR_SILENT)
            if proposal.origin == Proposal.Origin.MEMBER:
                from . import choosing  # choosing imports this module

                choosing.tell_mentee(proposal, "silent")
            expired += 1
    return expired


def _asked_of(user_id):
    return Proposal.objects.filter(
        status=Proposal.Status.AWAITING_MENTOR, mentor_application__user=user_id
    ).select_related("program", "mentee_application__user", "mentor_application")


def asks_for_mentor(user) -> list:
    """(proposal, link) for each pair waiting for this mentor's answer, for their home page (its
    query compiled once per process: mentoring.compiled)."""
    waiting = compiled.objects("asks-for-mentor", _asked_of, user_id=user.pk)
    return [(p, mentor_answer_url(p)) for p in waiting if not mentor_link_expired(p)]


def approve_many(*, proposals, by):
    """Approve each in its own transaction: one that fails (a mentor now full) doesn't undo the rest."""
    approved, refused = [], []
    for proposal in proposals:
        try:
            approved.append(approve(proposal=proposal, by=by))  # None: the mentor is asked first
        except ValidationError as error:
            refused.append((proposal, " ".join(error.messages)))
    return approved, refused


def next_to_decide(program):
    """(the proposal the chair decides next, how many wait) after a decision: the queue's order,
    so that deciding several is one step after another, like vetting."""
    waiting = Proposal.objects.filter(program=program, status=Proposal.Status.PROPOSED)
    first = waiting.select_related("mentee_application__user", "mentor_application__user").first()
    return first, (waiting.count() if first else 0)


def next_line(program) -> str:
    """What follows a decision, in words: the next pair, or that none waits."""
    first, left = next_to_decide(program)
    if first is None:
        return _("No proposal waits for a decision now.")
    words = {"mentee": first.mentee_application.user, "mentor": first.mentor_application.user, "left": left}
    if left > 1:
        return (
            ngettext(
                "Next: %(mentee)s with %(mentor)s (%(left)s pair left).",
                "Next: %(mentee)s with %(mentor)s (%(left)s pairs left).",
                left,
            )
            % words
        )
    return _("Next: %(mentee)s with %(mentor)s (the last one).") % words


@transaction.atomic
def reject(*, proposal, by, reason=""):
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.PROPOSED:
        raise ValidationError(
            _("This proposal is already %(status)s.") % {"status": proposal.get_status_display().lower()}
        )
    proposal.status = Proposal.Status.REJECTED
    proposal.decided_by, proposal.decided_at = by, timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    _event(proposal, by, ProposalEvent.Kind.REJECTED, reason)
    if proposal.origin == Proposal.Origin.MEMBER:  # the mentor said yes: both are waiting to hear
        from . import choosing  # choosing imports this module

        choosing.tell_mentee(proposal, "not_confirmed")
        choosing.tell_mentor_closed(proposal, "not_confirmed")
    return proposal


@transaction.atomic
def undo_rejection(*, proposal, by, note):
    """The pair may be proposed again by later runs; the note says why, in the decision log."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != Proposal.Status.REJECTED:
        raise ValidationError(_("Only a rejected pair can be reconsidered."))
    if not note.strip():
        raise ValidationError(_("Say why the pair may be proposed again; it is kept with the decisions."))
    proposal.status = Proposal.Status.REJECTION_UNDONE
    proposal.save(update_fields=["status"])
    _event(proposal, by, ProposalEvent.Kind.UNDONE, note.strip())
    return proposal


def comment(*, proposal, by, text):
    text = text.strip()
    if not text:
        raise ValidationError(_("Write a comment first."))
    _event(proposal, by, ProposalEvent.Kind.COMMENT, text)


class NeedsConfirmation(Exception):
    """The rules a hand-made pair breaks: `problems` as keys and values, `warnings` in words."""

    def __init__(self, problems):
        self.problems = problems
        self.warnings = words.warnings(problems)
        super().__init__("; ".join(self.warnings))


def manual_pair_warnings(*, program, mentee_app, mentor_app):
    """The matching rules a hand-made pair breaks, in words (the chair may confirm them)."""
    problems, mentee, mentor, pool = manual_pair_problems(program=program, mentee_app=mentee_app, mentor_app=mentor_app)
    return words.warnings(problems), mentee, mentor, pool


def manual_pair_problems(*, program, mentee_app, mentor_app):
    """manual_pair_warnings as keys and their values: saved so on the proposal and in its log,
    and worded when read (words.warnings)."""
    pool = build_pool(program, only=[mentee_app.pk, mentor_app.pk])
    for application in (mentee_app, mentor_app):
        if application.pk in pool.left_out:
            raise ValidationError(
                _("%(person)s can't be matched now: %(why)s.")
                % {"person": application.user, "why": held_back_words(pool.left_out[application.pk])}
            )
    mentee = next((m for m in pool.mentees if m.id == mentee_app.pk), None)
    mentor = next((m for m in pool.mentors if m.id == mentor_app.pk), None)
    if mentee is None:
        raise ValidationError(_("%(person)s is not waiting for a mentor.") % {"person": mentee_app.user})
    if mentor is None:
        raise ValidationError(_("%(person)s has no free place as a mentor.") % {"person": mentor_app.user})
    warnings = engine.pair_problem_keys(mentee, mentor, rules=pool.rules)
    # mentor.capacity is the places left after partnerships and pinned hand-made pairs.
    proposed_elsewhere = list(
        Proposal.objects.filter(program=program, status=Proposal.Status.PROPOSED, mentor_application=mentor_app)
        .exclude(mentee_application=mentee_app)
        .exclude(manual=True)
        .exclude(origin=Proposal.Origin.MEMBER)
        .select_related("mentee_application__user")
    )
    if proposed_elsewhere and len(proposed_elsewhere) >= mentor.capacity:
        names = ", ".join(str(p.mentee_application.user) for p in proposed_elsewhere)
        warnings.append(
            {
                "key": "proposed_elsewhere",
                "mentor": str(mentor_app.user),
                "names": names,
                "last_place": mentor.capacity == 1,
            }
        )
    return warnings, mentee, mentor, pool


@transaction.atomic
def replace_with_manual(*, program, mentee_app, mentor_app, by, confirmed=False) -> Proposal:
    """A pair the chair chose. Rules it breaks are warnings that need a confirmation; capacity
    and one mentor per mentee are never broken (approval checks them again)."""
    warnings, mentee, mentor, pool = manual_pair_problems(program=program, mentee_app=mentee_app, mentor_app=mentor_app)
    if warnings and not confirmed:
        raise NeedsConfirmation(warnings)
    score, breakdown, summary = engine.score_pair(
        mentee, mentor, weights=weights_for(program), questions=pool.questions
    )
    old = Proposal.objects.select_for_update().filter(
        program=program, status=Proposal.Status.PROPOSED, mentee_application=mentee_app
    )
    replaced = list(old)
    old.update(status=Proposal.Status.REPLACED, decided_by=by, decided_at=timezone.now())
    for p in replaced:
        _event(p, by, ProposalEvent.Kind.REPLACED, said={"key": "replaced", "mentor": str(mentor_app.user)})
    proposal = Proposal.objects.create(
        program=program,
        mentee_application=mentee_app,
        mentor_application=mentor_app,
        score=score,
        breakdown=breakdown,
        summary=summary,
        warnings=warnings,
        manual=True,
        origin=Proposal.Origin.MANUAL,
        priority=mentee.priority,
    )
    _event(proposal, by, ProposalEvent.Kind.PROPOSED, said={"key": "made_by_hand", "warnings": warnings})
    return proposal


def notify_unmatched(*, run, by) -> int:
    """A kind word to each mentee the run could not match (once per run)."""
    apps = Application.objects.filter(
        pk__in=[u["application"] for u in run.unmatched], status=Status.IN_POOL
    ).select_related("user")
    brand_id = brand_id_for(program=run.program)
    for application in apps:
        queue_email(
            key=f"unmatched:{run.pk}:{application.pk}",
            to=application.user.email,
            language=language_of(application.user),
            template="not_matched_yet",
            brand_id=brand_id,
            context={"program": run.program, "person": application.user, "application": application},
        )
    # The regular "still looking" notice (waiting.py) is next due an interval after this one.
    waiting.mark_told([application.pk for application in apps])
    return len(apps)
