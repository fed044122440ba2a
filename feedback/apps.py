from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Confidential feedback"

    # Responses, concerns and follow-up notes are deliberately not in the audit log (auditlog):
    # every value in them is the committee's alone, and the log is read by staff in the admin.
    # Each record carries its own who and when (respondent and submitted_at, raised_by and
    # created_at, author and created_at), which the committee reads in the app, and every read
    # of them is recorded (mentoring.models.ConfidentialAccess, "Who read what").

    def ready(self):
        from accounts import privacy as member_data
        from mentoring import cycles as next_cycles

        from . import cycles, privacy

        next_cycles.register(self.label, describe=cycles.describe, copy=cycles.copy)

        member_data.register(
            self.label, export=privacy.export, erase=privacy.erase, expire_partnership=privacy.expire_partnership
        )
