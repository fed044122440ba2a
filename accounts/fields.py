"""Confidential free text, encrypted at rest (django-fernet-encrypted-fields), failing loudly.

The library returns the stored ciphertext when no key opens it, so a changed SECRET_KEY or
FIELD_ENCRYPTION_KEYS showed "gAAAAAB..." on pages that answered 200, and a re-encryption then
encrypted the ciphertext. Here a value that no key opens stops the request with an error that is
logged, and `check_keys` (a system check, also run when the site starts) refuses to serve."""

import logging

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core import checks
from django.db import DatabaseError
from encrypted_fields.fields import EncryptedTextField

log = logging.getLogger(__name__)

ROTATION = (
    "SECRET_KEY or FIELD_ENCRYPTION_KEYS changed without the rotation steps: put the old keys back "
    "(the old SECRET_KEY in SECRET_KEY_FALLBACKS, old field keys after the new one), see the README, "
    "'Rotating the keys'."
)


class UnreadableConfidentialData(Exception):
    """Stored confidential text that none of the configured keys can decrypt."""


class ConfidentialTextField(EncryptedTextField):
    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        try:
            return self.f.decrypt(value.encode()).decode()
        except (InvalidToken, UnicodeEncodeError):
            where = f"{self.model._meta.label}.{self.name}"
            log.error("Confidential data in %s cannot be decrypted with the configured keys. %s", where, ROTATION)
            raise UnreadableConfidentialData(
                f"{where} cannot be decrypted with the configured keys. {ROTATION}"
            ) from None


def confidential_fields():
    """(model, field name) for every confidential field of every app."""
    return [
        (model, field.name)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, ConfidentialTextField)
    ]


def unreadable_fields() -> list[str]:
    """The confidential fields whose newest stored value the keys cannot read (one query each)."""
    unreadable = []
    for model, name in confidential_fields():
        try:
            model._default_manager.exclude(**{f"{name}__isnull": True}).order_by("-pk").values_list(
                name, flat=True
            ).first()
        except UnreadableConfidentialData:
            unreadable.append(f"{model._meta.label}.{name}")
    return unreadable


@checks.register(checks.Tags.database)
def check_keys(app_configs=None, databases=None, **kwargs):
    """`manage.py check --database default` (the upgrade runs it): the keys read the data."""
    if not databases:
        return []
    try:
        unreadable = unreadable_fields()
    except DatabaseError:  # no tables yet (a fresh database): nothing to read
        return []
    return [
        checks.Error(f"{where} cannot be decrypted with the configured keys.", hint=ROTATION, id="mentoring.E001")
        for where in unreadable
    ]


def refuse_to_serve_with_wrong_keys():
    """Called as the site starts (config/wsgi.py): better no site than one showing ciphertext, or
    failing on every confidential page."""
    try:
        unreadable = unreadable_fields()
    except DatabaseError as exc:  # the database is not reachable yet: the requests will say so
        log.warning("The encryption keys could not be checked at start-up: %s", exc)
        return
    if unreadable:
        raise UnreadableConfidentialData(f"{', '.join(unreadable)} cannot be decrypted. {ROTATION}")
