"""The email outbox: written in the caller's transaction, sent by a job, each exactly once."""

from django.db import models
from django.db.models import OuterRef
from django.db.models.functions import Lower


class OutgoingEmail(models.Model):
    """The outbox. A request writes a row in its transaction; the mailer job sends it once.

    The key makes queuing idempotent (a retried request queues nothing new). Sending claims the
    row with a conditional update (pending -> sending), sends, then marks it sent: two workers
    never both send it. A row left in "sending" (the worker died while it was in hand, so it may
    or may not have gone out) is sent once more, saying so (`in_doubt`); never a third time.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SUPPRESSED = "suppressed", "Not sent: the address bounced"

    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # Extra headers (e.g. List-Unsubscribe) and attachments ({"filename", "content", "mimetype"},
    # text only, e.g. a calendar invitation).
    headers = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(default=list, blank=True)
    in_doubt = models.BooleanField(default=False)
    # The language it is written in (the recipient's), for the in-doubt note of a second sending;
    # blank: the site's.
    language = models.CharField(max_length=10, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    # After a failed try: not claimed again before this (outbox.emails.retry_delay).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # How it looks and who it is from (outbox.brands); none: the site's own look.
    brand = models.ForeignKey("Brand", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self):
        return f"{self.subject} to {self.to} ({self.status})"


class SuppressionQuerySet(models.QuerySet):
    def active(self):
        """Not lifted: nothing is sent to these addresses."""
        return self.filter(lifted_at__isnull=True)

    def of_address(self, field):
        """The active suppression of the address in the outer query's `field` (a subquery)."""
        return self.active().filter(address=Lower(OuterRef(field)))


class Suppression(models.Model):
    """An address the provider told us (its tracking webhook, outbox.webhooks) bounced hard or
    complained: nothing more is sent to it until the member changes or confirms their address.

    One provider event, one row: a replayed event finds its own row and changes nothing. Lifting
    blanks the address (no personal data kept once it stops mattering) and keeps the event, so
    that a replay of an old bounce does not suppress a confirmed address again."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "Bounced"
        COMPLAINED = "complained", "Marked as spam"

    # Lower case; blank once lifted.
    address = models.EmailField(max_length=254, blank=True)
    reason = models.CharField(max_length=10, choices=Reason.choices)
    occurred_at = models.DateTimeField()
    provider = models.CharField(max_length=30)
    # The provider's id for the event (or a digest of the event when it has none).
    event_id = models.CharField(max_length=200)
    # The email it was about, from the metadata we sent it with ("outbox-12", "feedback-34"); blank: unknown.
    email = models.CharField(max_length=100, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SuppressionQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="suppression_once_per_event"),
            models.UniqueConstraint(
                fields=["address"], condition=models.Q(lifted_at__isnull=True), name="suppression_once_per_address"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.occurred_at:%Y-%m-%d})"


class Brand(models.Model):
    """How a local association's or a region's emails look and who they come from: a logo
    (stored here, served by the site at brand_logo), a colour, the sender's name and a reply-to
    address. mentoring's Region and LocalAssociation point at one; an email without one (an
    account email) has the site's own look. Validated in outbox.brands; the reply-to address
    may be a person's (kept out of the admin and the logs)."""

    # Whose it is, as the logo's alt text names it ("Ottawa Chapter"): kept by mentoring.branding.
    organisation = models.CharField(max_length=120)
    sender_name = models.CharField(max_length=80)
    reply_to = models.EmailField(max_length=254, blank=True)
    colour = models.CharField(max_length=7, default="#0b5cad")
    logo = models.BinaryField(null=True, blank=True, editable=False)
    logo_type = models.CharField(max_length=20, blank=True)  # image/png or image/jpeg, from its bytes
    logo_digest = models.CharField(max_length=16, blank=True)  # in the logo's URL: a new logo, a new URL
    logo_width = models.PositiveSmallIntegerField(default=0)  # as shown in the email (fits 200 x 60)
    logo_height = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.sender_name
