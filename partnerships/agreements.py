"""The partnership agreement and the milestones of the timeline.

When a partnership starts (partnerships.life.start) its agreement is made from the
program's guidelines as they are that day; a partnership that started before agreements existed
gets one, from today's guidelines, when a partner first opens the page. Both partners confirm it,
and each may add terms of their own. Someone confirms what they read: changing one's own terms
clears the other partner's confirmation, and a confirmation posted for words that have changed
since the page was shown is refused.

Only the two partners read the terms they add (like their meeting notes); the committee sees
whether and when each confirmed, and the milestones marked done.

Locks: the agreement row is locked last (after the applications and the partnership, where a
caller holds those), so it keeps the lock order of partnerships.life.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.language import language_of
from mentoring import compiled
from mentoring.branding import brand_id_for
from mentoring.models import Milestone
from outbox.emails import queue_email

from .models import TERMS_MAX_LENGTH, Agreement, MilestoneProgress


def _program_terms(program) -> dict:
    """The program's terms as they are now, its guidelines in each language they are written in."""
    return {
        **{
            f"{name}_{code}": getattr(program, f"{name}_{code}") or ""
            for name in ("expectations", "confidentiality", "ending_early")
            for code, _ in settings.LANGUAGES
        },
        "meeting_frequency": program.meeting_frequency,
        "channels": list(program.communication_channels or []),
    }


def make_agreement(*, partnership) -> Agreement:
    """The agreement of a partnership that starts now (called by `start`, in its transaction)."""
    return Agreement.objects.create(partnership=partnership, made_at_start=True, **_program_terms(partnership.program))


def agreement_for(partnership) -> Agreement | None:
    """The partnership's agreement; one made now from the program's guidelines for an active
    partnership that started before agreements existed; None for an older one that has ended."""
    try:
        return partnership.agreement
    except Agreement.DoesNotExist:
        if not partnership.is_active:
            return None
    agreement, _created = Agreement.objects.get_or_create(
        partnership=partnership, defaults={"made_at_start": False, **_program_terms(partnership.program)}
    )
    partnership.agreement = agreement
    return agreement


def _role(partnership, user) -> str:
    role = partnership.role_of(user)
    if role is None:
        raise ValidationError(_("Only the two partners can do this."))
    return role


def _locked_agreement(partnership) -> Agreement:
    if not partnership.is_active:
        raise ValidationError(_("The agreement can be changed while the partnership is active."))
    agreement_for(partnership)
    return Agreement.objects.select_for_update().get(partnership=partnership)


def other_role(role):
    return "mentor" if role == "mentee" else "mentee"


@transaction.atomic
def confirm_agreement(*, partnership, user, seen=None) -> Agreement:
    """The partner confirms the agreement. `seen`: the agreement's fingerprint on the page they
    read; if the words changed since, nothing is confirmed."""
    role = _role(partnership, user)
    agreement = _locked_agreement(partnership)
    if seen is not None and seen != agreement.fingerprint:
        raise ValidationError(
            _("The agreement changed while you were reading it: please read it again below, then confirm.")
        )
    if agreement.confirmed_at(role) is None:
        setattr(agreement, f"{role}_confirmed_at", timezone.now())
        agreement.save(update_fields=[f"{role}_confirmed_at"])
    return agreement


@transaction.atomic
def add_terms(*, partnership, user, text) -> Agreement:
    """The partner's own terms (replacing what they wrote before; empty removes them). If the
    words change, the other partner's confirmation is cleared (they confirm what they read) and
    they are told by email."""
    role = _role(partnership, user)
    text = (text or "").strip()
    if len(text) > TERMS_MAX_LENGTH:
        raise ValidationError(
            _("Please keep your terms to %(limit)s characters (you have %(count)s).")
            % {"limit": TERMS_MAX_LENGTH, "count": len(text)}
        )
    if "\x00" in text:
        raise ValidationError(_("Please remove the control characters from your terms."))
    agreement = _locked_agreement(partnership)
    if agreement.terms_of(role) == text:
        return agreement
    setattr(agreement, f"{role}_terms", text)
    changed = [f"{role}_terms"]
    other = other_role(role)
    cleared = agreement.confirmed_at(other)
    if cleared is not None:
        setattr(agreement, f"{other}_confirmed_at", None)
        changed.append(f"{other}_confirmed_at")
    agreement.save(update_fields=changed)
    if cleared is not None:
        # Each confirmation is cleared once: its time makes the email's key.
        person = getattr(partnership, other)
        queue_email(
            key=f"agreement-changed:{agreement.pk}:{other}:{cleared.isoformat()}",
            to=person.email,
            language=language_of(person),
            template="agreement_changed",
            brand_id=brand_id_for(program=partnership.program),
            context={"person": person, "partner": user, "program": partnership.program, "partnership": partnership},
        )
    return agreement


def _check_milestone(partnership, user, milestone):
    _role(partnership, user)
    if milestone.program_id != partnership.program_id:
        raise ValidationError(_("This milestone is not on your program's timeline."))
    if not partnership.is_active:
        raise ValidationError(_("Milestones are marked while the partnership is active."))


@transaction.atomic
def mark_milestone(*, partnership, milestone, user, done_on) -> MilestoneProgress:
    """A milestone of the timeline is done, on `done_on` (today or earlier, not before the start).
    Marking it again changes the date."""
    _check_milestone(partnership, user, milestone)
    if done_on is None:
        raise ValidationError(_("Please choose the date it was done."))
    if done_on > timezone.localdate():
        raise ValidationError(_("Choose today or an earlier date: a milestone is marked once it is done."))
    if done_on < partnership.started_on:
        # Translators: how a date is written (Django's date format letters): "December 3, 2026".
        start = date_format(partnership.started_on, _("F j, Y"))
        raise ValidationError(_("Choose a date from %(date)s, when your partnership started.") % {"date": start})
    progress, _created = MilestoneProgress.objects.update_or_create(
        partnership=partnership, milestone=milestone, defaults={"done_on": done_on, "marked_by": user}
    )
    return progress


@transaction.atomic
def undo_milestone(*, partnership, milestone, user) -> None:
    """Marked done by mistake: the milestone is open again."""
    _check_milestone(partnership, user, milestone)
    MilestoneProgress.objects.filter(partnership=partnership, milestone=milestone).delete()


# --- Progress against the timeline, for one partnership or a page of them ------------------------


# A milestone is "behind" only a week after its day: a kickoff due the day a partnership starts
# is not late that day (the committee read "behind on: Kickoff" for a partnership started today).
BEHIND_AFTER_DAYS = 7


@dataclass(frozen=True)
class TimelineItem:
    milestone: Milestone
    due_on: date
    done_on: date | None
    is_due: bool  # its day has come (by today, or by the day the partnership ended)
    is_late: bool = False  # a week past its day in a partnership still going: something to catch up

    @property
    def is_behind(self):
        return self.is_late and self.done_on is None


@dataclass(frozen=True)
class TimelineProgress:
    items: tuple

    @property
    def total(self):
        return len(self.items)

    @property
    def done(self):
        return sum(1 for item in self.items if item.done_on is not None)

    @property
    def due(self):
        return sum(1 for item in self.items if item.is_due)

    @property
    def behind(self):
        return [item.milestone for item in self.items if item.is_behind]


def _milestones_done(partnership_id, program_id):
    done_on = MilestoneProgress.objects.filter(partnership_id=partnership_id, milestone=OuterRef("pk")).values(
        "done_on"
    )
    milestones = Milestone.objects.filter(program_id=program_id).annotate(_done_on=Subquery(done_on[:1]))
    return milestones.order_by("day", "id")


def timeline_progress(partnerships, *, today=None) -> dict:
    """{partnership id: TimelineProgress} for many partnerships in two queries, however many;
    for one, in one query."""
    partnerships = list(partnerships)
    today = today or timezone.localdate()
    by_program = {}
    if len(partnerships) == 1:
        # One partnership (its page): its program's milestones, each with the day it was done
        # (at most one, a constraint says), in one query.
        one = partnerships[0]
        by_program[one.program_id] = compiled.objects(
            "timeline-of-one", _milestones_done, partnership_id=one.pk, program_id=one.program_id
        )
        done = {(one.pk, m.pk): m._done_on for m in by_program[one.program_id] if m._done_on is not None}
    else:
        for milestone in Milestone.objects.filter(program_id__in={p.program_id for p in partnerships}):
            by_program.setdefault(milestone.program_id, []).append(milestone)
        done = {
            (row.partnership_id, row.milestone_id): row.done_on
            for row in MilestoneProgress.objects.filter(partnership__in=[p.pk for p in partnerships])
        }
    result = {}
    for p in partnerships:
        until = min(today, p.ended_on) if p.ended_on else today
        items = []
        for m in by_program.get(p.program_id, []):
            due_on = p.started_on + timedelta(days=m.day)
            # An ended partnership is behind on nothing: there is nothing left to catch up.
            late = p.ended_on is None and due_on + timedelta(days=BEHIND_AFTER_DAYS) <= today
            items.append(TimelineItem(m, due_on, done.get((p.pk, m.pk)), due_on <= until, late))
        result[p.pk] = TimelineProgress(tuple(items))
    return result


def waiting_for(agreement) -> list:
    """The roles ("mentee", "mentor") that have not confirmed yet."""
    return [role for role in ("mentee", "mentor") if agreement.confirmed_at(role) is None]
