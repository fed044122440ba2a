from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Programs and partnerships"

    def ready(self):
        from auditlog.registry import auditlog

        from .models import CommitteeMembership, Partnership, Program

        # A change log of the records that matter. Encrypted free text is left out: auditlog would
        # store it decrypted in its own table.
        auditlog.register(Program)
        auditlog.register(CommitteeMembership)
        auditlog.register(Partnership, exclude_fields=["end_reason", "end_note"])  # the committee's alone
