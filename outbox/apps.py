from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """The one email engine: every email the product sends is queued here, in the caller's
    transaction, and sent by the mailer job (outbox.emails)."""

    name = "outbox"
    verbose_name = "Outgoing email"
