"""A visitor's first visit, in a real headless Chromium against a live server."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Profile
from conftest import screenshot
from outbox.emails import send_pending_emails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"


def test_visitor_signs_up_verifies_completes_profile_and_signs_out(page, live_server, world, csp_violations):
    page.goto(live_server.url + "/")
    screenshot(page, "signup-01-landing")
    page.get_by_role("link", name="Create an account").first.click()

    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Lee")
    page.get_by_label("Email").fill("jordan.lee@example.org")
    page.get_by_label("Password*", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    screenshot(page, "signup-02-form")
    page.get_by_role("button", name="Sign Up").click()
    expect(page.get_by_role("heading", name="Verify Your Email Address")).to_be_visible()
    screenshot(page, "signup-03-verify-email")

    # The link from the email that was really sent (by the outbox job, as beat runs it).
    assert send_pending_emails() == 1
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[0].body).group(0)
    page.goto(link)
    screenshot(page, "signup-04-confirm")
    page.get_by_role("button", name="Confirm").click()

    page.get_by_label("Email").fill("jordan.lee@example.org")
    page.get_by_label("Password*", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("Please complete your profile")).to_be_visible()
    screenshot(page, "signup-05-dashboard")

    page.get_by_role("link", name="Complete my profile").click()
    page.get_by_label("Local association").select_option(label="Northport (North)")
    page.get_by_label("Job title").fill("Commercial lines underwriter")
    page.get_by_label("Employer").fill("Harbor Mutual")
    page.get_by_label("Years in the profession").fill("2")
    page.get_by_label("Member since").fill("2026-05-04")
    page.get_by_label("Short bio").fill("Two years in commercial lines; keen to learn from a seasoned underwriter.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text("Your profile is saved.")).to_be_visible()
    screenshot(page, "signup-06-profile-saved")
    profile = Profile.objects.get(user__email="jordan.lee@example.org")
    assert profile.is_complete and profile.association.name == "Northport"

    page.get_by_role("button", name="Jordan Lee").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in")).to_be_visible()

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Email").fill("jordan.lee@example.org")
    page.get_by_label("Password*", exact=True).fill("not-my-password")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("jordan.lee@example.org")
    screenshot(page, "signup-07-wrong-password")
    assert csp_violations == []
