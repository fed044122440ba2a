"""Members choose their mentor: a program setting beside the committee's matching (Program.members_choose).

A mentee whose application is accepted (waiting in the pool) browses the program's vetted mentors
with a free place, each with the fit score and its words the committee's matching queue gives the
pair (the pool builder, engine.score_pair and words.py: the same rules and the same numbers), and
asks up to Program.member_asks_at_once of them at a time, with a note. A request is a matching
Proposal of origin MEMBER in the "the mentor accepts first" state: the mentor answers from the
emailed link within the program's days (services.mentor_answers), or the request expires
(services.expire_mentor_asks). An accepted request waits for the committee's approval in the
matching queue, or starts the partnership at once (Program.member_choice_needs_committee).

What holds on this path:
- every hard rule of matching, as the pool builder and the engine apply them when a pair is
  proposed (membership, local association or region, the orientation, employer, avoided,
  dissolved, rejected, declined), checked when the mentee asks; the run's rules again when the
  mentor accepts and when the committee approves (services, as for every pair);
- a request the mentor declined or let expire is remembered: that mentor is not offered to that
  mentee again;
- a mentor is never asked by more mentees at once than they have free places: a request waiting
  for an answer holds a place (services._places_held), counted with the mentor's application
  locked, so two mentees asking for the last place at once get one request and one plain "full";
- the mentor reads the one request: never who else asked them, nor whom else the mentee asked;
  a mentee is told "declined" or "no answer in time", never the mentor's note to the committee.
"""

from dataclasses import dataclass, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.language import language_of
from mentoring.branding import brand_id_for
from mentoring.models import Application, Partnership
from mentoring.orientation import waiting_for_orientation
from mentoring.services import membership_reasons
from outbox.emails import queue_email
from partnerships import life

from . import engine, services, words
from .models import Proposal, ProposalEvent

NOTE_MAX = 1000
MEMBER = Proposal.Origin.MEMBER
# A request the mentor has not answered, or has accepted and the committee has not decided yet.
OPEN = (Proposal.Status.AWAITING_MENTOR, Proposal.Status.PROPOSED)
# A request the mentor refused, in words or by silence: that mentor is not offered again.
REMEMBERED = (Proposal.Status.MENTOR_DECLINED, Proposal.Status.MENTOR_SILENT)


@dataclass
class Choice:
    """A mentor the mentee may ask, with the pair's fit as the matching queue scores and words it."""

    application: Application
    score: float  # as the engine computed it (the queue shows engine.shown_score of it)
    breakdown: list  # the engine's rows, as a Proposal keeps them
    summary: dict

    @property
    def shown_score(self) -> int:
        return engine.shown_score(self.score)

    @property
    def sentence(self) -> str:
        return words.sentence(self.breakdown, self.summary)

    @property
    def rows(self) -> list:
        """The breakdown in the reader's words, with whole points that add up to the score shown."""
        worded = words.rows(self.breakdown)
        points = engine.whole_points(worded, self.shown_score)
        return [{**row, "shown": p, "shown_max": top} for row, (p, top) in zip(worded, points, strict=True)]


# --- Who may ask ----------------------------------------------------------------------------------


def mentee_application(program, user) -> Application | None:
    return Application.objects.filter(program=program, user=user, role=Application.Role.MENTEE).first()


def proposals_of(mentee_app) -> list:
    """Every pair proposed for this mentee (by a run, by the chair, by themselves), newest first,
    with their mentors: one query, which the functions below share through `mine`."""
    if mentee_app is None:
        return []
    return list(
        Proposal.objects.filter(mentee_application=mentee_app)
        .select_related("mentor_application__user")
        .order_by("-created_at", "-pk")
    )


def requests_of(mentee_app, *, mine=None) -> list:
    """The mentee's own requests, newest first, with their mentors."""
    mine = proposals_of(mentee_app) if mine is None else mine
    return [p for p in mine if p.origin == MEMBER]


def _mentee_words(why) -> str:
    """Why the mentee may not be matched now (services.build_pool's left_out), said to them."""
    key = why.get("key") if isinstance(why, dict) else None
    if key == "orientation":
        return ngettext(
            "Please finish the program's orientation first: %(done)s of %(required)s required item done.",
            "Please finish the program's orientation first: %(done)s of %(required)s required items done.",
            why["required"],
        ) % {"done": why["done"], "required": why["required"]}
    if key == "lapsed":
        return _("Your membership has lapsed. Renew it to take part.")
    if key == "no_association":
        return _("Please complete your profile first (local association, job title, date you joined).")
    return _("You can't choose a mentor in this program at the moment.")


def why_not_now(program, mentee_app, *, mine=None) -> list[str]:
    """Why this member can't ask a mentor now, in their words (none: they may). A fixed number of
    queries. `mine`: proposals_of(mentee_app), when the caller has it."""
    if not program.members_choose:
        return [_("This program does not let members choose their mentor now.")]
    if mentee_app is None:
        return [_("Apply as a mentee first: once your application is accepted, you can choose your mentor here.")]
    if mentee_app.status == Application.Status.MATCHED:
        return [_("You have a mentor in this program.")]
    if mentee_app.status != Application.Status.IN_POOL:
        return [_("Once your application is accepted, you can choose your mentor here.")]
    user = mentee_app.user
    if reasons := membership_reasons(program=program, user=user):
        return reasons
    if owed := waiting_for_orientation(program=program, applications=[mentee_app], stage="matching", as_keys=True):
        return [_mentee_words(owed[mentee_app.pk])]
    mine = proposals_of(mentee_app) if mine is None else mine
    waiting = [
        p
        for p in mine
        if p.status == Proposal.Status.AWAITING_MENTOR or (p.status == Proposal.Status.PROPOSED and p.origin == MEMBER)
    ]
    accepted = [p for p in waiting if p.status == Proposal.Status.PROPOSED]
    if accepted:
        return [
            _("%(mentor)s said yes: the committee confirms the pair next. You can't ask another mentor meanwhile.")
            % {"mentor": accepted[0].mentor_application.user.get_full_name()}
        ]
    if any(p.origin != MEMBER for p in waiting):
        return [_("The committee has proposed a mentor for you: you will hear from them soon.")]
    limit = program.member_asks_at_once
    if len(waiting) >= limit:
        return [
            ngettext(
                "You have asked %(count)s mentor: wait for the answer, or withdraw the request to ask someone else.",
                "You have asked %(count)s mentors: wait for their answers, or withdraw a request to ask someone else.",
                limit,
            )
            % {"count": limit}
        ]
    return []


# --- The mentors on offer -------------------------------------------------------------------------


def _barred(mentee_app, *, mine=None) -> set:
    """Mentor applications not offered to this mentee: asked already (and still open), or a pair
    the mentor declined or let expire (remembered, whoever proposed it)."""
    mine = proposals_of(mentee_app) if mine is None else mine
    return {
        p.mentor_application_id for p in mine if p.status in REMEMBERED or (p.status in OPEN and p.origin == MEMBER)
    }


def _unseen(mentor: engine.Member) -> engine.Member:
    """The mentor as a mentee may see them scored: whom the mentor asked for by name is the
    committee's to read (their questionnaire), so it counts for nothing here, on either side."""
    return replace(mentor, ranked=())


def _choice(application, mentee, mentor, pool, weights) -> Choice:
    score, breakdown, summary = engine.score_pair(mentee, _unseen(mentor), weights=weights, questions=pool.questions)
    return Choice(application=application, score=score, breakdown=breakdown, summary=summary)


def offered_mentors(mentee_app, *, topic="", mode="", language="", mine=None) -> list[Choice]:
    """The vetted mentors of the program this mentee may ask now, best fit first: a free place
    (partnerships and requests waiting for an answer count), every rule of matching kept, none
    the mentee asked already or whose refusal is remembered; filtered by an area where they help,
    a way to meet and a language. A fixed number of queries, however many mentors."""
    program = mentee_app.program
    pool = services.build_pool(program, chooser=mentee_app)
    if not pool.mentees:
        return []
    mentee = pool.mentees[0]
    barred = _barred(mentee_app, mine=mine)
    weights = services.weights_for(program)
    choices = []
    for mentor in pool.mentors:
        application = pool.applications[mentor.id]
        if mentor.id in barred or engine.pair_problem_keys(mentee, mentor, rules=pool.rules):
            continue
        if topic and topic not in (application.topics or ()):
            continue
        if mode and mode not in (application.communication_modes or ()):
            continue
        if language and language not in (application.languages or ()):
            continue
        choices.append(_choice(application, mentee, mentor, pool, weights))
    choices.sort(key=lambda c: (-c.score, c.application.user.get_full_name().lower(), c.application.pk))
    return choices


def offered_mentor(mentee_app, mentor_app) -> Choice | None:
    """The one mentor, if this mentee may ask them now (as offered_mentors says), else None."""
    return _check(mentee_app, mentor_app, raise_errors=False)


# --- Asking ---------------------------------------------------------------------------------------


def _not_available():
    return ValidationError(_("This mentor is not available to you. Please choose another."))


def _full(mentor_app):
    return ValidationError(
        _("%(mentor)s has no free place any more: another member asked a moment ago. Please choose another mentor.")
        % {"mentor": mentor_app.user.get_full_name()}
    )


def _check(mentee_app, mentor_app, *, raise_errors=True) -> Choice | None:
    """The pair as the pool and the engine see it now: a Choice, or why not (a ValidationError in
    the mentee's words; None with raise_errors=False). The mentee's own reasons are theirs to read;
    a rule about the mentor is never named ("not available"), the mentor's place is ("full")."""
    program = mentee_app.program

    def refuse(error):
        if raise_errors:
            raise error
        return None

    mine = proposals_of(mentee_app)
    if problems := why_not_now(program, mentee_app, mine=mine):
        return refuse(ValidationError(problems))
    if mentor_app.program_id != program.pk or mentor_app.role != Application.Role.MENTOR:
        return refuse(_not_available())
    if mentor_app.pk in _barred(mentee_app, mine=mine):
        return refuse(_not_available())
    pool = services.build_pool(program, only=[mentee_app.pk, mentor_app.pk], chooser=mentee_app)
    if mentee_app.pk in pool.left_out:
        return refuse(ValidationError(_mentee_words(pool.left_out[mentee_app.pk])))
    if not pool.mentees:
        return refuse(ValidationError(_("You can't choose a mentor in this program at the moment.")))
    mentor = next((m for m in pool.mentors if m.id == mentor_app.pk), None)
    if mentor is None:
        # A vetted mentor missing from the pool has no free place (partnerships and requests held;
        # MATCHED: their partnerships alone fill it).
        vetted = mentor_app.status in (Application.Status.IN_POOL, Application.Status.MATCHED)
        vetted = vetted and mentor_app.pk not in pool.left_out
        return refuse(_full(mentor_app) if vetted else _not_available())
    if engine.pair_problem_keys(pool.mentees[0], mentor, rules=pool.rules):
        return refuse(_not_available())
    return _choice(pool.applications[mentor.id], pool.mentees[0], mentor, pool, services.weights_for(program))


def _clean_note(note) -> str:
    note = (note or "").strip()
    if "\x00" in note:
        raise ValidationError(_("This text holds a character that can't be saved. Please retype it."))
    if len(note) > NOTE_MAX:
        raise ValidationError(
            _("Please keep this text to %(limit)s characters (it has %(count)s).")
            % {"limit": NOTE_MAX, "count": len(note)}
        )
    return note


@transaction.atomic
def ask_mentor(*, mentee_app, mentor_app, note="") -> Proposal:
    """The mentee asks this mentor, with a note (optional): the mentor is emailed their answer
    link, and a place of theirs is held until they answer or the program's days run out.
    Lock order as the chair's approval: the two applications (life.lock_applications), so that
    two mentees asking for one last place are counted one after the other, and one mentee's
    two tabs keep to the program's number of requests at once."""
    note = _clean_note(note)
    locked = life.lock_applications(mentee_app.pk, mentor_app.pk)
    mentee_app, mentor_app = locked[mentee_app.pk], locked[mentor_app.pk]
    choice = _check(mentee_app, mentor_app)
    program = mentee_app.program
    proposal = Proposal.objects.create(
        program=program,
        mentee_application=mentee_app,
        mentor_application=mentor_app,
        score=choice.score,
        breakdown=choice.breakdown,
        summary=choice.summary,
        origin=MEMBER,
    )
    services._event(proposal, mentee_app.user, ProposalEvent.Kind.MEMBER_ASKED, note)
    services._ask_mentor(
        proposal,
        mentee_app,
        mentor_app,
        None,
        template="member_ask",
        context={"note": note, "needs_committee": program.member_choice_needs_committee},
    )
    return proposal


@transaction.atomic
def withdraw(*, proposal, by) -> Proposal:
    """The mentee takes a request back, answered or not (until the committee decides): its mentor
    is told that nothing more is needed, and the place they held is free again."""
    life.lock_applications(proposal.mentee_application_id, proposal.mentor_application_id)
    proposal = (
        Proposal.objects.select_for_update()
        .select_related("program", "mentee_application__user", "mentor_application__user")
        .get(pk=proposal.pk)
    )
    if proposal.origin != MEMBER or proposal.mentee_application.user_id != by.pk:
        raise ValidationError(_("Only the member who asked can withdraw this request."))
    if proposal.status not in OPEN:
        raise ValidationError(_("This request is closed already."))
    proposal.status = Proposal.Status.WITHDRAWN
    proposal.save(update_fields=["status"])
    services._event(proposal, by, ProposalEvent.Kind.WITHDRAWN)
    tell_mentor_closed(proposal, "withdrawn")
    return proposal


def close_stale_requests() -> int:
    """Requests whose mentee no longer waits in the pool (they withdrew their application, or it
    was closed): closed, their mentors told that nothing more is needed, the places they held free
    again. Each is claimed by a conditional update, so the hourly job may run twice, or late."""
    stale = (
        Proposal.objects.filter(origin=MEMBER, status__in=OPEN)
        .exclude(mentee_application__status=Application.Status.IN_POOL)
        .select_related("program", "mentee_application__user", "mentor_application__user")
    )
    closed = 0
    for proposal in stale:
        if Proposal.objects.filter(pk=proposal.pk, status=proposal.status).update(status=Proposal.Status.WITHDRAWN):
            services._event(proposal, None, ProposalEvent.Kind.WITHDRAWN)
            tell_mentor_closed(proposal, "withdrawn")
            closed += 1
    return closed


# --- The mentor's answer (services.mentor_answers calls these for a member's request) -------------


def accepted(proposal, mentee_app, mentor_app) -> Partnership | None:
    """The mentor said yes (the two applications are locked). The mentee's other requests close,
    their mentors told; then the pair waits for the committee's approval in its matching queue
    (None), or the partnership starts now, as an approval starts it (life.start: capacity, the
    introductions)."""
    others = (
        Proposal.objects.select_for_update()
        .filter(mentee_application=mentee_app, origin=MEMBER, status=Proposal.Status.AWAITING_MENTOR)
        .exclude(pk=proposal.pk)
        .select_related("program", "mentee_application__user", "mentor_application__user")
    )
    for other in others:
        other.status = Proposal.Status.ASK_CLOSED
        other.save(update_fields=["status"])
        tell_mentor_closed(other, "closed")
    if proposal.program.member_choice_needs_committee:
        proposal.status = Proposal.Status.PROPOSED
        proposal.save(update_fields=["status"])
        tell_mentee(proposal, "accepted")
        return None
    partnership = life.start(mentee_application=mentee_app, mentor_application=mentor_app, by=None)
    proposal.status = Proposal.Status.APPROVED
    proposal.partnership = partnership
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "partnership", "decided_at"])
    return partnership


# --- Emails ---------------------------------------------------------------------------------------


def choose_url(program) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("choose_mentor", args=[program.pk])


def tell_mentee(proposal, outcome):
    """The mentee hears how their request went: "accepted" (the committee confirms next),
    "declined", "silent" (no answer in time), "cant_go_ahead" or "not_confirmed" (by the committee).
    Never the mentor's note, which is the committee's."""
    mentee, program = proposal.mentee_application.user, proposal.program
    queue_email(
        key=f"member-ask-answer:{proposal.pk}:{outcome}",
        to=mentee.email,
        language=language_of(mentee),
        template="member_ask_answered",
        brand_id=brand_id_for(program=program),
        context={
            "program": program,
            "person": mentee,
            "mentor": proposal.mentor_application.user,
            "outcome": outcome,
            "days": program.mentor_answer_days,
            "link": choose_url(program),
        },
    )


def tell_mentor_closed(proposal, why):
    """The mentor asked hears that nothing more is needed: the mentee withdrew ("withdrawn"), the
    request closed ("closed": not why, so that they never learn whom else the mentee asked), or
    the committee did not confirm the pair they accepted ("not_confirmed")."""
    mentor, program = proposal.mentor_application.user, proposal.program
    queue_email(
        key=f"member-ask-closed:{proposal.pk}",
        to=mentor.email,
        language=language_of(mentor),
        template="member_ask_closed",
        brand_id=brand_id_for(program=program),
        context={
            "program": program,
            "person": mentor,
            "mentee": proposal.mentee_application.user,
            "why": why,
        },
    )


def note_of(proposal) -> str:
    """What the mentee wrote when asking (kept as they wrote it, in the decision log)."""
    asked = proposal.events.filter(kind=ProposalEvent.Kind.MEMBER_ASKED).first()
    return asked.text if asked else ""
