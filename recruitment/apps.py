from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    """Recruiting members: the chair's announcement of an enrollment period, and named invitations
    (recruitment.services)."""

    name = "recruitment"
    verbose_name = "Recruitment"

    def ready(self):
        from accounts import privacy as member_data

        from . import privacy

        member_data.register(self.label, export=privacy.export)
