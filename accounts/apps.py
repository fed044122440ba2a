from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Members"

    def ready(self):
        from allauth.account.signals import email_changed, email_confirmed
        from anymail.signals import tracking
        from django.contrib.auth.signals import user_logged_in

        from . import bounces
        from .language import keep_chosen_language

        user_logged_in.connect(keep_chosen_language, dispatch_uid="accounts.keep_chosen_language")
        # The email provider's bounces suppress a member's address; a new or confirmed one lifts it.
        tracking.connect(bounces.on_tracking, dispatch_uid="accounts.bounces.on_tracking")
        email_confirmed.connect(bounces.on_email_confirmed, dispatch_uid="accounts.bounces.on_email_confirmed")
        email_changed.connect(bounces.on_email_changed, dispatch_uid="accounts.bounces.on_email_changed")
