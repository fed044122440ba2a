from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = "Matching"

    def ready(self):
        from accounts import privacy as member_data

        from . import privacy

        member_data.register(
            self.label, export=privacy.export, erase=privacy.erase, expire_application=privacy.expire_application
        )
