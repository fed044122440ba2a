from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Sign-in with the association's identity provider"

    def ready(self):
        from accounts import privacy

        from . import services

        privacy.register(self.label, export=services.export_member_data, erase=services.erase_member_data)
