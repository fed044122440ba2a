from django.apps import AppConfig


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = "Programs and partnerships"

    def ready(self):
        from allauth.account.signals import email_confirmed
        from auditlog.registry import auditlog

        from .models import CommitteeMembership, Partnership, Program

        # A change log of the records that matter. Encrypted free text is left out: auditlog would
        # store it decrypted in its own table.
        auditlog.register(Program)
        auditlog.register(CommitteeMembership)
        auditlog.register(Partnership, exclude_fields=["end_reason", "end_note"])  # the committee's alone

        # accounts sits below mentoring and cannot call it: an address someone confirms may be one
        # that other members named as a partner to prefer or avoid; they now name this member.
        email_confirmed.connect(_resolve_partner_addresses, dispatch_uid="mentoring-resolve-partners")

        from accounts import privacy as member_data

        from . import privacy

        member_data.register(
            self.label,
            lock=privacy.lock,
            blockers=privacy.blockers,
            export=privacy.export,
            erase=privacy.erase,
            expire_partnership=privacy.expire_partnership,
            expire_application=privacy.expire_application,
        )


def _resolve_partner_addresses(sender, request, email_address, **kwargs):
    from .services import resolve_partner_addresses

    resolve_partner_addresses(user=email_address.user)
