"""Keep records no longer than needed.

Staff set how many months the personal data of finished records is kept
(`SiteSettings.keep_personal_data_months`, counted from the day a partnership ended or an
application closed unmatched). A monthly job (`run_retention_job`):

1. warns each member a month before, one email per person listing their records that are due,
   with a one-click "keep my history" link (a signed token, no sign-in needed);
2. removes, when the month's notice has passed, the personal content of each record that was not
   kept, as "Erase my account" does for that record (each app's `privacy.expire_partnership` /
   `expire_application`), while the rows, dates, statuses and scores that the reports count stay;
3. never touches an active partnership or an open application.

What "keep my history" keeps: the clicking member's own part of the record (what they wrote, their
questionnaire, their feedback) until they erase their account. Their partner's part still expires
unless the partner keeps it too, and the names of a partner whose part expired are taken out of
what is kept. The committee's notes on a partnership (how it ended, follow-ups) go with the first
partner's part that expires; they are kept only while both partners keep the record.

The state is in the database (`RecordExpiry`, one row per member and record): a second run, or two
at once, warns and removes nothing twice; a late run catches up, and a member is never removed
from a record less than a month after being warned."""

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from accounts.language import for_user, language_of
from accounts.links import member_token, read_member_token
from accounts.models import User
from accounts.privacy import NOT_NAMES, parts, redact_emails
from mentoring.branding import brand_id_for
from mentoring.models import Application, Partnership, SiteSettings
from outbox.emails import queue_email
from outbox.models import OutgoingEmail

from .models import RecordExpiry

NOTICE = relativedelta(months=1)
SALT = "mentoring.retention.keep"  # kept when it moved here: the links sent stay good
CLOSED_UNMATCHED = (Application.Status.WITHDRAWN, Application.Status.DECLINED)
# A role inside a sentence ("as a mentee", "Ann (mentor, withdrawn)").
ROLE_WORDS = {
    Application.Role.MENTEE: pgettext_lazy("role, in a sentence", "mentee"),
    Application.Role.MENTOR: pgettext_lazy("role, in a sentence", "mentor"),
}


def keep_months() -> int:
    return SiteSettings.current().keep_personal_data_months


def due_on(ended: date, months: int) -> date:
    """The day a record that ended (or closed) on `ended` is due to expire."""
    return ended + relativedelta(months=months)


def finished_partnerships():
    return Partnership.objects.exclude(status=Partnership.Status.ACTIVE).filter(ended_on__isnull=False)


def closed_applications():
    """Applications that closed without a partnership: withdrawn or declined, never part of one
    (an application a partnership used expires with that partnership)."""
    return (
        Application.objects.filter(status__in=CLOSED_UNMATCHED)
        .exclude(pk__in=Partnership.objects.values("mentee_application"))
        .exclude(pk__in=Partnership.objects.values("mentor_application"))
    )


def closed_on(application) -> date:
    # Withdrawing or declining is the application's last change (our own removal does not touch it).
    return timezone.localdate(application.updated_at)


# --- The job ----------------------------------------------------------------------------------


def run_retention_job(*, today: date | None = None) -> dict:
    """Warn, then remove, whatever is due. Safe to run twice and to run late."""
    today = today or timezone.localdate()
    noted = note_due_records(today=today)
    warned = warn_members(today=today)
    expired = expire_due_records(today=today)
    return {"noted": noted, "warned": warned, "expired": expired}


def note_due_records(*, today: date) -> int:
    """A row per member for each finished record due within the month's notice (not yet noted)."""
    months = keep_months()
    horizon = today + NOTICE
    # A few days of slack in the database filter; the exact date is checked below.
    cutoff = horizon - relativedelta(months=months) + timedelta(days=4)
    rows = []
    for partnership in finished_partnerships().filter(ended_on__lte=cutoff).filter(expiries__isnull=True):
        day = due_on(partnership.ended_on, months)
        if day <= horizon:
            rows += [
                RecordExpiry(user_id=user_id, partnership=partnership, expires_on=day)
                for user_id in (partnership.mentee_id, partnership.mentor_id)
            ]
    for application in closed_applications().filter(updated_at__date__lte=cutoff, expiries__isnull=True):
        day = due_on(closed_on(application), months)
        if day <= horizon:
            rows.append(RecordExpiry(user_id=application.user_id, application=application, expires_on=day))
    # Two runs at once: the unique constraints keep one row each.
    RecordExpiry.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def warn_members(*, today: date) -> int:
    """One email per member listing their records not yet warned of; each record is warned of
    once. Returns how many members were warned."""
    warned = 0
    waiting = RecordExpiry.objects.filter(warned_at__isnull=True, expired_at__isnull=True, kept_at__isnull=True)
    for user_id in sorted(set(waiting.values_list("user_id", flat=True))):
        warned += _warn(user_id, today=today)
    return warned


def _in_their_language(user, rows) -> list:
    """The records named as the email's reader reads: describe() words them in the active language."""
    with for_user(user):
        return [describe(row, user) for row in rows]


@transaction.atomic
def _warn(user_id, *, today) -> int:
    # Claim the rows first: two runs may overlap; the second finds them warned.
    rows = list(
        RecordExpiry.objects.select_for_update(of=("self",))
        .filter(user_id=user_id, warned_at__isnull=True, expired_at__isnull=True, kept_at__isnull=True)
        .select_related("user", "partnership__program", "partnership__mentee", "partnership__mentor")
        .select_related("application__program")
    )
    if not rows:
        return 0
    now, user = timezone.now(), rows[0].user
    for row in rows:
        # A member always has the month's notice, however late the job ran.
        row.expires_on = max(row.expires_on, today + NOTICE)
        row.warned_at = now
    RecordExpiry.objects.bulk_update(rows, ["expires_on", "warned_at"])
    if not user.is_active:
        return 0  # an erased member: their part is gone already, and there is no one to write to
    queue_email(
        key=f"record-expiry-warning:{user.pk}:{rows[0].pk}",
        to=user.email,
        language=language_of(user),
        template="record_expiry_warning",
        brand_id=brand_id_for(association=getattr(getattr(user, "profile", None), "association_id", None)),
        context={
            "user": user,
            "records": _in_their_language(user, rows),
            "expires_on": min(row.expires_on for row in rows),
            "keep_url": keep_url(user),
            "months": keep_months(),
        },
    )
    return 1


def expire_due_records(*, today: date) -> int:
    """Remove each member's part of the records whose notice has passed. Returns how many."""
    due = RecordExpiry.objects.filter(
        warned_at__isnull=False, expired_at__isnull=True, kept_at__isnull=True, expires_on__lte=today
    )
    return sum(expire_record(expiry_id=pk) for pk in due.order_by("pk").values_list("pk", flat=True))


@transaction.atomic
def expire_record(*, expiry_id) -> int:
    """Remove one member's part of one record, once (1), or nothing (0: done, kept or reopened)."""
    row = (
        RecordExpiry.objects.select_for_update(of=("self",))
        .filter(pk=expiry_id, warned_at__isnull=False, expired_at__isnull=True, kept_at__isnull=True)
        .select_related("user", "partnership", "application")
        .first()
    )
    if row is None:
        return 0
    names = names_of(row.user)
    if row.partnership_id:
        partnership = Partnership.objects.select_for_update().get(pk=row.partnership_id)
        if partnership.is_active:  # never: a finished partnership does not start again
            return 0
        for expire in parts("expire_partnership"):
            expire(partnership, user=row.user, names=names)
        # The partner's own warning about this record named the member: the names go from it.
        partner_id = partnership.mentor_id if partnership.mentee_id == row.user_id else partnership.mentee_id
        redact_emails(OutgoingEmail.objects.filter(key__startswith=f"record-expiry-warning:{partner_id}:"), names)
    else:
        application = Application.objects.select_for_update().get(pk=row.application_id)
        if application.status not in CLOSED_UNMATCHED or application.pk in _used_applications():
            # Reopened (or matched since): it is open again, and its clock starts over when it closes.
            row.delete()
            return 0
        for expire in parts("expire_application"):
            expire(application, names=names)
    row.expired_at = timezone.now()
    row.save(update_fields=["expired_at"])
    return 1


def _used_applications():
    return set(Partnership.objects.values_list("mentee_application", flat=True)) | set(
        Partnership.objects.values_list("mentor_application", flat=True)
    )


def names_of(user) -> set:
    """What would name the member in someone else's words: full name, first and last name alone,
    addresses. Never the placeholder an erased member is called by ("Former member"), nor its words."""
    names = {user.get_full_name(), user.email, *user.emailaddress_set.values_list("email", flat=True)}
    names |= {name.strip() for name in (user.first_name, user.last_name) if len(name.strip()) > 1}
    return {name for name in names if name and name.strip() not in NOT_NAMES}


def describe(row, user) -> str:
    if row.partnership_id:
        p = row.partnership
        return _("Your partnership with %(partner)s in %(program)s, which ended on %(date)s") % {
            "partner": p.partner_of(user).get_full_name(),
            "program": p.program.name,
            # Translators: how a date is written (Django's date format letters): "3 December 2026".
            "date": date_format(p.ended_on, _("j F Y")),
        }
    a = row.application
    return _("Your application to %(program)s as a %(role)s, which closed without a match") % {
        "program": a.program.name,
        "role": ROLE_WORDS[a.role],
    }


# --- Keep my history --------------------------------------------------------------------------


def make_token(user) -> str:
    return member_token(user, "keep", salt=SALT)


def keep_url(user) -> str:
    return settings.SITE_URL + reverse("keep_history", args=[make_token(user)])


def read_token(token: str):
    """The member of a valid link, or None (altered, cut short, or the account is gone)."""
    found = read_member_token(token, salt=SALT, codes=("keep",))
    if found is None:
        return None
    return User.objects.filter(pk=found[0], is_active=True).first()


@transaction.atomic
def keep_history(*, user) -> int:
    """Keep the member's own part of every record they were warned of and that is not removed
    yet. Idempotent: returns how many were kept now (0 the second time)."""
    return RecordExpiry.objects.filter(
        user=user, warned_at__isnull=False, expired_at__isnull=True, kept_at__isnull=True
    ).update(kept_at=timezone.now())


def history_of(user):
    """The member's warned records, for the keep page (newest first)."""
    return (
        RecordExpiry.objects.filter(user=user, warned_at__isnull=False)
        .select_related("partnership__program", "partnership__mentee", "partnership__mentor", "application__program")
        .order_by("-warned_at", "pk")
    )


# --- What will expire (the chair's and staff's pages) -----------------------------------------


@dataclass
class Upcoming:
    kind: str  # "partnership" or "application"
    program: object
    who: str
    ended_on: date
    expires_on: date
    state: str


def upcoming(*, program=None, today: date | None = None, months_ahead: int = 6) -> list:
    """Records whose personal data will be removed within `months_ahead` months (or is overdue),
    with who they concern and nothing confidential. `program`: one program, or None for all."""
    today = today or timezone.localdate()
    months = keep_months()
    cutoff = today + relativedelta(months=months_ahead) - relativedelta(months=months) + timedelta(days=4)
    still = Q(expiries__expired_at__isnull=True, expiries__kept_at__isnull=True)
    partnerships = (
        finished_partnerships()
        .filter(ended_on__lte=cutoff)
        .annotate(rows=Count("expiries"), pending=Count("expiries", filter=still))
        .filter(Q(rows=0) | Q(pending__gt=0))
        .select_related("program", "mentee", "mentor")
        .prefetch_related("expiries")
    )
    applications = (
        closed_applications()
        .filter(updated_at__date__lte=cutoff)
        .annotate(rows=Count("expiries"), pending=Count("expiries", filter=still))
        .filter(Q(rows=0) | Q(pending__gt=0))
        .select_related("program", "user")
        .prefetch_related("expiries")
    )
    if program is not None:
        partnerships = partnerships.filter(program=program)
        applications = applications.filter(program=program)
    found = []
    for p in partnerships:
        rows = list(p.expiries.all())
        found.append(
            Upcoming(
                "partnership",
                p.program,
                _("%(mentee)s (mentee) with %(mentor)s (mentor)")
                % {"mentee": p.mentee.get_full_name(), "mentor": p.mentor.get_full_name()},
                p.ended_on,
                max((r.expires_on for r in rows), default=due_on(p.ended_on, months)),
                _state(rows, {p.mentee_id: p.mentee.get_full_name(), p.mentor_id: p.mentor.get_full_name()}),
            )
        )
    for a in applications:
        rows = list(a.expiries.all())
        found.append(
            Upcoming(
                "application",
                a.program,
                _("%(name)s (%(role)s, %(status)s)")
                % {
                    "name": a.user.get_full_name(),
                    "role": ROLE_WORDS[a.role],
                    "status": a.get_status_display().lower(),
                },
                closed_on(a),
                max((r.expires_on for r in rows), default=due_on(closed_on(a), months)),
                _state(rows, {a.user_id: a.user.get_full_name()}),
            )
        )
    horizon = today + relativedelta(months=months_ahead)
    return sorted((u for u in found if u.expires_on <= horizon), key=lambda u: (u.expires_on, u.who))


def _state(rows, names) -> str:
    if not rows:
        return _("Members will be told a month before")
    words = []
    for row in sorted(rows, key=lambda r: r.pk):
        name = names.get(row.user_id, _("A member"))
        if row.state == "kept":
            words.append(_("%(name)s: keeps their history") % {"name": name})
        elif row.state == "removed":
            words.append(_("%(name)s: removed") % {"name": name})
        else:
            words.append(_("%(name)s: told") % {"name": name})
    return "; ".join(words)


def removed_count(*, program=None) -> int:
    """Records whose personal data was removed (at least one member's part)."""
    rows = RecordExpiry.objects.filter(expired_at__isnull=False)
    if program is not None:
        rows = rows.filter(Q(partnership__program=program) | Q(application__program=program))
    return rows.values("partnership", "application").distinct().count()
