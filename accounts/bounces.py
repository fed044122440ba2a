"""The email provider's bounces and complaints, and the member's address: the glue between
anymail's `tracking` signal, allauth's address signals and outbox.suppression (accounts sits
above the outbox and knows who the members are).

Which addresses are suppressed: a hard bounce or a complaint about an address that is a
member's (their account's address, or one they added) now. An event about any other address
(an email of ours to someone who has since changed their address, one sent by another system
on the same provider account, a forged or mistaken event that still passed the webhook's
checks) stores nothing: it would only keep a stranger's address, and nothing is sent to an
address no member has. The metadata we send with each email ("outbox-12", "feedback-34") is
kept with the suppression, to say which email bounced. Soft bounces (anymail's "deferred") and
everything else change nothing: the provider tries again itself.
"""

import logging

from allauth.account.models import EmailAddress
from anymail.signals import EventType

from outbox import suppression
from outbox.models import Suppression

from .models import User

log = logging.getLogger(__name__)

REASONS = {EventType.BOUNCED: Suppression.Reason.BOUNCED, EventType.COMPLAINED: Suppression.Reason.COMPLAINED}
# Bounces anymail calls "bounced" that say nothing of the address: Postmark's soft bounce (it
# may still deliver) and virus notice, SendGrid's "blocked" (the receiving server's policy).
SOFT = {("Postmark", "Type"): {"SoftBounce", "VirusNotification"}, ("SendGrid", "type"): {"blocked"}}


def _soft(event, esp_name) -> bool:
    said = event.esp_event if isinstance(event.esp_event, dict) else {}
    return any(said.get(field) in values for (esp, field), values in SOFT.items() if esp == esp_name)


def is_members_address(address) -> bool:
    address = suppression.normal(address)
    return bool(address) and (
        User.objects.filter(email__iexact=address).exists()
        or EmailAddress.objects.filter(email__iexact=address).exists()
    )


def on_tracking(sender, event, esp_name, **kwargs):
    """anymail's tracking signal (one per event of the webhook's request)."""
    reason = REASONS.get(event.event_type)
    if reason is None or (reason == Suppression.Reason.BOUNCED and _soft(event, esp_name)):
        return
    if not is_members_address(event.recipient):
        log.info("A %s event from %s about an address that is no member's: ignored", event.event_type, esp_name)
        return
    suppression.suppress(
        address=event.recipient,
        reason=reason,
        occurred_at=event.timestamp,
        provider=esp_name,
        event_id=suppression.event_key(event),
        email=str((event.metadata or {}).get("email", "")),
    )


def on_email_confirmed(sender, request, email_address, **kwargs):
    """The member confirmed the address (again): they say it works."""
    suppression.lift(addresses=[email_address.email])


def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    """A new address: neither the old one (no longer theirs) nor the new one stays suppressed."""
    suppression.lift(addresses=[a.email for a in (from_email_address, to_email_address) if a is not None])
