"""allauth's hooks for sign-in through the association's identity provider. They only call
identity.services, where the rules are."""

import logging

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.adapters import AccountAdapter as MembersAccountAdapter

from . import services

log = logging.getLogger(__name__)


def only_this_way_message():
    provider = services.active_provider()
    return _(
        "Members sign in with their association login: please use the button “%(button)s” below. "
        "Your password here is no longer used."
    ) % {"button": provider.button_label if provider else ""}


class AccountAdapter(MembersAccountAdapter):
    """accounts' adapter, plus "members sign in only through the identity provider"."""

    def is_open_for_signup(self, request):
        if services.members_sign_in_only_this_way():
            return False  # new members get their account by signing in with the provider
        return super().is_open_for_signup(request)

    def pre_login(self, request, user, *, signal_kwargs=None, **kwargs):
        # Every way into an account passes here; the login form says it more kindly first.
        through_provider = bool((signal_kwargs or {}).get("sociallogin"))
        if not through_provider and not user.is_staff and services.members_sign_in_only_this_way():
            messages.error(request, only_this_way_message())
            return redirect("account_login")
        return super().pre_login(request, user, signal_kwargs=signal_kwargs, **kwargs)


class LoginForm(AllauthLoginForm):
    def clean(self):
        cleaned_data = super().clean()
        # Said only after the right password: the message reveals nothing to someone guessing.
        if self.user is not None and not self.user.is_staff and services.members_sign_in_only_this_way():
            raise ValidationError(only_this_way_message())
        return cleaned_data


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        # The one app is what staff set on /staff/sign-in/; allauth's own tables and settings
        # hold none.
        app = services.social_app()
        if app is None:
            return []
        if provider and provider not in (app.provider, app.provider_id):
            return []
        if client_id and client_id != app.client_id:
            return []
        return [app]

    def is_open_for_signup(self, request, sociallogin):
        return True  # the association vouches for its members, even when password sign-up is closed

    def pre_social_login(self, request, sociallogin):
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # A signed-in member adding the provider to their account: the link is made at their
            # first sign-in with it instead (by member number or verified email), by one rule.
            messages.info(request, _("Your association login is linked the first time you sign in with it."))
            raise ImmediateHttpResponse(redirect("socialaccount_connections"))
        provider = services.active_provider()
        claims = services.claims_of(sociallogin.account.extra_data)
        if not sociallogin.is_existing:
            found = services.find_member(claims=claims, provider=provider)
            if found.how == "unverified_email_taken":
                log.info("Identity provider sign-in not linked: unverified email of an existing account")
                raise ImmediateHttpResponse(render(request, "identity/not_linked.html", status=403))
            if found.user is not None:
                self._refuse_staff(request, found.user)
                sociallogin.connect(request, found.user)
                log.info("Identity provider sign-in linked to user %s by %s", found.user.pk, found.how)
        if sociallogin.is_existing:
            self._refuse_staff(request, sociallogin.user)
            services.apply_claims(user=sociallogin.user, claims=claims, provider=provider)

    def save_user(self, request, sociallogin, form=None):
        user = super().save_user(request, sociallogin, form)
        claims = services.claims_of(sociallogin.account.extra_data)
        services.apply_claims(user=user, claims=claims, provider=services.active_provider())
        return user

    def _refuse_staff(self, request, user):
        # Staff sign in with their password and two-factor code: a staff account's keys do not
        # depend on a system outside the site, and the provider's sign-in skips the second factor.
        if user.is_staff:
            log.info("Identity provider sign-in refused for staff user %s", user.pk)
            raise ImmediateHttpResponse(render(request, "identity/staff_use_password.html", status=403))
