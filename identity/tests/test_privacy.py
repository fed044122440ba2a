"""What the provider told us about a member is theirs: in "Download my data", gone on erasure."""

from allauth.socialaccount.models import SocialAccount

from accounts.models import Profile
from accounts.privacy import erase_member, export_member_data
from identity.tests.oidc import come_back, sign_in_with_provider, through_provider

CLAIMS = {
    "email": "petra.private@example.org",
    "email_verified": True,
    "given_name": "Petra",
    "family_name": "Private",
    "member_number": "M-3141",
    "local_association": "NPT-01",
}


def test_download_holds_the_member_number_and_claims_and_erasure_removes_them(client, connected):
    connected.set_member("petra", **CLAIMS)
    sign_in_with_provider(client, "petra")
    account = SocialAccount.objects.get()
    user = account.user

    data = export_member_data(user)["association_sign_in"]
    assert data["member_number"] == "M-3141"
    (linked,) = data["linked_sign_ins"]
    assert linked["identifier"] == "sub-petra" and linked["claims"]["family_name"] == "Private"

    erase_member(user)

    assert not SocialAccount.objects.exists()
    assert Profile.objects.get(user=user).member_number == ""


def test_a_signed_in_member_cannot_attach_the_provider_by_hand(client, connected, world):
    client.force_login(world["people"]["member"])
    connected.set_member("someone", **CLAIMS)
    response = client.post("/accounts/oidc/association/login/?process=connect")
    assert response.status_code == 302

    answer = come_back(client, through_provider(response["Location"], "someone"))

    assert answer.status_code == 302 and answer["Location"] == "/accounts/3rdparty/"
    assert not SocialAccount.objects.exists()
