"""Members sign in with their association login, in a real headless Chromium: the site's sign-in
page, the association's identity provider (a real OpenID Connect provider on loopback,
identity/tests/provider/), and back. A member whose claims say "lapsed" is left out of the next
matching run, which reads the profile at run time."""

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from conftest import applicant, screenshot, sign_in
from identity.tests.oidc import MEMBER_PASSWORD
from matching.services import start_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUTTON = "Sign in with your association login"


def through_the_provider(page, live_server, username):
    page.goto(live_server.url + "/accounts/login/")
    expect(page.get_by_role("button", name=BUTTON)).to_be_visible()
    return page.get_by_role("button", name=BUTTON)


def at_the_provider(page, username, name):
    expect(page.get_by_role("heading", name="Association Member Portal")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(MEMBER_PASSWORD)
    page.screenshot(path=f"test-artifacts/{name}-provider-login.png", full_page=True)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Authorize").click()  # the provider asks the member to allow it


def test_a_new_member_signs_in_with_the_association_login_and_finds_the_profile_filled(
    page, live_server, connected, world, csp_violations
):
    connected.set_member(
        "nadia",
        email="nadia.newcomer@example.org",
        email_verified=True,
        given_name="Nadia",
        family_name="Newcomer",
        member_number="M-10442",
        membership_status="Active",
        renewal_date="2027-03-31",
        local_association="NPT-01",
    )
    button = through_the_provider(page, live_server, "nadia")
    screenshot(page, "identity-01-sign-in-page")
    button.click()

    at_the_provider(page, "nadia", "identity-02")

    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/accounts/" not in url)
    screenshot(page, "identity-03-back-signed-in")
    page.goto(live_server.url + "/profile/")
    expect(page.get_by_label("Local association")).to_have_value(str(world["associations"]["northport"].pk))
    screenshot(page, "identity-04-profile")
    profile = Profile.objects.get(user__email="nadia.newcomer@example.org")
    assert (profile.member_number, profile.membership_status) == ("M-10442", "active")
    assert csp_violations == []


def test_a_member_whose_claims_say_lapsed_signs_in_and_is_left_out_of_the_next_run(
    page, live_server, connected, world, csp_violations
):
    program, chair = world["program"], world["people"]["chair"]
    lena = applicant(program, "lena.lapsing@example.org", "mentee")
    amir = applicant(program, "amir.active@example.org", "mentee")
    applicant(program, "first.mentor@example.org", "mentor", years=12, capacity=2, employer="Firm B")
    Profile.objects.filter(user=lena.user).update(member_number="M-555")
    connected.set_member(
        "lena",
        email="lena@home.example.net",  # not the address she has here: the member number links
        email_verified=True,
        member_number="M-555",
        membership_status="Lapsed",
        renewal_date="2026-10-31",
        local_association="NPT-01",
    )
    through_the_provider(page, live_server, "lena").click()
    at_the_provider(page, "lena", "identity-05-lapsed")
    page.wait_for_url(lambda url: url.startswith(live_server.url) and "/accounts/" not in url)
    screenshot(page, "identity-06-lapsed-member-signed-in")

    lena.user.profile.refresh_from_db()
    assert lena.user.profile.membership_status == Profile.MembershipStatus.LAPSED
    run = start_run(program=program, by=chair)

    proposed = set(run.proposals.values_list("mentee_application_id", flat=True))
    assert amir.pk in proposed and lena.pk not in proposed
    assert {"application": lena.pk, "why": {"key": "lapsed", "date": "2026-10-31"}} in run.left_out
    assert csp_violations == []


def test_staff_connect_the_provider_on_their_page(page, live_server, world, csp_violations):
    sign_in(page, live_server, world["people"]["staff"].email)
    page.goto(live_server.url + "/staff/sign-in/")
    page.get_by_label("Members can sign in this way").check()
    page.get_by_label("Issuer address*").fill("http://login.example.org")
    page.get_by_label("Client ID*").fill("mentoring")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    screenshot(page, "identity-07-staff-page-with-errors")

    page.get_by_label("Issuer address*").fill("https://login.example.org/oidc")
    page.get_by_label("The button’s words in English").fill("Sign in with MyAssociation")
    page.get_by_label("Client secret").fill("a-secret-from-the-provider")
    page.get_by_label("Value sent by the identity provider").first.fill("NPT-01")
    page.locator("#id_mapping-0-association").select_option(label="Northport")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The sign-in settings are saved.")).to_be_visible()
    screenshot(page, "identity-08-staff-page-saved")
    assert "a-secret-from-the-provider" not in page.content()
    assert csp_violations == []
