from django.apps import AppConfig


class SyncConfig(AppConfig):
    """The member sync API: the association's member database (or an integration tool) pushes
    membership changes with a key, under the member import's rules (accounts.imports)."""

    name = "sync"
    verbose_name = "Member sync"

    def ready(self):
        from accounts import imports
        from accounts import privacy as member_data

        from . import privacy, services

        member_data.register(self.label, export=privacy.export, erase=privacy.erase)
        imports.on_members_changed(services.log_import_changes)  # the CSV import's changes, logged too
