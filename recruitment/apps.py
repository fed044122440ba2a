from django.apps import AppConfig


class RecruitmentConfig(AppConfig):
    """Recruiting members: the chair's announcement of an enrollment period, named invitations
    (recruitment.services), and the orientation members go through (recruitment.orientation)."""

    name = "recruitment"
    verbose_name = "Recruitment"

    def ready(self):
        from accounts import privacy as member_data

        from . import privacy

        member_data.register(self.label, export=privacy.export)
