"""The member data import: association staff upload the membership list (CSV, from the
association's member database) and the site brings each member's renewal status, join date and
local association up to date. The retention reports read these.

All or nothing: if any row has a problem, nothing is imported and every problem is listed with
its row, in plain words. People in the file who have no account here are counted, not refused:
most of an association's members never join a program."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import Profile

# accounts sits below mentoring (it imports nothing from it): the local association model is
# reached through the profile's foreign key.
LocalAssociation = Profile.association.field.related_model

MAX_BYTES = 5 * 1024 * 1024  # about 50,000 members
MAX_PROBLEMS = 50  # listed; beyond that the list says there are more
REQUIRED = ("email", "membership_status")
OPTIONAL = ("member_since", "renewal_date", "local_association")
COLUMNS = REQUIRED + OPTIONAL
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula
STATUSES = {
    "active": Profile.MembershipStatus.ACTIVE,
    "grace": Profile.MembershipStatus.GRACE,
    "renewal due": Profile.MembershipStatus.GRACE,
    "lapsed": Profile.MembershipStatus.LAPSED,
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MEMBER_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9./-]{0,29}")
# The problems are listed in the reader's language; the file's columns and statuses stay as the
# template writes them (what the association's member database exports).
DATE_PROBLEMS = {
    "member_since": (
        gettext_lazy("Row %(row)s: the member since date “%(value)s” is not a date written like 2026-01-31."),
        gettext_lazy("Row %(row)s: the member since date %(value)s is too far in the past or the future."),
    ),
    "renewal_date": (
        gettext_lazy("Row %(row)s: the renewal date “%(value)s” is not a date written like 2026-01-31."),
        gettext_lazy("Row %(row)s: the renewal date %(value)s is too far in the past or the future."),
    ),
}
CHANGE_LABELS = {
    "membership_status": gettext_lazy("membership"),
    "member_since": gettext_lazy("member since"),
    "renewal_date": gettext_lazy("renewal date"),
    "association_id": gettext_lazy("local association"),
    "member_number": gettext_lazy("member number"),
}
# The template staff can download: the header and one example row.
TEMPLATE_CSV = (
    "email,membership_status,member_since,renewal_date,local_association\r\n"
    "jane.doe@example.org,active,2021-03-15,2027-03-15,Lakeshore\r\n"
)


@dataclass
class ImportResult:
    problems: list = field(default_factory=list)
    rows: int = 0  # members in the file
    updated: int = 0
    unchanged: int = 0
    not_here: int = 0  # in the file, without an account here
    # Who changed and what: [(member, [(what, before, after), ...])], for the staff who imported.
    changes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.problems


def _shown(value):
    """A value as the change list shows it: a status by its label, a date as 2026-01-31."""
    if value is None or value == "":
        return _("none")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value in Profile.MembershipStatus.values:
        return str(Profile.MembershipStatus(value).label).lower()
    return str(value)


def _short(value, limit=40):
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _date(value, column, row, problems, *, latest):
    try:
        if not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        day = date.fromisoformat(value)
    except ValueError:
        problems.append(DATE_PROBLEMS[column][0] % {"row": row, "value": _short(value)})
        return None
    if not date(1900, 1, 1) <= day <= latest:
        problems.append(DATE_PROBLEMS[column][1] % {"row": row, "value": value})
        return None
    return day


@dataclass
class ReadingContext:
    """What checking members needs once per file or payload: the local associations by name,
    the latest dates accepted, and where each member was first seen (duplicates)."""

    associations: dict
    latest: dict
    first_row: dict = field(default_factory=dict)

    @classmethod
    def now(cls):
        today = timezone.localdate()
        return cls(
            associations={name.casefold(): pk for pk, name in LocalAssociation.objects.values_list("pk", "name")},
            latest={"member_since": today, "renewal_date": today + timedelta(days=5 * 366)},  # joined: not ahead
        )


@dataclass
class Member:
    """One member read from a row: how to find them, and the profile fields to set."""

    email: str  # lower case; "" when the row gives only a member number
    member_number: str
    values: dict


def read_member(cells, *, row, context, problems):
    """Check one member's cells ({column: text, stripped}) with the import's rules: the member
    (or None when the row is refused), the problems appended to `problems` in words. The CSV
    import and the member sync API (sync.services) both read members here."""
    formulas = [c for c, v in cells.items() if v.startswith(FORMULA)]
    for column in formulas:
        value = cells[column]
        problems.append(
            _(
                "Row %(row)s, %(column)s: “%(value)s” starts with “%(start)s”, which a spreadsheet would "
                "run as a formula. Remove it."
            )
            % {"row": row, "column": column, "value": _short(value), "start": value[0].strip() or _("a tab")}
        )
    if formulas:
        return None
    number = cells.get("member_number", "")
    email = cells.get("email", "").lower()
    if number and not MEMBER_NUMBER.fullmatch(number):
        problems.append(
            _(
                "Row %(row)s: the member number “%(value)s” is not one: at most 30 letters, digits, "
                "dots, dashes and slashes, starting with a letter or a digit."
            )
            % {"row": row, "value": _short(number)}
        )
        return None
    if email or not number:  # a member number alone is enough to find a member
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                _("Row %(row)s: “%(value)s” is not an email address.")
                % {"row": row, "value": _short(cells.get("email", ""))}
            )
            return None
    for key, shown in ((("email", email), email), (("number", number), number)):
        if key[1] and key in context.first_row:
            problems.append(
                _("Row %(row)s: %(email)s is already on row %(first)s.")
                % {"row": row, "email": shown, "first": context.first_row[key]}
            )
            return None
    for key in (("email", email), ("number", number)):
        if key[1]:
            context.first_row[key] = row
    values = {}
    status = STATUSES.get(cells["membership_status"].lower())
    if status is None:
        problems.append(
            _("Row %(row)s: the membership status “%(value)s” is not one of active, renewal due (or grace) and lapsed.")
            % {"row": row, "value": _short(cells["membership_status"])}
        )
    values["membership_status"] = status
    for column in DATE_PROBLEMS:
        if cells.get(column):
            values[column] = _date(cells[column], column, row, problems, latest=context.latest[column])
    if cells.get("local_association"):
        values["association_id"] = context.associations.get(cells["local_association"].casefold())
        if values["association_id"] is None:
            problems.append(
                _("Row %(row)s: there is no local association named “%(value)s”.")
                % {"row": row, "value": _short(cells["local_association"])}
            )
    if number:
        values["member_number"] = number
    return Member(email=email, member_number=number, values=values)


def read_members(data: bytes, *, size=None) -> tuple[ImportResult, dict]:
    """Check the whole file: (the result with any problems, {email: {field: value}}). `size`:
    the uploaded file's size, when only its first MAX_BYTES + 1 bytes were read."""
    result, members = ImportResult(), {}
    problems = result.problems
    size = max(size or 0, len(data))
    if size > MAX_BYTES:
        problems.append(
            _("The file is %(size)s MB; the largest accepted is %(limit)s MB. Split it into several files.")
            % {"size": number_format(round(size / 1024 / 1024, 1), 1), "limit": MAX_BYTES // 1024 // 1024}
        )
        return result, members
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(_("The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”."))
        return result, members
    if "\x00" in text:
        problems.append(_("This is not a CSV text file (it holds binary data). Save the list as CSV and try again."))
        return result, members
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower().replace(" ", "_") for h in next(reader, [])]
    except csv.Error as error:
        problems.append(_("The first row cannot be read as CSV (%(error)s).") % {"error": error})
        return result, members
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if not header or missing or unknown or len(set(header)) != len(header):
        found = ", ".join(_("“%(column)s”") % {"column": _short(h, 20)} for h in header[:10]) or _("nothing")
        problems.append(
            _(
                "The first row must name the columns: email and membership_status, and if you have them "
                "member_since, renewal_date and local_association (in any order). It has %(found)s."
            )
            % {"found": found}
        )
        return result, members
    context = ReadingContext.now()
    try:
        for number, row in enumerate(reader, start=2):
            if len(problems) >= MAX_PROBLEMS:
                problems.append(_("…and there may be more: fix these first, then import again."))
                break
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            result.rows += 1
            if len(row) != len(header):
                problems.append(
                    ngettext(
                        "Row %(row)s: %(cells)s cell, where the first row names %(columns)s columns.",
                        "Row %(row)s: %(cells)s cells, where the first row names %(columns)s columns.",
                        len(row),
                    )
                    % {"row": number, "cells": len(row), "columns": len(header)}
                )
                continue
            cells = {column: cell.strip() for column, cell in zip(header, row, strict=True)}
            member = read_member(cells, row=number, context=context, problems=problems)
            if member is not None:
                members[member.email] = member.values
    except csv.Error as error:
        problems.append(
            _("The file cannot be read as CSV after row %(row)s (%(error)s).")
            % {"row": result.rows + 1, "error": error}
        )
    if not problems and not members:
        problems.append(_("The file has a first row but no members."))
    return result, members


# Who is told of the changes an import made (the member sync's change log registers itself from
# its AppConfig.ready(): accounts sits below it and never imports it).
_change_listeners = []


def on_members_changed(listener):
    """`listener(changes=[(profile, [(field, before, after)])], by=user)` is called inside the
    import's transaction, after the changes are saved."""
    if listener not in _change_listeners:
        _change_listeners.append(listener)


def lock_profiles(*, emails=(), member_numbers=()):
    """The profiles of these members, locked until the transaction ends (their users are not:
    sign-ins go on), each with `.email` (lower case): ({email: profile}, {member number: profile})."""
    emails, member_numbers = list(emails), list(member_numbers)
    found = {}
    for wanted, lookup in ((emails, "email__in"), (member_numbers, "member_number__in")):
        for first in range(0, len(wanted), 5000):
            for profile in (
                Profile.objects.select_for_update(of=("self",))
                .annotate(email=Lower("user__email"))
                .filter(**{lookup: wanted[first : first + 5000]})
                .order_by("pk")
            ):
                found.setdefault(profile.pk, profile)
    by_email = {p.email: p for p in found.values()}
    by_number = {}
    for profile in found.values():
        if profile.member_number:
            by_number.setdefault(profile.member_number, profile)
    return by_email, by_number


def apply_member_values(pairs):
    """Set each profile's values ([(profile, {field: value})], locked by lock_profiles) and save
    those that changed, at once: [(profile, [(field, before, after), ...])] for those."""
    changes, changed, fields = [], [], set()
    for profile, values in pairs:
        differences = [(n, getattr(profile, n), v) for n, v in values.items() if getattr(profile, n) != v]
        if differences:
            for name, value in values.items():
                setattr(profile, name, value)
            changes.append((profile, differences))
            changed.append(profile)
            fields |= set(values)
    if changed:
        now = timezone.now()
        for profile in changed:
            profile.updated_at = now  # bulk_update skips auto_now
        Profile.objects.bulk_update(changed, [*sorted(fields), "updated_at"], batch_size=2000)
    return changes


def describe_changes(differences, places=None):
    """[(what, before, after)] in words, for the staff who imported or pushed them."""
    places = places if places is not None else dict(LocalAssociation.objects.values_list("pk", "name"))
    return [
        (str(CHANGE_LABELS.get(n, n)), _shown(places.get(old, old)), _shown(places.get(new, new)))
        if n == "association_id"
        else (str(CHANGE_LABELS.get(n, n)), _shown(old), _shown(new))
        for n, old, new in differences
    ]


def import_members(data: bytes, *, size=None, by=None) -> ImportResult:
    """Check the file, then (if nothing is wrong) update every member it names, in one transaction.
    `by`: the staff member importing (for the change log)."""
    result, members = read_members(data, size=size)
    if result.problems:
        return result
    places = dict(LocalAssociation.objects.values_list("pk", "name"))
    with transaction.atomic():
        profiles, _numbers = lock_profiles(emails=members)
        changes = apply_member_values([(profile, members[email]) for email, profile in profiles.items()])
        if changes:
            for listener in _change_listeners:
                listener(changes=changes, by=by)
    result.changes = [(profile.email, describe_changes(differences, places)) for profile, differences in changes]
    result.updated = len(changes)
    result.unchanged = len(profiles) - len(changes)
    result.not_here = len(members) - len(profiles)
    return result
