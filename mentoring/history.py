"""A member's mentoring history across programs: their partnerships, as mentor and as mentee,
with the meetings and hours the partners logged (the meeting log is partnerships.models.Meeting,
read here through its relation, `meetings`), and what they gave in the program's other formats
(flash conversations, ...), which those apps add through `register()` from their AppConfig
(mentoring sits below them and never imports them). Shown on the member's own page and to the
committee that vets a mentor."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from . import compiled
from .models import Partnership, Program


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


@dataclass(frozen=True)
class Format:
    """One of a program's other formats (see register())."""

    held: Callable[[object, datetime], QuerySet]
    words: Callable[[int, int], str]


_FORMATS: list[Format] = []


def register(*, held: Callable[[object, datetime], QuerySet], words: Callable[[int, int], str]) -> None:
    """Add a format to every history. `held(user, now)`: what the user (or their id) gave by
    `now`, per program and role, as
    a queryset of `.values_list(<the program's id>, "role").annotate(count=..., minutes=...)`
    ("role": "mentor" or "mentee"), with no ordering; `words(count, minutes)` says it in the reader's
    language ("3 flash conversations, 3 hours"). Every format's queryset is read in one query
    (a UNION), however many formats there are."""
    if all(f.held is not held for f in _FORMATS):
        _FORMATS.append(Format(held=held, words=words))


def _format_rows(user) -> list[tuple[int, FormatRow]]:
    """(program id, FormatRow) for what `user` gave in every other format, in one query."""
    if not _FORMATS:
        return []

    def build(user_id, now):
        first, *others = [fmt.held(user_id, now).annotate(format=Value(k)) for k, fmt in enumerate(_FORMATS)]
        return (first.union(*others, all=True) if others else first).order_by("format")  # not a model's own ordering

    _, rows = compiled.rows(("history-formats", len(_FORMATS)), build, user_id=user.pk, now=timezone.now())
    return [
        (program_id, FormatRow(role=role, text=_FORMATS[k].words(count, minutes), minutes=minutes))
        for program_id, role, count, minutes, k in rows
    ]


def other_formats(user, program) -> list[FormatRow]:
    """What `user` gave in `program`'s other formats (its certificate names them too)."""
    return [row for program_id, row in _format_rows(user) if program_id == program.pk]


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


def partnerships_of(user):
    """The member's partnerships, latest first, with the meetings and minutes logged: what the
    history reads (a page that shows them otherwise too reads them once, see mentoring_history)."""
    return (
        Partnership.objects.filter(Q(mentee=user) | Q(mentor=user))
        .select_related("program__association", "program__region")
        .annotate(meeting_count=Count("meetings"), meeting_minutes=Sum("meetings__minutes"))
        .order_by("-started_on", "-pk")
    )


def mentoring_history(user, partnerships=None, programs=None) -> list[ProgramHistory]:
    """The member's partnerships, as mentor and as mentee, grouped by program (latest first), with
    the meetings and minutes the partners logged, and the program's other formats. Two queries
    however long the history and however many formats (a third for the programs a member knows
    only from another format). It names no partner: the committees it is shown to learn the dates
    and the hours, not the people. `partnerships`: partnerships_of(user), already read; `programs`:
    {pk: Program} already read, with their association and region."""
    by_program = {}
    for p in partnerships_of(user) if partnerships is None else partnerships:
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
    formats = _format_rows(user)
    # A program known only from another format: its row, in one query.
    missing = {program_id for program_id, _ in formats} - by_program.keys()
    if missing:
        programs = dict(programs or {})
        if missing - programs.keys():
            programs |= Program.objects.select_related("association", "region").in_bulk(missing - programs.keys())
        for program_id in sorted(missing, key=lambda pk: programs[pk].name):
            by_program[program_id] = ProgramHistory(program=programs[program_id])
    for program_id, row in formats:
        by_program[program_id].formats.append(row)
    return list(by_program.values())
