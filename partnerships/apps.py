from django.apps import AppConfig


class PartnershipsConfig(AppConfig):
    name = "partnerships"
    verbose_name = "Partnerships"

    def ready(self):
        from accounts import privacy as member_data

        from . import privacy

        # Nothing of this app is in the audit log: the follow-up notes are the committee's alone
        # (auditlog would store them decrypted), and the rest is the partners' own.
        member_data.register(
            self.label,
            export=privacy.export,
            erase=privacy.erase,
            expire_partnership=privacy.expire_partnership,
        )
