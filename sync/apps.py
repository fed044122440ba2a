from django.apps import AppConfig


class SyncConfig(AppConfig):
    """The member sync API: the association's member database (or an integration tool) pushes
    membership changes with a key, under the member import's rules (accounts.imports)."""

    name = "sync"
    verbose_name = "Member sync"

    def ready(self):
        from allauth.account.signals import email_confirmed, user_signed_up

        from accounts import imports
        from accounts import privacy as member_data

        from . import privacy, services

        member_data.register(self.label, export=privacy.export, erase=privacy.erase)
        imports.on_members_changed(services.log_import_changes)  # the CSV import's changes, logged too
        # A member pushed before they had an account here: what was pushed is applied once the
        # account's address is confirmed, by the confirmation link, or by the identity provider
        # vouching for it when it opens the account (allauth sends user_signed_up on both paths;
        # apply_waiting itself checks the address is confirmed).
        email_confirmed.connect(_address_confirmed, dispatch_uid="sync-apply-waiting-confirmed")
        user_signed_up.connect(_signed_up, dispatch_uid="sync-apply-waiting-signed-up")


def _address_confirmed(sender, request, email_address, **kwargs):
    from . import services

    services.apply_waiting(user=email_address.user)


def _signed_up(sender, request, user, **kwargs):
    from . import services

    services.apply_waiting(user=user)
