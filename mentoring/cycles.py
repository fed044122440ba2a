"""Next year's cycle in one click: a program copied for its next period.

What is copied is the framework the chair set up: the settings, every text in each language,
the questionnaire's own questions, the orientation, the objectives, the timeline, the training
resources and the committee; apps above mentoring copy their own parts (the feedback surveys)
through `register()`, called from their AppConfig.ready() (mentoring sits below them and never
imports them). What this cycle's members did is never copied: applications, vetting, proposals,
partnerships, feedback, announcements and invitations stay with the program they belong to.

Only the enrollment dates are dates; everything else on a program is counted from a
partnership's start (the timeline, the feedback schedule), so it holds as it is. Dates move on by
whole months, as a calendar does (31 January + 1 month is the end of February; 29 February + 12
months is 28 February)."""

import logging
import os
import re
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from modeltranslation.translator import NotRegistered, translator

from .models import (
    Application,
    CommitteeMembership,
    Milestone,
    Objective,
    OrientationItem,
    Program,
    Question,
    Resource,
)
from .services import QUESTIONNAIRE_FIELDS, _member_of_program_area

logger = logging.getLogger(__name__)

MIN_MONTHS, MAX_MONTHS, DEFAULT_MONTHS = 1, 36, 12

# The program's own columns that the copy does not take from this cycle as they are, and why: its
# own name and record; enrollment starts closed (the chair opens it) and its dates move on. Every
# other column is copied (a setting added later too); the tests compare the two programs on them.
NOT_COPIED = {
    "id",
    "name",
    "created_at",
    "copied_from",
    "enrollment_open",
    "enrollment_opens_on",
    "enrollment_closes_on",
}

# The parts mentoring copies itself: (model, words for the confirmation page).
OWN_PARTS = [
    (Question, gettext_lazy("Questions of the questionnaire")),
    (OrientationItem, gettext_lazy("Orientation items")),
    (Objective, gettext_lazy("Objectives")),
    (Milestone, gettext_lazy("Steps of the timeline")),
    (Resource, gettext_lazy("Training resources")),
]

_registry: dict[str, dict] = {}  # app label -> {"describe": ..., "copy": ...}


def register(app_label, *, describe, copy):
    """An app's own part of a program's next cycle, from its AppConfig.ready():

    describe(program) -> [(words, count)]   what the confirmation page lists
    copy(*, source, copy)                   copy it from `source` to `copy`, in the caller's transaction
    """
    _registry[app_label] = {"describe": describe, "copy": copy}


def moved(day, months):
    return day + relativedelta(months=months) if day else None


YEAR = re.compile(r"\b(19|20)\d\d\b")


def next_name(program, months, today=None):
    """The next cycle's name, "<name> 2027": the years in the name move on with the dates
    ("2026-2027" a year later is "2027-2028"); a name without one is followed by the year the
    next cycle's enrollment opens (or the year `months` from today, when it has no dates)."""
    start = program.enrollment_opens_on or today or timezone.localdate()
    year = moved(start, months).year
    if YEAR.search(program.name):
        return YEAR.sub(lambda found: str(int(found.group()) + year - start.year), program.name)
    limit = Program._meta.get_field("name").max_length - len(str(year)) - 1
    return f"{program.name[:limit].rstrip()} {year}"


def copyable_row(row, **changes):
    """A new unsaved row with `row`'s stored values and then `changes`. A text written in two
    languages is copied column by column (summary_en, summary_fr), never through `row.summary`,
    which answers in the reader's language and would put one language's words in the other's."""
    model = type(row)
    try:
        translated = set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        translated = set()
    new = model()
    for column in model._meta.concrete_fields:
        if column.primary_key or column.name in translated or isinstance(column, models.FileField):
            continue
        setattr(new, column.attname, getattr(row, column.attname))
    for name, value in changes.items():
        setattr(new, name, value)
    return new


def _copy_file(row, new):
    """The file's own copy, under the new program: deleting this cycle's resource must not take
    the next cycle's away. False when the file is gone from storage."""
    if not row.file:
        return True
    try:
        with row.file.open("rb") as source:
            new.file.save(os.path.basename(row.file.name), source, save=False)
    except OSError:
        logger.warning("next cycle: the file of %s %s could not be read", type(row).__name__, row.pk)
        return False
    return True


@dataclass
class NextCycle:
    """What the confirmation page shows: the copy's name and dates, what is copied, and who."""

    program: Program
    months: int
    name: str
    opens_on: object
    closes_on: object
    parts: list = field(default_factory=list)  # [(words, count)]
    committee: list = field(default_factory=list)  # seats copied
    left_out: list = field(default_factory=list)  # (seat, why) not copied
    existing: Program | None = None  # the copy made already


def _committee(program):
    """The seats the next cycle keeps: those still active members of the program's area, as
    anyone added to the committee must be. The others are listed with the reason."""
    seats = program.committee.select_related("user__profile__association").order_by("role", "user__last_name")
    kept, left_out = [], []
    for seat in seats:
        if not seat.user.is_active:
            left_out.append((seat, gettext("their account is closed")))
        elif not _member_of_program_area(seat.user, program):
            left_out.append((seat, gettext("no longer a member of %(area)s") % {"area": program.owner_name}))
        else:
            kept.append(seat)
    return kept, left_out


def next_cycle(program, *, months=DEFAULT_MONTHS, today=None) -> NextCycle:
    """The next cycle as it would be copied (nothing is written)."""
    kept, left_out = _committee(program)
    parts = [(words, model.objects.filter(program=program).count()) for model, words in OWN_PARTS]
    for part in _registry.values():
        parts.extend(part["describe"](program))
    return NextCycle(
        program=program,
        months=months,
        name=next_name(program, months, today),
        opens_on=moved(program.enrollment_opens_on, months),
        closes_on=moved(program.enrollment_closes_on, months),
        parts=parts,
        committee=kept,
        left_out=left_out,
        existing=program.copies.first(),
    )


def _refuse_a_second_copy(existing):
    raise ValidationError(
        gettext("This program was copied for its next cycle already: “%(name)s”. Open that one instead.")
        % {"name": existing.name},
        code="copied_already",
    )


@transaction.atomic
def copy_program(*, program, by, name, months=DEFAULT_MONTHS) -> Program:
    """Copy `program` for its next cycle, `months` later, named `name`; enrollment closed. Once
    per program: a second copy (a double click, two chairs at once) is refused, naming the first."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(gettext("Give the next cycle a name."), code="name")
    if len(name) > Program._meta.get_field("name").max_length:
        raise ValidationError(gettext("The name is too long: 150 characters at most."), code="name")
    if not MIN_MONTHS <= months <= MAX_MONTHS:
        raise ValidationError(gettext("Move the dates on by 1 to 36 months."), code="months")
    # One copy at a time per program: a second request waits here, then finds the first's copy.
    program = Program.objects.select_for_update().get(pk=program.pk)
    existing = program.copies.first()
    if existing is not None:
        _refuse_a_second_copy(existing)

    copy = copyable_row(
        program,
        name=name,
        copied_from=program,
        enrollment_open=False,
        enrollment_opens_on=moved(program.enrollment_opens_on, months),
        enrollment_closes_on=moved(program.enrollment_closes_on, months),
    )
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError:  # the database's own guard (one_next_cycle_per_program)
        _refuse_a_second_copy(program.copies.first())

    for model, _words in OWN_PARTS:
        for row in model.objects.filter(program=program).order_by("pk"):
            new = copyable_row(row, program=copy)
            if isinstance(row, OrientationItem | Resource) and not _copy_file(row, new):
                continue  # its file is gone: the chair adds it again (a link or file is required)
            new.save()

    kept, _left_out = _committee(program)
    for seat in kept:  # one by one, so the change log (auditlog) records each seat as usual
        # A new program: each member accepts its pledge again before its confidential pages open.
        CommitteeMembership.objects.create(program=copy, user=seat.user, role=seat.role, appointed_by=by)
    for part in _registry.values():
        part["copy"](source=program, copy=copy)
    return copy


def earlier_answers(*, program, user, role):
    """The member's own answers in the cycle this program was copied from, in this role, offered
    on the new cycle's questionnaire (None when there are none). Nothing is saved until they save
    or send it. Only the questionnaire's own fields: never the committee's words or decision (a
    vetting is per program: mentors are vetted again), nor the program's questions (the new
    cycle's are new rows, answered afresh)."""
    if program.copied_from_id is None:
        return None
    earlier = Application.objects.filter(
        program_id=program.copied_from_id, user=user, role=role, submitted_at__isnull=False
    ).first()
    return None if earlier is None else {name: getattr(earlier, name) for name in QUESTIONNAIRE_FIELDS}
