from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Members"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .language import keep_chosen_language

        user_logged_in.connect(keep_chosen_language, dispatch_uid="accounts.keep_chosen_language")
