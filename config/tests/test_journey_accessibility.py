"""The main pages in a real browser: no accessibility violation of any impact (axe-core), usable
at phone width (390 px: nothing wider than the screen) and with the keyboard, and no
Content-Security-Policy violation."""

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
MEMBER_PAGES = [
    "/",
    "/profile/",
    "/profile/erase/",
    "/mentoring/",
    "/accounts/email/",
    "/accounts/password/change/",
    "/accounts/2fa/",
]
COMMITTEE_PAGES = [
    "",
    "pledge/",
    "setup/",
    "setup/?section=essentials",
    "setup/?section=timeline",
    "questions/",
    "resources/",
    "orientation/",
    "recruit/",
    "surveys/",
    "members/",
    "applications/",
    "vetting/",
    "matching/",
    "matching/weights/",
    "partnerships/",
    "audit/",
]


def test_public_pages_have_no_accessibility_violation(page, live_server, csp_violations):
    for path in PUBLIC_PAGES:
        page.goto(live_server.url + path)
        screenshot(page, "a11y-public" + path.replace("/", "-").rstrip("-"))
    assert csp_violations == []


def test_member_pages_have_no_accessibility_violation(page, live_server, world, csp_violations):
    sign_in(page, live_server, world["people"]["staff"].email)
    for path in MEMBER_PAGES:
        page.goto(live_server.url + path)
        screenshot(page, "a11y" + path.replace("/", "-").rstrip("-"))  # axe and width, desktop and 390 px
    assert csp_violations == []


def test_committee_pages_have_no_accessibility_violation(page, live_server, world, csp_violations):
    program = world["program"]
    sign_in(page, live_server, world["people"]["chair"].email)
    for path in [f"/programs/{program.pk}/", f"/programs/{program.pk}/apply/mentor/"]:
        page.goto(live_server.url + path)
        screenshot(page, "a11y" + path.replace("/", "-").replace(str(program.pk), "program").rstrip("-"))
    for path in COMMITTEE_PAGES:
        page.goto(f"{live_server.url}/committee/{program.pk}/{path}")
        name = "a11y-committee-" + (path.strip("/").replace("/?section=", "-").replace("/", "-") or "dashboard")
        screenshot(page, name)  # axe and width, desktop and 390 px
    assert csp_violations == []


def test_profile_form_errors_are_accessible(page, live_server, world):
    sign_in(page, live_server, world["people"]["member"].email)
    page.goto(live_server.url + "/profile/")
    page.get_by_label("Job title*", exact=True).fill("<b>boss</b>")
    page.get_by_role("button", name="Save profile").click()

    # The summary at the top takes the focus and leads to the field; the field says it too.
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_focused()
    summary.get_by_role("link", name="Job title: Please remove the < > signs").click()
    expect(page.get_by_label("Job title*", exact=True)).to_be_focused()
    expect(page.get_by_label("Job title*", exact=True)).to_have_value("<b>boss</b>")
    assert axe_violations(page) == []
    screenshot(page, "profile-error")


def test_phone_width_menu_opens_and_shows_every_link(page, live_server, world):
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, live_server, world["people"]["chair"].email)

    menu = page.get_by_role("button", name="Show the menu")
    expect(menu).to_be_visible()
    menu.click()
    expect(page.get_by_role("link", name="Home")).to_be_visible()
    expect(page.get_by_role("button", name="Committees")).to_be_visible()
    screenshot(page, "phone-menu")
    # Nothing is wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_keyboard_reaches_the_skip_link_first_and_the_form_fields_in_order(page, live_server):
    page.goto(live_server.url + "/accounts/login/")

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    for _ in range(8):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_login":
            break
    assert page.evaluate("document.activeElement.id") == "id_login"
    page.keyboard.type("member@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_password"


def test_staff_import_the_membership_list(page, live_server, world, csp_violations, tmp_path):
    sign_in(page, live_server, world["people"]["staff"].email)
    page.get_by_role("link", name="Membership list").click()
    expect(page.get_by_role("heading", name="Import the membership list")).to_be_visible()
    bad = tmp_path / "members.csv"
    bad.write_text("email,membership_status\nmember@example.org,expired\n=HYPERLINK(1),active\n", encoding="utf-8")
    page.get_by_label("Membership list (CSV)").set_input_files(bad)
    page.get_by_role("button", name="Import").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was imported.")
    expect(alert).to_contain_text("Row 2: the membership status “expired” is not one of")
    expect(alert).to_contain_text("Row 3, email: “=HYPERLINK(1)” starts with “=”")
    assert axe_violations(page) == []
    screenshot(page, "staff-member-import-problems")
    good = tmp_path / "fixed.csv"
    good.write_text("email,membership_status\nmember@example.org,lapsed\nnew@example.org,active\n", encoding="utf-8")
    page.get_by_label("Membership list (CSV)").set_input_files(good)
    page.get_by_role("button", name="Import").click()
    expect(page.get_by_role("status")).to_contain_text("2 members in the list: 1 updated")
    screenshot(page, "staff-member-import-done")
    assert Profile.objects.get(user=world["people"]["member"]).membership_status == "lapsed"
    assert csp_violations == []
