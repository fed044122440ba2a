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
import uuid

from allauth.account.models import EmailAddress
from anymail.signals import EventType
from django.conf import settings
from django.core import signing
from django.urls import reverse

from outbox import suppression
from outbox.emails import queue_email
from outbox.models import Suppression

from .language import language_of
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
    """The member confirmed an address (a new one, or one not verified yet): it works."""
    suppression.lift(addresses=[email_address.email])


def on_email_changed(sender, request, user, from_email_address, to_email_address, **kwargs):
    """A new address: neither the old one (no longer theirs) nor the new one stays suppressed."""
    suppression.lift(addresses=[a.email for a in (from_email_address, to_email_address) if a is not None])


# "My address works": allauth confirms (and signals email_confirmed for) only an address that is
# not verified yet, and a bounced address usually is verified. So the member asks for a check
# email (it goes to the suppressed address: outbox.suppression.ASKED_FOR), and its link, which
# only someone who received it has, confirms the address again.
CHECK_SALT = "accounts.address-works"
CHECK_DAYS = 7


def send_address_check(*, user) -> bool:
    """Email the member a link that says their address works; False if it is not suppressed."""
    found = suppression.suppressed([user.email]).get(suppression.normal(user.email))
    if found is None:
        return False
    token = signing.dumps({"s": found.pk, "a": found.address}, salt=CHECK_SALT, compress=True)
    queue_email(
        key=f"{suppression.ASKED_FOR}address-check:{uuid.uuid4().hex}",
        to=user.email,
        template="address_check",
        context={"person": user, "link": settings.SITE_URL + reverse("accounts:address_works", args=[token])},
        language=language_of(user),
    )
    return True


def read_address_check(token) -> Suppression | None:
    """The suppression a check link lifts; None for a link altered, expired, or used already."""
    if len(token) > 500:
        return None
    try:
        said = signing.loads(token, salt=CHECK_SALT, max_age=CHECK_DAYS * 24 * 3600)
        return Suppression.objects.active().get(pk=int(said["s"]), address=said["a"])
    except (signing.BadSignature, Suppression.DoesNotExist, KeyError, TypeError, ValueError):
        return None


def confirm_address_works(*, found) -> int:
    """The member followed the check link: the email reached them, so their emails go again."""
    return suppression.lift(addresses=[found.address])
