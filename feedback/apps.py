from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Confidential feedback"

    def ready(self):
        from auditlog.registry import auditlog

        from mentoring.models import CommitteeMembership, Partnership, Program

        from .models import Concern, FollowUp, Response

        # A change log of the records that matter. Encrypted free text is left out: auditlog would
        # store it decrypted in its own table.
        auditlog.register(Program)
        auditlog.register(CommitteeMembership)
        auditlog.register(Partnership, exclude_fields=["end_note"])
        auditlog.register(Response, exclude_fields=["concerns"])
        auditlog.register(Concern, exclude_fields=["text"])
        auditlog.register(FollowUp, exclude_fields=["note"])
