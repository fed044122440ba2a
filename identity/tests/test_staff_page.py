"""/staff/sign-in/: staff connect the identity provider and keep the local association mapping."""

import logging

import pytest
from django.db import connection

from accounts.models import Profile
from conftest import PASSWORD, read
from identity import services
from identity.models import AssociationMapping, IdentityProvider
from identity.tests.oidc import sign_in_with_provider

URL = "/staff/sign-in/"
SECRET = "top-secret-client-value-8c1f"


def settings_form(**changes):
    data = {
        "enabled": "on",
        "button_label_en": "Sign in with MyAssociation",
        "button_label_fr": "",
        "issuer": "https://login.example.org/oidc",
        "client_id": "mentoring",
        "client_secret": SECRET,
        "member_number_claim": "member_number",
        "status_claim": "membership_status",
        "renewal_claim": "renewal_date",
        "association_claim": "local_association",
        "mapping-TOTAL_FORMS": "1",
        "mapping-INITIAL_FORMS": "0",
        "mapping-MIN_NUM_FORMS": "0",
        "mapping-MAX_NUM_FORMS": "500",
        "mapping-0-claim_value": "",
        "mapping-0-association": "",
    }
    return {k: v for k, v in (data | changes).items() if v is not None}


@pytest.mark.django_db
def test_staff_save_the_provider_and_the_secret_is_encrypted_and_never_shown_or_logged(client, world, caplog):
    client.force_login(world["people"]["staff"])
    northport = world["associations"]["northport"]
    caplog.set_level(logging.DEBUG)

    response = client.post(
        URL, settings_form(**{"mapping-0-claim_value": "NPT-01", "mapping-0-association": str(northport.pk)})
    )

    assert response.status_code == 302
    provider = services.get_provider()
    assert provider.client_secret == SECRET and provider.enabled
    assert AssociationMapping.objects.get().association == northport
    with connection.cursor() as cursor:
        cursor.execute("SELECT client_secret FROM identity_identityprovider")
        (stored,) = cursor.fetchone()
    assert SECRET not in stored
    page = read(client.get(URL))
    assert SECRET not in page and "A client secret is stored" in page
    assert "/accounts/oidc/association/login/callback/" in page  # what to give the provider
    assert SECRET not in caplog.text


@pytest.mark.django_db
def test_a_blank_secret_keeps_the_one_stored(client, world):
    client.force_login(world["people"]["staff"])
    client.post(URL, settings_form())
    client.post(URL, settings_form(client_secret="", button_label_en="Member login"))
    provider = services.get_provider()
    assert provider.client_secret == SECRET and provider.button_label == "Member login"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"issuer": "http://login.example.org"}, "issuer", "must start with https://"),
        ({"issuer": "not an address"}, "issuer", "Enter a valid URL."),
        ({"issuer": "https://x.example.org/" + "a" * 3000}, "issuer", "at most 300 characters"),
        ({"button_label_en": ""}, "button_label_en", "Write what the button says"),
        ({"button_label_en": "b" * 800}, "button_label_en", "at most 80 characters"),
        ({"client_id": ""}, "client_id", "This field is required."),
        ({"client_secret": ""}, "client_secret", "Give the client secret"),
        ({"enabled": None, "members_only": "on"}, "members_only", "once the identity provider is turned on"),
        ({"mapping-0-claim_value": "NPT-01", "mapping-0-association": "999999"}, "mapping-0-association", "valid"),
    ],
)
def test_wrong_input_is_refused_in_plain_words_next_to_its_field_and_kept(client, world, changes, field, message):
    client.force_login(world["people"]["staff"])

    response = client.post(URL, settings_form(**changes))

    assert response.status_code == 200 and not IdentityProvider.objects.exists()
    page = read(response)
    assert message in page and "There is a problem" in page
    assert f'id="id_{field}"' in page or f'id="error_1_id_{field}"' in page
    typed = changes.get("issuer") or changes.get("button_label_en")
    if typed:
        assert typed in page  # what was typed is still there


@pytest.mark.django_db
def test_markup_typed_by_staff_is_shown_escaped(client, world):
    client.force_login(world["people"]["staff"])
    markup = "<b>x</b><script>alert(1)</script>"
    client.post(
        URL,
        settings_form(
            button_label_en=markup[:80],
            **{"mapping-0-claim_value": markup, "mapping-0-association": str(world["associations"]["easton"].pk)},
        ),
    )
    assert services.get_provider().button_label == markup
    client.logout()
    for url in (URL, "/accounts/login/"):
        if url == URL:
            client.force_login(world["people"]["staff"])
        body = client.get(url).content.decode()
        assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
        client.logout()


@pytest.mark.django_db
def test_the_sign_in_page_shows_the_staff_set_button_only_when_turned_on(client, world):
    assert "Sign in with MyAssociation" not in read(client.get("/accounts/login/"))
    client.force_login(world["people"]["staff"])
    client.post(URL, settings_form())
    client.logout()
    page = read(client.get("/accounts/login/"))
    assert "Sign in with MyAssociation" in page
    assert 'action="/accounts/oidc/association/login/?process=login"' in page


# --- Members sign in only this way -----------------------------------------------------------


@pytest.fixture
def only_this_way(connected, world):
    IdentityProvider.objects.filter(pk=1).update(members_only=True)
    return connected


def test_members_password_sign_in_is_refused_kindly_and_staff_keep_theirs(client, only_this_way, world):
    member, staff = world["people"]["member"], world["people"]["staff"]

    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD})

    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert "Members sign in with their association login: please use the button" in read(response)
    assert "Sign in with your association login" in read(response)  # the button, on the same page

    response = client.post("/accounts/login/", {"login": member.email, "password": "wrong-password"})
    assert "please use the button" not in read(response)  # reveals nothing

    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(staff.pk)


def test_members_cannot_sign_up_with_a_password_but_through_the_provider(client, only_this_way, world):
    response = client.get("/accounts/signup/")
    assert "sign in with your association login, and your account is made" in read(response)

    only_this_way.set_member(
        "nadia", email="nadia@example.org", email_verified=True, member_number="M-7", local_association="NPT-01"
    )
    sign_in_with_provider(client, "nadia")
    assert Profile.objects.get(user__email="nadia@example.org").association == world["associations"]["northport"]


def test_turned_off_the_provider_is_gone(client, connected, world):
    IdentityProvider.objects.filter(pk=1).update(enabled=False)
    assert client.post("/accounts/oidc/association/login/").status_code == 404
    assert client.get("/accounts/oidc/association/login/callback/?code=x&state=y").status_code == 404
    assert not services.members_sign_in_only_this_way()


@pytest.mark.django_db
def test_the_button_speaks_the_members_language(client, world):
    client.force_login(world["people"]["staff"])
    client.post(URL, settings_form(button_label_fr="Connexion avec MonAssociation"))
    client.logout()
    assert "Sign in with MyAssociation" in read(client.get("/accounts/login/"))
    client.cookies["django_language"] = "fr"
    page = read(client.get("/accounts/login/", headers={"accept-language": "fr"}))
    assert "Connexion avec MonAssociation" in page and "Sign in with MyAssociation" not in page


def test_the_sign_in_page_says_the_password_form_is_for_staff_when_members_sign_in_only_this_way(client, connected):
    note = "The email and password form above is for staff."
    assert note not in read(client.get("/accounts/login/"))
    IdentityProvider.objects.filter(pk=1).update(members_only=True)
    assert note in read(client.get("/accounts/login/"))


def test_the_sign_in_page_lets_its_form_lead_to_the_provider_and_no_other_page_does(client, connected, world):
    def form_action(url):
        policy = client.get(url)["Content-Security-Policy"]
        return next(part for part in policy.split(";") if "form-action" in part).split()[1:]

    assert form_action("/accounts/login/") == ["'self'", connected.url]
    assert form_action("/accessibility/") == ["'self'"]
    IdentityProvider.objects.filter(pk=1).update(enabled=False)
    assert form_action("/accounts/login/") == ["'self'"]


@pytest.mark.django_db
def test_the_admin_has_no_page_for_allauths_unused_app_and_token_tables(client, world):
    client.force_login(world["people"]["staff"])
    assert client.get("/admin/socialaccount/socialapp/").status_code == 404
    assert client.get("/admin/socialaccount/socialtoken/").status_code == 404
    assert client.get("/admin/socialaccount/socialaccount/").status_code == 200


def test_any_other_way_into_a_members_account_is_stopped_too(client, only_this_way, world, settings):
    # The login form's check taken away: allauth's pre_login hook (every way in passes it) stops it.
    settings.ACCOUNT_FORMS = {}
    member = world["people"]["member"]

    response = client.post("/accounts/login/", {"login": member.email, "password": PASSWORD}, follow=True)

    assert "_auth_user_id" not in client.session
    assert "Members sign in with their association login: please use the button" in read(response)
