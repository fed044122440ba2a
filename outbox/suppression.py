"""Addresses the email provider reported as bounced (hard) or complained about: nothing more is
sent to them, on any path (the outbox's job, feedback's own sending), until the member changes
or confirms their address (accounts.bounces lifts it then).

The provider's tracking webhook (outbox.webhooks) hands each event to anymail's `tracking`
signal; accounts.bounces decides whether the address is one of ours and calls `suppress`.
"""

import hashlib
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from .models import Suppression

log = logging.getLogger(__name__)

# Emails the member asked for themselves a moment ago (allauth's: confirm your address, reset
# your password) go out even to a suppressed address: confirming it is how the suppression ends.
ASKED_FOR = "account:"


def normal(address) -> str:
    return (address or "").strip().lower()


def event_key(event) -> str:
    """The provider's id for the event; a digest of what the event says when it gives none
    (Brevo), so that the same event sent twice is still one event."""
    if event.event_id:
        return str(event.event_id)[:200]
    said = "|".join(str(x) for x in (event.event_type, normal(event.recipient), event.timestamp, event.message_id))
    return "digest:" + hashlib.sha256(said.encode()).hexdigest()


def suppress(*, address, reason, occurred_at, provider, event_id, email="") -> Suppression | None:
    """Suppress `address` for this event; None when nothing changed: the event was seen already
    (a replay), or the address is suppressed already (its first event stays the one shown)."""
    address = normal(address)
    try:
        # The constraints say no: suppression_once_per_event (a replay, or two deliveries of one
        # event at once) and suppression_once_per_address (suppressed already).
        with transaction.atomic():
            return Suppression.objects.create(
                address=address,
                reason=reason,
                occurred_at=occurred_at or timezone.now(),
                provider=provider[:30],
                event_id=event_id,
                email=(email or "")[:100],
            )
    except IntegrityError:
        return None


def lift(*, addresses) -> int:
    """The member changed or confirmed their address: emails to it go out again. The row keeps
    the event (so that its replay is known) and forgets the address."""
    addresses = {normal(a) for a in addresses} - {""}
    if not addresses:
        return 0
    return Suppression.objects.active().filter(address__in=addresses).update(address="", lifted_at=timezone.now())


def forget(*, addresses) -> int:
    """Erasure: the member's suppressions, whatever their state, are deleted."""
    addresses = {normal(a) for a in addresses} - {""}
    return Suppression.objects.filter(address__in=addresses).delete()[0] if addresses else 0


def suppressed(addresses) -> dict:
    """{address (lower case): its Suppression} for those of `addresses` that are suppressed; one query."""
    addresses = {normal(a) for a in addresses} - {""}
    if not addresses:
        return {}
    return {s.address: s for s in Suppression.objects.active().filter(address__in=addresses)}


def not_sent_note(suppression) -> str:
    """What an email held for this suppression says in its last_error (for staff, in English as
    the outbox's other notes)."""
    with translation.override("en"):
        on = date_format(timezone.localtime(suppression.occurred_at), "j F Y")
    if suppression.reason == Suppression.Reason.COMPLAINED:
        return f"Not sent: this address marked our emails as spam on {on}."
    return f"Not sent: this address bounced on {on}."
