"""Sign-in through the association's identity provider: the settings staff keep, who a returning
member is, and what their claims say (member number, membership status, renewal date, local
association), applied at every sign-in.

Linking to an existing account (find_member): a member number that one profile here holds, or an
email address the provider says it verified. An unverified address that belongs to an account here
links nothing: whoever controls that provider account could otherwise take over the member's
account here by typing their address into it."""

import logging
from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.db import transaction

from accounts.models import Profile, User
from accounts.services import create_profile

from .models import AssociationMapping, IdentityProvider

log = logging.getLogger(__name__)

PROVIDER_ID = "association"  # allauth's provider_id: /accounts/oidc/association/login/
SINGLETON = 1

# The words membership systems use for a status, and ours (case and spaces ignored).
STATUS_WORDS = {
    # Wild Apricot says "Pending - Renewal" and "Pending - Level change" (dashes are ignored too).
    Profile.MembershipStatus.ACTIVE: {
        "active",
        "current",
        "member",
        "in good standing",
        "good standing",
        "paid",
        "pending level change",
    },
    Profile.MembershipStatus.GRACE: {"grace", "grace period", "renewal due", "pending renewal", "due"},
    Profile.MembershipStatus.LAPSED: {
        "lapsed",
        "expired",
        "inactive",
        "terminated",
        "cancelled",
        "canceled",
        "suspended",
    },
}


def get_provider() -> IdentityProvider | None:
    return IdentityProvider.objects.filter(pk=SINGLETON).first()


def active_provider() -> IdentityProvider | None:
    """The provider when staff have turned it on (and filled what allauth needs)."""
    provider = get_provider()
    if provider and provider.enabled and provider.issuer and provider.client_id:
        return provider
    return None


def members_sign_in_only_this_way() -> bool:
    provider = active_provider()
    return bool(provider and provider.members_only)


@transaction.atomic
def save_provider(*, data: dict, by: User, mappings=None) -> IdentityProvider:
    """Staff save the provider's settings. A blank secret keeps the one stored (it is never shown
    back, so the form cannot hold it)."""
    provider = get_provider() or IdentityProvider(pk=SINGLETON)
    secret = data.pop("client_secret", "")
    for name, value in data.items():
        setattr(provider, name, value)
    if secret:
        provider.client_secret = secret
    provider.updated_by = by
    provider.save()
    if mappings is not None:
        mappings.save()
    log.info("Identity provider settings saved by user %s", by.pk)  # never the secret
    return provider


def social_app():
    """The provider as allauth's SocialApp (not saved: the settings live in IdentityProvider)."""
    from allauth.socialaccount.models import SocialApp

    provider = active_provider()
    if provider is None:
        return None
    return SocialApp(
        provider="openid_connect",
        provider_id=PROVIDER_ID,
        name=provider.button_label or provider.issuer,
        client_id=provider.client_id,
        secret=provider.client_secret or "",
        settings={"server_url": provider.issuer.rstrip("/"), "oauth_pkce_enabled": True, "fetch_userinfo": True},
    )


def claims_of(extra_data: dict) -> dict:
    """The member's claims from what allauth kept: the ID token's, then the userinfo's on top."""
    claims = {}
    for part in ("id_token", "userinfo"):
        if isinstance(extra_data.get(part), dict):
            claims |= extra_data[part]
    if not claims:  # older allauth kept the claims themselves
        claims = dict(extra_data)
    # Salesforce (Nimble AMS, Fonteva) sends a connected app's custom attributes in one object;
    # a claim of the same name at the top level wins.
    if isinstance(claims.get("custom_attributes"), dict):
        claims = claims["custom_attributes"] | claims
    return claims


def _text(value, limit) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    text = str(value).strip()
    return text if len(text) <= limit else ""


def is_verified(claims: dict) -> bool:
    value = claims.get("email_verified")
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


@dataclass
class Found:
    user: User | None
    how: str  # "member_number", "email", "unverified_email_taken", "none"


def find_member(*, claims: dict, provider: IdentityProvider) -> Found:
    """The account here that these claims are, if any (see the module's docstring)."""
    number = _text(claims.get(provider.member_number_claim), 30)
    if number:
        profiles = list(Profile.objects.filter(member_number=number).select_related("user")[:2])
        if len(profiles) == 1:
            return Found(profiles[0].user, "member_number")
    email = _text(claims.get("email"), 254).lower()
    if email:
        owner = User.objects.filter(email__iexact=email).first()
        if owner is None:
            address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
            owner = address.user if address else None
        if owner is not None:
            return Found(owner, "email") if is_verified(claims) else Found(None, "unverified_email_taken")
    return Found(None, "none")


def membership_status(value) -> str | None:
    word = " ".join(_text(value, 60).lower().replace("_", " ").replace("-", " ").split())
    for status, words in STATUS_WORDS.items():
        if word in words:
            return status
    return None


def renewal_date(value) -> date | None:
    text = _text(value, 40)
    try:
        return date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


@transaction.atomic
def apply_claims(*, user: User, claims: dict, provider: IdentityProvider | None = None) -> Profile:
    """Bring the member's profile up to date with the provider's claims (every sign-in). A claim
    that is missing, unreadable or unmapped leaves what is here unchanged."""
    provider = provider or get_provider()
    profile = create_profile(user=user)
    changed = []
    number = _text(claims.get(provider.member_number_claim), 30)
    if number and number != profile.member_number:
        profile.member_number, changed = number, [*changed, "member_number"]
    status = membership_status(claims.get(provider.status_claim))
    if status and status != profile.membership_status:
        profile.membership_status, changed = status, [*changed, "membership_status"]
    renewal = renewal_date(claims.get(provider.renewal_claim))
    if renewal and renewal != profile.renewal_date:
        profile.renewal_date, changed = renewal, [*changed, "renewal_date"]
    local = _text(claims.get(provider.association_claim), 120)
    mapping = AssociationMapping.objects.filter(claim_value__iexact=local).first() if local else None
    if mapping and mapping.association_id != profile.association_id:
        profile.association_id, changed = mapping.association_id, [*changed, "association"]
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    names = {
        "first_name": _text(claims.get("given_name"), 150),
        "last_name": _text(claims.get("family_name"), 150),
    }
    blank = [name for name, value in names.items() if value and not getattr(user, name)]
    if blank:  # a name the member has not written here; one they chose is kept
        for name in blank:
            setattr(user, name, names[name])
        user.save(update_fields=blank)
    return profile


# --- Download my data and erasure (accounts.privacy hooks) ---------------------------------------


def export_member_data(user) -> dict:
    from allauth.socialaccount.models import SocialAccount

    profile = Profile.objects.filter(user=user).first()
    return {
        "association_sign_in": {
            "member_number": profile.member_number if profile else "",
            "linked_sign_ins": [
                {"provider": account.provider, "identifier": account.uid, "claims": claims_of(account.extra_data)}
                for account in SocialAccount.objects.filter(user=user).order_by("pk")
            ],
        }
    }


def erase_member_data(user, **kwargs) -> None:
    from allauth.socialaccount.models import SocialAccount

    SocialAccount.objects.filter(user=user).delete()  # the claims hold name and address
    Profile.objects.filter(user=user).update(member_number="")
