"""What staff set for sign-in through the association's identity provider (OpenID Connect)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.fields import ConfidentialTextField


class IdentityProvider(models.Model):
    """The association's identity provider: one row (pk 1), kept by staff on /staff/sign-in/.

    allauth reads it through identity.adapters.SocialAccountAdapter.list_apps, so a change takes
    effect at the next sign-in without a restart. The client secret is encrypted at rest and never
    shown back on any page."""

    enabled = models.BooleanField(_("members can sign in this way"), default=False)
    button_label = models.CharField(
        _("the button's words"),
        max_length=80,
        blank=True,  # required once the provider is turned on (identity.forms)
        default="",
        help_text=_("What the sign-in button says, e.g. “Sign in with your association login”."),
    )
    issuer = models.URLField(
        _("issuer address"),
        max_length=300,
        help_text=_("The identity provider’s address (its “issuer”), e.g. https://login.example.org/oidc."),
    )
    client_id = models.CharField(_("client ID"), max_length=200)
    client_secret = ConfidentialTextField(_("client secret"), blank=True, default="")
    members_only = models.BooleanField(
        _("members sign in only this way"),
        default=False,
        help_text=_(
            "Members can no longer sign in or sign up with a password here. Staff keep their "
            "password and two-factor sign-in."
        ),
    )
    member_number_claim = models.CharField(_("member number claim"), max_length=64, default="member_number")
    status_claim = models.CharField(_("membership status claim"), max_length=64, default="membership_status")
    renewal_claim = models.CharField(_("renewal date claim"), max_length=64, default="renewal_date")
    association_claim = models.CharField(_("local association claim"), max_length=64, default="local_association")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return self.button_label or self.issuer


class AssociationMapping(models.Model):
    """A value of the local association claim, and the local association it means here."""

    claim_value = models.CharField(_("value sent by the identity provider"), max_length=120, unique=True)
    association = models.ForeignKey(
        "mentoring.LocalAssociation",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("local association"),
    )

    class Meta:
        ordering = ["claim_value"]

    def __str__(self):
        return f"{self.claim_value} → {self.association}"
