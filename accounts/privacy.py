"""A member's own data: "Download my data" and "Erase my account".

Each app knows the personal data it keeps, in its own `privacy.py`, and hands its functions to
this module with `register(...)` from its AppConfig.ready() (accounts sits below every app and never
imports them). The hooks, each optional, called in INSTALLED_APPS order:

    lock(user)                      rows to lock before looking (a match approved meanwhile waits)
    blockers(user) -> [str]         what must happen first, in words
    export(user) -> {section: ...}  the member's own records
    erase(user, *, secrets, addresses, nearby)   remove them. `secrets`: the full names and
                                    addresses, redacted wherever any record mentions them (done
                                    for every model here too, so a model added later is covered);
                                    `nearby`: those and the first and last name alone, redacted in
                                    the records of the member's own partnerships. Both hold every
                                    name the member had (earlier names are kept, `note_earlier_name`)
    expire_partnership(partnership, *, user, names)   record expiry (retention): the member's part
    expire_application(application, *, names)          of a finished record

The download holds what the member gave or was given to read. Never their partner's answers, the
committee's vetting notes, follow-up notes or the reasons a partnership ended: those are the
committee's alone.

Erasing anonymises instead of deleting rows: the name, email addresses, free text and sign-in
methods go; the counts (applications, partnerships, satisfaction scores) stay, so that the
program reports' totals do not change."""

import json
import re

from auditlog.models import LogEntry as AuditEntry
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, JSONField, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _
from encrypted_fields.fields import EncryptedFieldMixin

from outbox import suppression
from outbox.models import OutgoingEmail

from .models import LeadershipRole, Profile, User

EXPIRED = "(removed: kept no longer than needed)"  # record expiry (retention)
REMOVED = "(removed at the member's request)"
# What an erased member is called, and what replaces a name: never itself a name to remove.
PLACEHOLDER_FIRST, PLACEHOLDER_LAST = "Former", "member"
PLACEHOLDER = f"{PLACEHOLDER_FIRST} {PLACEHOLDER_LAST}"
NOT_NAMES = {PLACEHOLDER, PLACEHOLDER_FIRST, PLACEHOLDER_LAST}

PROFILE_TEXT = ("employer", "job_title", "phone", "leadership_roles", "bio")


def day(value):
    return value.isoformat() if value else None


HOOKS = ("lock", "blockers", "export", "erase", "expire_partnership", "expire_application")
_registry: dict[str, dict] = {}  # app label -> {hook: function}


def register(app_label, **hooks):
    """An app's part of "Download my data", "Erase my account" and record expiry (the HOOKS);
    called from its AppConfig.ready()."""
    unknown = set(hooks) - set(HOOKS)
    if unknown:
        raise TypeError(f"Unknown privacy hooks: {sorted(unknown)}")
    _registry[app_label] = hooks


def parts(hook):
    """The `hook` function of every app that registered one, in INSTALLED_APPS order."""
    found = []
    for config in apps.get_app_configs():
        function = _registry.get(config.label, {}).get(hook)
        if function is not None:
            found.append(function)
    return found


def export_member_data(user) -> dict:
    """Everything of the member's own, as plain data (dates as ISO strings)."""
    profile = Profile.objects.filter(user=user).select_related("association").first()
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "joined": user.date_joined.isoformat(),
            "email_addresses": list(user.emailaddress_set.values_list("email", flat=True)),
        },
        "profile": None
        if profile is None
        else {
            "local_association": profile.association.name if profile.association else None,
            **{name: getattr(profile, name) for name in PROFILE_TEXT},
            "years_in_profession": profile.years_in_profession,
            "member_since": day(profile.member_since),
            "membership_status": profile.get_membership_status_display(),
            "renewal_date": day(profile.renewal_date),
            "member_number": profile.member_number,
        },
        "leadership_roles": [
            {
                "role": role.name,
                "where": role.organisation,
                "from": day(role.started_on),
                "until": day(role.ended_on),
            }
            for role in LeadershipRole.objects.filter(user=user).order_by("started_on", "pk")
        ],
    }
    for export in parts("export"):
        data |= export(user)
    return data


def erasure_blockers(user) -> list:
    """What must happen before the account can be erased, in words; empty when nothing."""
    blockers = [message for part in parts("blockers") for message in part(user)]
    if user.is_staff:
        blockers.append(_("Staff accounts are closed by another member of staff, in the administration."))
    return blockers


@transaction.atomic
def erase_member(user) -> User:
    """Anonymise the member: name, addresses, free text and sign-in methods removed; counts kept."""
    user = User.objects.select_for_update().get(pk=user.pk)
    for lock in parts("lock"):
        lock(user)
    blockers = erasure_blockers(user)
    if blockers:
        raise ValidationError(blockers)
    old_email, old_names = user.email, {user.get_full_name(), str(user)} - {""}
    earlier = earlier_names(user)
    old_names |= {f"{first} {last}".strip() for first, last in earlier} - {""}
    parts_of_names = {name.strip() for pair in [(user.first_name, user.last_name), *earlier] for name in pair}
    addresses = {old_email, *user.emailaddress_set.values_list("email", flat=True)}
    user.email = f"erased-{user.pk}@erased.invalid"
    user.first_name, user.last_name = PLACEHOLDER_FIRST, PLACEHOLDER_LAST
    user.is_active = False
    user.set_unusable_password()  # also ends every session: their hash no longer matches
    user.save()
    user.emailaddress_set.all().delete()
    suppression.forget(addresses=addresses)  # what the email provider said of their addresses
    user.authenticator_set.all().delete()
    LeadershipRole.objects.filter(user=user).delete()
    Profile.objects.filter(user=user).update(
        **dict.fromkeys(PROFILE_TEXT, ""),
        years_in_profession=None,
        member_since=None,
        member_number="",
        updated_at=timezone.now(),
    )
    secrets = addresses | old_names
    nearby = secrets | {name for name in parts_of_names if len(name) > 1}
    for erase in parts("erase"):
        erase(user, secrets=secrets, addresses=addresses, nearby=nearby)
    redact_everywhere(secrets)
    _scrub_logs(user, secrets)
    _earlier_names(user).delete()  # kept only to find them here
    return user


EARLIER_NAME = "a change of name"  # the audit entry that keeps a member's earlier name


def note_earlier_name(user, *, first_name, last_name):
    """A member changed their name (the user has the new one; `first_name` and `last_name` are the
    earlier one): it is kept in the audit log, so that erasing the account finds it wherever it
    was written while they had it (emails, others' notes)."""
    if (first_name, last_name) == (user.first_name, user.last_name):
        return
    AuditEntry.objects.create(
        content_type=ContentType.objects.get_for_model(User),
        object_pk=str(user.pk),
        object_id=user.pk,
        object_repr=EARLIER_NAME,
        action=AuditEntry.Action.UPDATE,
        changes={"first_name": [first_name, user.first_name], "last_name": [last_name, user.last_name]},
    )


def _earlier_names(user):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_pk=str(user.pk), object_repr=EARLIER_NAME
    )


def earlier_names(user) -> list:
    """(first name, last name) of each name the member had before the one they have now."""
    names = []
    for entry in _earlier_names(user):
        changes = entry.changes if isinstance(entry.changes, dict) else json.loads(entry.changes or "{}")
        first, last = changes.get("first_name", [""])[0], changes.get("last_name", [""])[0]
        names.append((first or "", last or ""))
    return names


def unfolded(value):
    """An attachment's text as it reads: calendar files fold long lines (RFC 5545); unfolded, a
    word written across a fold can be found."""
    return value.replace("\r\n ", "").replace("\r\n\t", "")


def in_calendar_form(words):
    """The words and the form a calendar file writes them in (commas, semicolons and line breaks
    escaped)."""
    escaped = {w.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n") for w in words}
    return set(words) | escaped


def redact_emails(emails, words):
    """The words (names, the member's own text) out of these outbox rows: subject, body and the
    attachments (calendar files unfolded first)."""
    words = names_only(in_calendar_form(words))
    if not words:
        return
    for email in emails.only("pk", "subject", "body", "attachments"):
        attachments = [
            {**a, "content": unfolded(a["content"])} if isinstance(a, dict) and isinstance(a.get("content"), str) else a
            for a in email.attachments
        ]
        changed = {
            "subject": replace(email.subject, words),
            "body": replace(email.body, words),
            "attachments": replace(attachments, words),
        }
        if changed["attachments"] == attachments:
            changed["attachments"] = email.attachments  # nothing of theirs: left as it was
        if any(changed[k] != getattr(email, k) for k in changed):
            type(email).objects.filter(pk=email.pk).update(**changed)


def names_only(secrets):
    """The secrets, longest first, without the placeholder and its words (an erased member's
    "name", which must never be taken for one)."""
    return sorted((x for x in secrets if x and x.strip() not in NOT_NAMES), key=len, reverse=True)


def redact(queryset, fields, secrets):
    """Replace the secrets (names, addresses) in these text fields, in the rows that hold one."""
    secrets = names_only(secrets)
    if not secrets:
        return
    holding = Q()
    as_text = {f"redact_{field}": Cast(field, TextField()) for field in fields}  # JSON too, on every database
    for name in as_text:
        for secret in secrets:
            holding |= Q(**{f"{name}__contains": secret})
    for row in queryset.annotate(**as_text).filter(holding):
        changed = {}
        for field in fields:
            value = replace(getattr(row, field), secrets)
            if value != getattr(row, field):
                changed[field] = value
        if changed:
            type(row).objects.filter(pk=row.pk).update(**changed)


def redact_everywhere(secrets):
    """The names and addresses, wherever any of the project's models holds them in free text:
    every text and JSON column of every model of the apps in this repository, encrypted ones
    included (decrypted row by row, since the database cannot search them)."""
    project = str(settings.BASE_DIR)
    for config in apps.get_app_configs():
        if not config.path.startswith(project):
            continue
        for model in config.get_models():
            plain, encrypted = [], []
            for field in model._meta.concrete_fields:
                if field.choices or field.unique or field.primary_key:
                    continue
                if isinstance(field, EncryptedFieldMixin):
                    encrypted.append(field.name)
                elif isinstance(field, CharField | TextField | JSONField):
                    plain.append(field.name)
            if plain:
                redact(model._default_manager.all(), plain, secrets)
            for name in encrypted:
                redact_encrypted(model._default_manager.exclude(**{f"{name}__isnull": True}), name, secrets)


def redact_encrypted(queryset, field, secrets):
    """`redact` for an encrypted column: each row is read (decrypted) and written back if it
    held a secret."""
    secrets = names_only(secrets)
    for row in queryset.only("pk", field).iterator(chunk_size=2000):
        value = getattr(row, field)
        changed = replace(value, secrets)
        if changed != value:
            setattr(row, field, changed)
            row.save(update_fields=[field])


def replace(value, secrets):
    """The value with every secret replaced, walking into JSON (lists and dicts). One pass, the
    longest secret first: the placeholder put in is never read again as a name."""
    secrets = names_only(secrets)
    if not secrets:
        return value
    return _replace(value, re.compile("|".join(re.escape(secret) for secret in secrets)))


def _replace(value, pattern):
    if isinstance(value, str):
        return pattern.sub(PLACEHOLDER, value)
    if isinstance(value, list):
        return [_replace(v, pattern) for v in value]
    if isinstance(value, dict):
        return {k: _replace(v, pattern) for k, v in value.items()}
    return value


def _scrub_logs(user, secrets):
    """The records keep what happened, not who they were: their name and addresses wherever they
    were written into the audit log and the admin's log, and their IP address in the entries of
    their own actions."""
    AuditEntry.objects.filter(actor=user).update(remote_addr=None, remote_port=None, actor_email="")
    redact(AuditEntry.objects.all(), ("object_repr", "changes_text", "changes", "serialized_data"), secrets)
    redact(AdminEntry.objects.all(), ("object_repr", "change_message"), secrets)


def expire_emails(keys):
    """The emails to the member whose part expires (`keys`, a Q on the keys of their emails alone,
    whatever address they went to): the row and its key stay, so that nothing is sent twice; the
    words go. One not sent yet is not sent any more (it is marked failed, with the reason)."""
    emails = OutgoingEmail.objects.filter(keys).exclude(subject=EXPIRED)
    emails.filter(status=OutgoingEmail.Status.PENDING).update(
        status=OutgoingEmail.Status.FAILED, last_error="Not sent: the record it was about has expired."
    )
    emails.update(subject=EXPIRED, body="", headers={}, attachments=[])
