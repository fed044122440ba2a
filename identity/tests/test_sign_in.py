"""Sign-in through the association's identity provider, against the real provider on loopback
(identity/tests/provider/, django-oauth-toolkit): the code flow with PKCE, linking, claims."""

from datetime import date

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model

from accounts.models import Profile
from conftest import PASSWORD, read
from identity.tests.oidc import (
    come_back,
    query_of,
    sign_in_with_provider,
    start_sign_in,
    state_replaced,
    through_provider,
)

User = get_user_model()

NEW_MEMBER = {
    "email": "nadia.newcomer@example.org",
    "email_verified": True,
    "given_name": "Nadia",
    "family_name": "Newcomer",
    "member_number": "M-10442",
    "membership_status": "Active",
    "renewal_date": "2027-03-31",
    "local_association": "NPT-01",
}


def signed_in_as(client):
    return User.objects.filter(pk=client.session.get("_auth_user_id")).first()


@pytest.mark.django_db
def test_the_request_to_the_provider_uses_pkce_and_the_staff_set_client(client, connected):
    query = query_of(start_sign_in(client))
    assert query["client_id"] == "mentoring-site"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) >= 43
    assert query["response_type"] == "code" and "openid" in query["scope"].split()
    assert query["redirect_uri"] == "http://testserver/accounts/oidc/association/login/callback/"


@pytest.mark.django_db
def test_a_new_member_gets_an_account_with_the_profile_filled_from_the_claims(client, connected, world):
    connected.set_member("nadia", **NEW_MEMBER)

    response = sign_in_with_provider(client, "nadia")

    assert response.status_code == 302, response.content[:500]
    user = User.objects.get(email="nadia.newcomer@example.org")
    assert signed_in_as(client) == user
    assert (user.first_name, user.last_name) == ("Nadia", "Newcomer")
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    profile = Profile.objects.get(user=user)
    assert profile.member_number == "M-10442"
    assert profile.membership_status == Profile.MembershipStatus.ACTIVE
    assert profile.renewal_date == date(2027, 3, 31)
    assert profile.association == world["associations"]["northport"]


def test_a_changed_state_is_refused_and_signs_nobody_in(client, connected):
    connected.set_member("nadia", **NEW_MEMBER)
    back = through_provider(start_sign_in(client), "nadia")

    response = come_back(client, state_replaced(back, "forged-state-value"))

    assert signed_in_as(client) is None
    assert not User.objects.filter(email="nadia.newcomer@example.org").exists()
    assert response.status_code == 401 and "Third-Party Login Failure" in read(response)


def test_a_member_who_refuses_at_the_provider_is_not_signed_in(client, connected):
    connected.set_member("nadia", **NEW_MEMBER)
    back = through_provider(start_sign_in(client), "nadia", consent=False)
    assert query_of(back)["error"] == "access_denied"

    response = come_back(client, back)

    assert signed_in_as(client) is None
    assert response.status_code == 302 and response["Location"] == "/accounts/3rdparty/login/cancelled/"
    assert not User.objects.filter(email="nadia.newcomer@example.org").exists()


def test_an_unverified_email_of_an_existing_account_links_nothing(client, connected, world):
    mia = world["people"]["member"]
    connected.set_member("intruder", **{**NEW_MEMBER, "email": mia.email, "email_verified": False, "member_number": ""})

    response = sign_in_with_provider(client, "intruder")

    assert response.status_code == 403
    assert "has not confirmed that this address is yours" in read(response)
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.exists()
    mia.refresh_from_db()
    assert mia.has_usable_password() and mia.check_password(PASSWORD)


def test_a_verified_email_links_the_existing_account_and_keeps_its_password(client, connected, world):
    mia = world["people"]["member"]
    connected.set_member("mia", **{**NEW_MEMBER, "email": mia.email.upper(), "member_number": "M-1"})

    sign_in_with_provider(client, "mia")

    assert signed_in_as(client) == mia
    assert SocialAccount.objects.get(user=mia).uid == "sub-mia"
    mia.refresh_from_db()
    assert mia.check_password(PASSWORD)
    assert (mia.first_name, mia.last_name) == ("Mia", "Member")  # her own, not the provider's
    assert mia.profile.member_number == "M-1"


def test_a_member_number_links_the_account_whatever_the_email(client, connected, world):
    mia = world["people"]["member"]
    Profile.objects.filter(user=mia).update(member_number="M-20001")
    connected.set_member(
        "mia", **{**NEW_MEMBER, "email": "mia.at.home@example.net", "email_verified": False, "member_number": "M-20001"}
    )

    sign_in_with_provider(client, "mia")

    assert signed_in_as(client) == mia
    assert SocialAccount.objects.filter(user=mia).count() == 1
    assert not User.objects.filter(email="mia.at.home@example.net").exists()


def test_a_staff_account_is_never_signed_in_through_the_provider(client, connected, world):
    staff = world["people"]["staff"]
    connected.set_member("sam", **{**NEW_MEMBER, "email": staff.email})

    response = sign_in_with_provider(client, "sam")

    assert response.status_code == 403 and "two-factor code" in read(response)
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()


def test_the_local_association_claim_is_mapped_and_an_unknown_value_changes_nothing(client, connected, world):
    connected.set_member("nadia", **{**NEW_MEMBER, "local_association": "sby-07"})  # case ignored
    sign_in_with_provider(client, "nadia")
    profile = Profile.objects.get(user__email="nadia.newcomer@example.org")
    assert profile.association == world["associations"]["southbury"]

    connected.set_member("nadia", **{**NEW_MEMBER, "local_association": "XYZ-99"})
    client.logout()
    sign_in_with_provider(client, "nadia")
    profile.refresh_from_db()
    assert profile.association == world["associations"]["southbury"]


def test_the_claims_are_read_again_at_every_sign_in(client, connected):
    connected.set_member("nadia", **NEW_MEMBER)
    sign_in_with_provider(client, "nadia")
    client.logout()

    connected.set_member(
        "nadia", **{**NEW_MEMBER, "membership_status": "expired", "renewal_date": "2026-11-30", "member_number": "M-9"}
    )
    sign_in_with_provider(client, "nadia")

    profile = Profile.objects.get(user__email="nadia.newcomer@example.org")
    assert profile.membership_status == Profile.MembershipStatus.LAPSED
    assert profile.renewal_date == date(2026, 11, 30)
    assert profile.member_number == "M-9"
    assert User.objects.filter(email="nadia.newcomer@example.org").count() == 1


def test_claims_that_cannot_be_read_change_nothing(client, connected, world):
    connected.set_member(
        "nadia",
        **{
            **NEW_MEMBER,
            "membership_status": "<script>alert(1)</script>",
            "renewal_date": "31/03/2027",
            "member_number": "9" * 500,
            "local_association": {"nested": "value"},
        },
    )
    sign_in_with_provider(client, "nadia")

    profile = Profile.objects.get(user__email="nadia.newcomer@example.org")
    assert profile.membership_status == Profile.MembershipStatus.ACTIVE  # the default, unchanged
    assert profile.renewal_date is None and profile.member_number == "" and profile.association is None


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("Active", "active"),
        ("Pending - Renewal", "grace"),
        ("renewal_due", "grace"),
        ("Pending - Level change", "active"),
        ("LAPSED", "lapsed"),
        ("Suspended", "lapsed"),
        ("Pending - New", None),
        ("", None),
        (None, None),
        (["active"], None),
        ("x" * 5000, None),
    ],
)
def test_the_words_membership_systems_use_for_a_status(word, status):
    from identity.services import membership_status

    assert membership_status(word) == status


def test_salesforce_custom_attributes_are_read_where_they_come():
    from identity.services import claims_of

    extra = {"userinfo": {"sub": "1", "custom_attributes": {"member_number": "M-1", "email": "x@example.org"}}}
    extra["userinfo"]["email"] = "top@example.org"
    claims = claims_of(extra)
    assert claims["member_number"] == "M-1" and claims["email"] == "top@example.org"


def test_a_new_member_whose_address_is_not_verified_confirms_it_here_first(client, connected, mailoutbox):
    from outbox.emails import send_pending_emails

    connected.set_member("nadia", **{**NEW_MEMBER, "email_verified": False})

    response = sign_in_with_provider(client, "nadia")

    user = User.objects.get(email="nadia.newcomer@example.org")
    assert signed_in_as(client) is None
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert not EmailAddress.objects.get(user=user).verified
    assert Profile.objects.get(user=user).member_number == "M-10442"
    send_pending_emails()
    assert [m.to for m in mailoutbox] == [["nadia.newcomer@example.org"]]
