from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """The one email engine: the product's emails are rendered, composed and sent here. Most
    are queued here, in the caller's transaction, and sent by the mailer job (outbox.emails);
    feedback asks and reminders keep their own rows (feedback.Solicitation, whose state drives
    the feedback job) and go out through the same batch sender (outbox.sending). Only allauth's
    account emails and the error reports to the IT volunteer are sent at once, by allauth and
    by Django's logging."""

    name = "outbox"
    verbose_name = "Outgoing email"
