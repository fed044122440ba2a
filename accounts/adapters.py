import uuid
from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from outbox.emails import queue_rendered

from .services import create_profile


class AccountAdapter(DefaultAccountAdapter):
    def clean_email(self, email):
        # allauth's form field has no length limit; the column has one (254, as RFC 5321 allows).
        if len(email) > 254:
            raise ValidationError(_("That email address is too long: 254 characters at most."))
        return super().clean_email(email)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            create_profile(user=user)
        return user

    def send_mail(self, template_prefix, email, context):
        # allauth greets "Hello from <the request's host>" ("127.0.0.1:8611"): the association instead.
        site = SimpleNamespace(name=settings.ASSOCIATION_NAME, domain=settings.SITE_URL)
        message = self.render_mail(template_prefix, email, {"current_site": site, **context})
        # Queued, not sent: a web request never waits on the mail server, and the outbox sends it
        # with the rest (its HTML alternative, if allauth made one, is left out, as for every email
        # of ours). Each is a new email: a second reset link is a second email.
        # Rendered in the language of the request, the person's own (they asked for it): a note
        # added on a resend is in the same.
        queue_rendered(
            key=f"account:{uuid.uuid4().hex}",
            to=email,
            subject=message.subject,
            body=message.body,
            language=translation.get_language(),
        )
