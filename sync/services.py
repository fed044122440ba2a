"""The member sync API's rules: keys (hashed, revocable, scoped), the rate limit, and a push of
member changes, read and applied by the member import's own functions (accounts.imports), so
that a row of the CSV file and a member pushed here follow the same rules and get the same
messages.

A push is all or nothing: every member is checked first; if anything is wrong nothing is saved
and every problem is returned, with its row (the member's place in the list, from 1). A member
pushed with an `updated_at` older than the one held here is stale and left alone (reported for
that row); pushing the same list twice changes nothing the second time. Accounts are opened by
members themselves, never by a push: a member pushed with an email address and no account here
is kept waiting (WaitingMember, under the same stale rule) and applied when their account exists
with that address confirmed (apply_waiting; an account whose address is not confirmed yet is
treated as none); one pushed with a member number alone is counted
(`not_here`), as the CSV import counts them. Waiting members nobody pushes again are forgotten
after SYNC_WAITING_DAYS (forget_waiting_members).

A lapsed member is handled as a lapsed member from the CSV import is: the status is the
profile's, and matching reads it at every run (mentoring.services.held_back) and leaves the
member out, with the reason shown to the committee; a partnership in progress is flagged in its
committee's attention queue (feedback.services.partnerships_needing_attention), never ended."""

import hashlib
import hmac
import json
import math
import secrets
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.imports import (
    LocalAssociation,
    ReadingContext,
    _short,
    apply_member_values,
    lock_profiles,
    read_member,
)
from accounts.models import Profile

from .models import IntegrationKey, MemberChange, MemberSyncState, SyncRun, WaitingMember

KEY_START = "msk"  # "member sync key": recognisable in a secrets scanner or a log
FIELDS = ("member_number", "email", "membership_status", "member_since", "renewal_date", "local_association")
MAX_TEXT = 254  # characters in any one value (the longest email address)
MAX_PROBLEMS = 50
FUTURE_SLACK = timedelta(minutes=5)  # clocks differ a little; a change from further ahead is refused
RESULTS = ("updated", "unchanged", "stale", "waiting", "not_here")


def max_bytes():
    return settings.SYNC_MAX_BYTES


def max_members():
    return settings.SYNC_MAX_MEMBERS


# --- Keys ----------------------------------------------------------------------------------------


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(*, name, scope, by) -> tuple[IntegrationKey, str]:
    """A new key: (the row, the key itself). The key is shown once and never kept: only its hash.
    Its secret is 256 random bits, so a fast hash is enough (nothing to guess from the hash)."""
    prefix = secrets.token_hex(4)
    while IntegrationKey.objects.filter(prefix=prefix).exists():
        prefix = secrets.token_hex(4)
    plain = f"{KEY_START}_{prefix}_{secrets.token_urlsafe(32)}"
    key = IntegrationKey.objects.create(name=name, scope=scope, prefix=prefix, secret_hash=_hash(plain), created_by=by)
    return key, plain


def revoke_key(*, key, by):
    """Refuse the key from now on (kept, with its runs and changes, for the record)."""
    if key.revoked_at is None:
        key.revoked_at, key.revoked_by = timezone.now(), by
        key.save(update_fields=["revoked_at", "revoked_by"])
    return key


def key_from_header(value: str | None):
    """The key an `Authorization: Bearer msk_…` header names, if it is a key here and not revoked;
    else None. Compared in constant time, and a hash is compared even for an unknown prefix."""
    scheme, _space, plain = (value or "").partition(" ")
    parts = plain.strip().split("_", 2)  # the secret itself may hold "_"
    prefix = parts[1] if scheme.lower() == "bearer" and len(parts) == 3 and parts[0] == KEY_START else ""
    key = IntegrationKey.objects.filter(prefix=prefix).first() if prefix else None
    expected = key.secret_hash if key else _hash("no key")
    matches = hmac.compare_digest(_hash(plain.strip()), expected)
    if key is None or not matches or key.is_revoked:
        return None
    return key


def rate_limited(key) -> int:
    """Count this request against the key's limit (SYNC_RATE_LIMIT requests a minute, in the
    shared cache): 0 when it may go on, else the seconds to wait."""
    window = 60
    now = time.time()
    slot = f"sync-rate:{key.prefix}:{int(now // window)}"
    cache.add(slot, 0, timeout=window + 5)
    try:
        count = cache.incr(slot)
    except ValueError:  # expired between add and incr
        cache.set(slot, 1, timeout=window + 5)
        count = 1
    if count > settings.SYNC_RATE_LIMIT:
        return max(1, math.ceil(window - now % window))
    return 0


# --- A push --------------------------------------------------------------------------------------


@dataclass
class Push:
    """What a push did, or why it did nothing (`problems`)."""

    dry_run: bool = False
    problems: list = field(default_factory=list)
    items: list = field(default_factory=list)  # one dict per member, in the order received
    received: int = 0

    def count(self, result):
        return sum(1 for item in self.items if item["result"] == result)

    def as_json(self):
        if self.problems:
            return {
                "ok": False,
                "message": _("Nothing was saved. Please fix these and send the list again."),
                "problems": self.problems,
            }
        counts = {name: self.count(name) for name in RESULTS}
        return {
            "ok": True,
            "dry_run": self.dry_run,
            "changed": bool(counts["updated"]) and not self.dry_run,
            "received": self.received,
            "counts": counts,
            "members": self.items,
        }


class Refused(Exception):
    """Nothing is saved: the transaction is rolled back."""


def _when(value, row, problems):
    """The item's `updated_at`: an ISO 8601 date and time with its offset, not ahead of now."""
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        problems.append(
            _("Row %(row)s: updated_at “%(value)s” is not a date and time with its offset, like 2026-01-31T14:05:00Z.")
            % {"row": row, "value": _short(value)}
        )
        return None
    if when > timezone.now() + FUTURE_SLACK:
        problems.append(_("Row %(row)s: updated_at %(value)s is in the future.") % {"row": row, "value": _short(value)})
        return None
    return when


def _read_item(item, row, context, problems):
    """One member of the list: (the member as accounts.imports reads it, its updated_at), or None."""
    if not isinstance(item, dict):
        problems.append(_("Row %(row)s: each member is an object with named fields.") % {"row": row})
        return None
    unknown = [name for name in item if name not in (*FIELDS, "updated_at")]
    if unknown:
        problems.append(
            _("Row %(row)s: “%(field)s” is not a field of a member here.")
            % {"row": row, "field": _short(unknown[0], 30)}
        )
        return None
    cells = {}
    for name in (*FIELDS, "updated_at"):
        value = item.get(name)
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(_("Row %(row)s: %(field)s must be text (in quotes).") % {"row": row, "field": name})
            return None
        if "\x00" in value or len(value) > MAX_TEXT:
            problems.append(
                _("Row %(row)s: %(field)s holds a NUL character or more than %(limit)s characters.")
                % {"row": row, "field": name, "limit": MAX_TEXT}
            )
            return None
        cells[name] = value.strip()
    for required in ("membership_status", "updated_at"):
        if not cells.get(required):
            problems.append(_("Row %(row)s: %(field)s is missing.") % {"row": row, "field": required})
            return None
    when = _when(cells.pop("updated_at"), row, problems)
    member = read_member(cells, row=row, context=context, problems=problems)
    if member is None or when is None:
        return None
    return member, when


def read_push(body: bytes) -> tuple[Push, list]:
    """Check the whole push: (the push, with any problems; [(row, member, updated_at)])."""
    push, members = Push(), []
    problems = push.problems
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):  # RecursionError: [[[[… built to exhaust the parser
        problems.append(_('The body is not JSON (UTF-8). Send an object like {"members": [...]}.'))
        return push, members
    if not isinstance(data, dict) or not isinstance(data.get("members"), list) or set(data) - {"members", "dry_run"}:
        problems.append(_("The body must be an object with a list “members” (and, if you like, “dry_run”)."))
        return push, members
    if not isinstance(data.get("dry_run", False), bool):
        problems.append(_("dry_run must be true or false."))
        return push, members
    push.dry_run = data.get("dry_run", False)
    push.received = len(data["members"])
    if not data["members"]:
        problems.append(_("The list of members is empty."))
    elif push.received > max_members():
        problems.append(
            _("The list has %(count)s members; at most %(limit)s are accepted at once. Send it in parts.")
            % {"count": push.received, "limit": max_members()}
        )
    if problems:
        return push, members
    context = ReadingContext.now()
    for row, item in enumerate(data["members"], start=1):
        if len(problems) >= MAX_PROBLEMS:
            problems.append(_("…and there may be more: fix these first, then send the list again."))
            break
        read = _read_item(item, row, context, problems)
        if read is not None:
            members.append((row, *read))
    return push, members


def _lock_waiting(*, emails, member_numbers):
    """The waiting members with these addresses or numbers, locked: ({email: w}, {number: w})."""
    rows = WaitingMember.objects.select_for_update().filter(
        Q(email__in=emails) | Q(member_number__in=[n for n in member_numbers if n])
    )
    rows = list(rows.order_by("pk"))
    return {w.email: w for w in rows}, {w.member_number: w for w in rows if w.member_number}


def _confirmed_only(by_email):
    """The profiles found by address whose account has confirmed it. An account whose address
    is not confirmed yet is treated as no account: whoever signed up with someone else's address
    must not receive their membership, nor the member number the identity provider links
    accounts by. The member waits, and is applied when the address is confirmed."""
    from allauth.account.models import EmailAddress

    confirmed = {
        (user_id, email.lower())
        for user_id, email in EmailAddress.objects.filter(
            verified=True, user_id__in=[p.user_id for p in by_email.values()]
        ).values_list("user_id", "email")
    }
    return {email: p for email, p in by_email.items() if (p.user_id, email) in confirmed}


def _waiting_for(row, member, waiting_by_email, waiting_by_number, problems):
    """The waiting record this member is (None for a new one, or False when refused): a number or
    an address sent earlier for someone else is refused, as it is for members with an account."""
    by_number = waiting_by_number.get(member.member_number) if member.member_number else None
    by_email = waiting_by_email.get(member.email) if member.email else None
    if by_number is not None and member.email and by_number.email != member.email:
        problems.append(
            _("Row %(row)s: member number %(number)s was sent earlier for another address, not %(email)s.")
            % {"row": row, "number": member.member_number, "email": member.email}
        )
        return False
    if by_email is not None and member.member_number and by_email.member_number not in ("", member.member_number):
        problems.append(
            _("Row %(row)s: %(email)s was sent earlier with member number %(held)s, not %(number)s.")
            % {"row": row, "email": member.email, "held": by_email.member_number, "number": member.member_number}
        )
        return False
    return by_number or by_email


def _resolve(members, problems):
    """Find (and lock) each member's profile, or else their waiting record:
    [(row, member, updated_at, profile or None, waiting member or None)]."""
    emails = [m.email for _r, m, _w in members if m.email]
    numbers = [m.member_number for _r, m, _w in members if m.member_number]
    by_email, by_number = lock_profiles(emails=emails, member_numbers=numbers)
    by_email = _confirmed_only(by_email)
    waiting_by_email, waiting_by_number = _lock_waiting(emails=emails, member_numbers=numbers)
    found, seen, seen_waiting = [], {}, {}
    for row, member, when in members:
        profile = by_number.get(member.member_number) if member.member_number else None
        holder = by_email.get(member.email) if member.email else None
        if profile and holder and profile != holder:
            problems.append(
                _("Row %(row)s: member number %(number)s is another member’s here, not %(email)s’s.")
                % {"row": row, "number": member.member_number, "email": member.email}
            )
            continue
        if profile is None and holder is not None:
            held = holder.member_number
            if member.member_number and held and held != member.member_number:
                problems.append(
                    _("Row %(row)s: %(email)s has member number %(held)s here, not %(number)s.")
                    % {"row": row, "email": member.email, "held": held, "number": member.member_number}
                )
                continue
            profile = holder
        if profile is not None and profile.pk in seen:
            problems.append(
                _("Row %(row)s: this is the same member as row %(first)s.") % {"row": row, "first": seen[profile.pk]}
            )
            continue
        if profile is not None:
            seen[profile.pk] = row
            found.append((row, member, when, profile, None))
            continue
        waiting = _waiting_for(row, member, waiting_by_email, waiting_by_number, problems)
        if waiting is False:
            continue
        if waiting is not None and waiting.pk in seen_waiting:
            problems.append(
                _("Row %(row)s: this is the same member as row %(first)s.")
                % {"row": row, "first": seen_waiting[waiting.pk]}
            )
            continue
        if waiting is not None:
            seen_waiting[waiting.pk] = row
        found.append((row, member, when, None, waiting))
    return found


def _as_text(name, value, places):
    if value is None:
        return ""
    if name == "association_id":
        return places.get(value, str(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def push_members(*, body: bytes, key, again=True) -> Push:
    """Check and apply a push from `key`, all or nothing, and record it (a SyncRun, and a
    MemberChange for each field changed). `again`: whether a clash with a push saving the same
    new waiting member at the same moment is retried (once)."""
    push, members = read_push(body)
    if not push.problems and key.scope == IntegrationKey.Scope.CHECK and not push.dry_run:
        push.problems.append(_("This key may only check changes: send “dry_run”: true, or use a key that may push."))
    if push.problems:
        record_refusal(key=key, problems=push.problems, received=push.received)
        return push
    try:
        with transaction.atomic():
            found = _resolve(members, push.problems)
            if push.problems:
                raise Refused
            states = {
                s.profile_id: s
                for s in MemberSyncState.objects.select_for_update().filter(
                    profile__in=[p for *_rest, p, _w in found if p is not None]
                )
            }
            pairs, items, waits = [], {}, []
            for row, member, when, profile, waiting in found:
                item = {"row": row, "member_number": member.member_number, "email": member.email}
                items[row] = item
                state = states.get(profile.pk) if profile else None
                if profile is None and waiting is not None and when < waiting.as_of:
                    item["result"], item["held_as_of"] = "stale", waiting.as_of.isoformat()
                elif profile is None and member.email:
                    item["result"] = "waiting"
                    waits.append((member, when, waiting))
                elif profile is None:
                    item["result"] = "not_here"  # a number alone: no address to wait on
                elif state is not None and when < state.as_of:
                    item["result"], item["held_as_of"] = "stale", state.as_of.isoformat()
                else:
                    item["result"] = "unchanged"
                    pairs.append((row, profile, member.values, when))
            changes = apply_member_values([(profile, values) for _row, profile, values, _when in pairs])
            changed = {profile.pk: differences for profile, differences in changes}
            run = SyncRun.objects.create(
                key=key,
                outcome=SyncRun.Outcome.CHECKED if push.dry_run else SyncRun.Outcome.APPLIED,
                received=push.received,
            )
            places = dict(LocalAssociation.objects.values_list("pk", "name"))
            log = []
            for row, profile, _values, when in pairs:
                differences = changed.get(profile.pk, [])
                if differences:
                    items[row]["result"] = "updated"
                    items[row]["changed"] = [
                        "local_association" if n == "association_id" else n for n, _old, _new in differences
                    ]
                    log += [
                        MemberChange(
                            profile=profile,
                            run=run,
                            key=key,
                            field=n,
                            old=_as_text(n, old, places)[:120],
                            new=_as_text(n, new, places)[:120],
                        )
                        for n, old, new in differences
                    ]
                state = states.get(profile.pk)
                if state is None:
                    states[profile.pk] = MemberSyncState.objects.create(profile=profile, as_of=when)
                elif when > state.as_of:
                    state.as_of = when
                    state.save(update_fields=["as_of"])
            MemberChange.objects.bulk_create(log)
            _keep_waiting(waits, key=key)
            push.items = [items[row] for row in sorted(items)]
            for name in RESULTS:
                setattr(run, name, push.count(name))
            run.save()
            if push.dry_run:
                raise Refused  # checked: everything is undone, the run is recorded below
    except IntegrityError:
        # Another push kept the same new waiting member (address or number) between our look and
        # our save; it is committed now, so this push is read again and meets it (stale rule,
        # number rules). A second clash is not expected: it is raised.
        if again:
            return push_members(body=body, key=key, again=False)
        raise
    except Refused:
        if push.problems:
            record_refusal(key=key, problems=push.problems, received=push.received)
            push.items = []
            return push
        SyncRun.objects.create(
            key=key,
            outcome=SyncRun.Outcome.CHECKED,
            received=push.received,
            **{name: push.count(name) for name in RESULTS},
        )
    return push


def _stored(values):
    """A member's values as a waiting record keeps them (JSON: dates as 2026-01-31)."""
    return {n: v.isoformat() if isinstance(v, date) else v for n, v in values.items()}


def _keep_waiting(waits, *, key):
    """Create or bring up to date the waiting records of members without an account here. What a
    later push does not carry is kept, as it is on a profile."""
    for member, when, waiting in waits:
        if waiting is None:
            waiting = WaitingMember(email=member.email, values={}, as_of=when)
        waiting.values = {**waiting.values, **_stored(member.values)}
        waiting.member_number = member.member_number or waiting.member_number
        waiting.as_of, waiting.key = max(when, waiting.as_of), key
        waiting.save()  # also refreshes updated_at: kept SYNC_WAITING_DAYS from now


def _values_from(waiting, profile):
    """The waiting record's values to set on the profile: dates read back, a local association
    deleted meanwhile left out, and a member number left out when the profile has another one
    (the identity provider's, say) or another member holds it here now."""
    values = dict(waiting.values)
    for name in ("member_since", "renewal_date"):
        if values.get(name):
            values[name] = date.fromisoformat(values[name])
    if "association_id" in values and not LocalAssociation.objects.filter(pk=values["association_id"]).exists():
        del values["association_id"]
    number = values.get("member_number")
    if number and (
        profile.member_number not in ("", number)
        or Profile.objects.filter(member_number=number).exclude(pk=profile.pk).exists()
    ):
        del values["member_number"]
    return values


def apply_waiting(*, user):
    """The member's account exists: if a push left membership data waiting for its address, and
    that address is confirmed, set it on the profile (logged as the push would have logged it,
    unless the profile already knows a newer state), then forget the waiting record. An
    unconfirmed address gets nothing: whoever typed someone else's address must not receive
    their membership. Called from allauth's signals (apps.py): a confirmed address, a new account."""
    from allauth.account.models import EmailAddress

    from accounts.services import create_profile

    email = (user.email or "").lower()
    if not email or not EmailAddress.objects.filter(user=user, email__iexact=email, verified=True).exists():
        return []
    with transaction.atomic():
        waiting = WaitingMember.objects.select_for_update().filter(email=email).first()
        if waiting is None:
            return []
        profile = Profile.objects.select_for_update().get(pk=create_profile(user=user).pk)
        state = MemberSyncState.objects.select_for_update().filter(profile=profile).first()
        changes = []
        if state is None or waiting.as_of > state.as_of:
            changes = apply_member_values([(profile, _values_from(waiting, profile))])
            places = dict(LocalAssociation.objects.values_list("pk", "name"))
            MemberChange.objects.bulk_create(
                MemberChange(
                    profile=profile,
                    key=waiting.key,
                    field=n,
                    old=_as_text(n, old, places)[:120],
                    new=_as_text(n, new, places)[:120],
                )
                for _profile, differences in changes
                for n, old, new in differences
            )
            MemberSyncState.objects.update_or_create(profile=profile, defaults={"as_of": waiting.as_of})
        waiting.delete()
    return changes


def forget_waiting_members(*, now=None):
    """Delete the waiting records no push has named for SYNC_WAITING_DAYS: the personal data of
    people who have not joined, kept no longer than needed. Returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SYNC_WAITING_DAYS)
    deleted, _by_model = WaitingMember.objects.filter(updated_at__lt=cutoff).delete()
    return deleted


def log_import_changes(*, changes, by):
    """The membership list import's changes (accounts.imports), in the same change log as pushes."""
    places = dict(LocalAssociation.objects.values_list("pk", "name"))
    MemberChange.objects.bulk_create(
        MemberChange(
            profile=profile,
            by=by,
            field=n,
            old=_as_text(n, old, places)[:120],
            new=_as_text(n, new, places)[:120],
        )
        for profile, differences in changes
        for n, old, new in differences
    )


def record_refusal(*, key, problems, received=0):
    """A refused push, for the staff page: its problems as the integration was told them."""
    return SyncRun.objects.create(
        key=key,
        outcome=SyncRun.Outcome.REFUSED,
        received=received,
        problems=[str(p) for p in problems][: MAX_PROBLEMS + 1],
    )


def note_use(key):
    IntegrationKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


# --- The staff page ------------------------------------------------------------------------------


def overview(*, days=30):
    """For the staff page: the last push, the totals of the last `days` days, recent refusals."""
    since = timezone.now() - timedelta(days=days)
    runs = SyncRun.objects.filter(at__gte=since)
    totals = runs.exclude(outcome=SyncRun.Outcome.REFUSED).aggregate(
        pushes=Count("id"),
        received=Sum("received"),
        updated=Sum("updated"),
        unchanged=Sum("unchanged"),
        stale=Sum("stale"),
        waiting=Sum("waiting"),
        not_here=Sum("not_here"),
    )
    totals = {name: value or 0 for name, value in totals.items()}
    totals["refused"] = runs.filter(outcome=SyncRun.Outcome.REFUSED).count()
    return {
        "last": SyncRun.objects.select_related("key").first(),
        "totals": totals,
        "days": days,
        "waiting_now": WaitingMember.objects.count(),  # a count only: who they are is never shown
        "waiting_days": settings.SYNC_WAITING_DAYS,
        "refusals": list(SyncRun.objects.filter(outcome=SyncRun.Outcome.REFUSED).select_related("key")[:10]),
        "changes": list(MemberChange.objects.select_related("profile__user", "key")[:50]),
    }
