from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "identity"
    verbose_name = "Sign-in with the association's identity provider"

    def ready(self):
        from accounts import privacy

        from . import services

        privacy.register(self.label, export=services.export_member_data, erase=services.erase_member_data)

        # The provider is set on /staff/sign-in/ (its secret encrypted); allauth's own tables for
        # apps and tokens are not used, so their admin pages would only mislead.
        from allauth.socialaccount.models import SocialApp, SocialToken
        from django.contrib import admin

        for model in (SocialApp, SocialToken):
            if admin.site.is_registered(model):
                admin.site.unregister(model)
