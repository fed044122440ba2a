"""A member's mentoring history across programs: their partnerships, as mentor and as mentee,
with the meetings and hours the partners logged (the meeting log is partnerships.models.Meeting,
read here through its relation, `meetings`), and what they gave in the program's other formats
(flash conversations, ...), which those apps add through `register()` from their AppConfig
(mentoring sits below them and never imports them). Shown on the member's own page and to the
committee that vets a mentor."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext, ngettext

from .models import Partnership


def hours_label(minutes):
    """Minutes as hours a person would say: to the nearest quarter hour, at least ¼ when any."""
    if not minutes:
        return gettext("no hours")
    quarters = max(1, round(minutes / 15))
    whole, part = divmod(quarters, 4)
    fraction = ["", "¼", "½", "¾"][part]
    number = f"{whole or ''}{fraction}" if fraction else str(whole)
    # One hour or less is singular (in French too: "¾ heure", "1 heure"), more is plural.
    return ngettext("%(number)s hour", "%(number)s hours", 1 if quarters <= 4 else 2) % {"number": number}


@dataclass(frozen=True)
class HistoryRow:
    partnership_id: int
    role: str
    status: str
    status_label: str
    started_on: date
    ended_on: date | None
    planned_end_on: date
    meetings: int
    minutes: int

    @property
    def hours_label(self):
        return hours_label(self.minutes)

    @property
    def has_certificate(self):
        return self.status == Partnership.Status.COMPLETED


@dataclass(frozen=True)
class FormatRow:
    """What a member gave in one of a program's other formats, in one role: `text` says it in
    the reader's language ("3 flash conversations, 3 hours")."""

    role: str
    text: str
    minutes: int


# Functions user -> iterable of (program, FormatRow), one per other format (see register()).
_FORMATS: list[Callable[[object], Iterable]] = []


def register(rows: Callable[[object], Iterable]) -> None:
    """Add a format's rows to every history: `rows(user)` gives (program, FormatRow) pairs, in
    one query however long the history."""
    if rows not in _FORMATS:
        _FORMATS.append(rows)


def other_formats(user, program) -> list[FormatRow]:
    """What `user` gave in `program`'s other formats (its certificate names them too)."""
    return [row for rows in _FORMATS for of, row in rows(user) if of.pk == program.pk]


@dataclass
class ProgramHistory:
    program: object
    partnerships: list = field(default_factory=list)
    formats: list = field(default_factory=list)  # FormatRow: the program's other formats

    @property
    def mentor_minutes(self):
        rows = [*self.partnerships, *self.formats]
        return sum(p.minutes for p in rows if p.role == "mentor")

    @property
    def as_mentor(self):
        return sum(1 for p in [*self.partnerships, *self.formats] if p.role == "mentor")

    @property
    def as_mentee(self):
        return sum(1 for p in self.partnerships if p.role == "mentee")

    @property
    def mentor_hours_label(self):
        return hours_label(self.mentor_minutes)


def mentoring_history(user) -> list[ProgramHistory]:
    """The member's partnerships, as mentor and as mentee, grouped by program (latest first), with
    the meetings and minutes the partners logged, and the program's other formats. One query,
    and one per other format, however long the history. It names no partner: the committees it
    is shown to learn the dates and the hours, not the people."""
    rows = (
        Partnership.objects.filter(Q(mentee=user) | Q(mentor=user))
        .select_related("program__association", "program__region")
        .annotate(meeting_count=Count("meetings"), meeting_minutes=Sum("meetings__minutes"))
        .order_by("-started_on", "-pk")
    )
    by_program = {}
    for p in rows:
        group = by_program.setdefault(p.program_id, ProgramHistory(program=p.program))
        group.partnerships.append(
            HistoryRow(
                partnership_id=p.pk,
                role="mentor" if p.mentor_id == user.pk else "mentee",
                status=p.status,
                status_label=p.get_status_display(),
                started_on=p.started_on,
                ended_on=p.ended_on,
                planned_end_on=p.planned_end_on,
                meetings=p.meeting_count,
                minutes=p.meeting_minutes or 0,
            )
        )
    for rows in _FORMATS:
        for program, row in rows(user):
            by_program.setdefault(program.pk, ProgramHistory(program=program)).formats.append(row)
    return list(by_program.values())
