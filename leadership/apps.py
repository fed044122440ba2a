from django.apps import AppConfig


class LeadershipConfig(AppConfig):
    """Growing leaders: recommendations with the mentee's consent, the region's VP's pipeline
    (leadership.services), and the officers of local associations (leadership.officers)."""

    name = "leadership"
    verbose_name = "Leadership pipeline"

    def ready(self):
        from accounts import privacy as member_data

        from . import privacy

        member_data.register(
            self.label,
            export=privacy.export,
            erase=privacy.erase,
            expire_partnership=privacy.expire_partnership,
        )
