from django.apps import AppConfig


class FlashConfig(AppConfig):
    name = "flash"
    verbose_name = "Flash conversations"

    def ready(self):
        from accounts import privacy as member_data
        from mentoring import history as mentoring_history

        from . import history, privacy

        # Nothing of this app is in the admin or the audit log: the feedback notes are the
        # committee's alone (auditlog would store them decrypted), and the rest is the members' own.
        member_data.register(self.label, export=privacy.export, erase=privacy.erase)
        # The conversations a member held, with their hours, in their mentoring history.
        mentoring_history.register(held=history.held, words=history.words)
