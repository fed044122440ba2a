from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Confidential feedback"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import Concern, FollowUp, Response

        # Encrypted free text is left out: auditlog would store it decrypted in its own table.
        auditlog.register(Response, exclude_fields=["concerns"])
        auditlog.register(Concern, exclude_fields=["text"])
        auditlog.register(FollowUp, exclude_fields=["note"])
