"""Staff set up the member sync in a real browser, and an integration pushes over real HTTP
(a live server on loopback) with the key they were shown once."""

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def post(url, body, key, *, raw=None):
    request = urllib.request.Request(  # noqa: S310 (the test's own server, http://localhost)
        url,
        data=raw if raw is not None else json.dumps(body).encode(),
        headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (the test's own server)
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_staff_create_a_key_an_integration_pushes_and_staff_see_it_then_revoke_it(page, live_server, world):
    sign_in(page, live_server, "staff@example.org")
    page.get_by_role("link", name="Member sync").click()
    expect(page.get_by_role("heading", name="Member sync", level=1)).to_be_visible()
    page.get_by_role("button", name="Create the key").click()  # no name
    expect(page.get_by_text("There is a problem")).to_be_visible()
    screenshot(page, "sync-01-key-without-a-name")
    page.get_by_label("Name").fill("Member database")
    page.get_by_role("button", name="Create the key").click()
    key = page.get_by_label("The new key").input_value()
    assert key.startswith("msk_")
    screenshot(page, "sync-02-key-shown-once")

    api = live_server.url + "/api/sync/v1/members/"
    lapsed = {"email": "member@example.org", "membership_status": "lapsed", "updated_at": "2026-11-30T12:00:00Z"}
    assert post(api, {"members": [lapsed]}, key)[0] == 200
    status, body = post(api, {"members": [{**lapsed, "local_association": "<b>Nowhere</b>"}]}, key)
    assert status == 400 and body["problems"] == ["Row 1: there is no local association named “<b>Nowhere</b>”."]
    status, body = post(api, None, key, raw=b"{" + b" " * (2 * 1024 * 1024) + b"}")
    assert status == 413
    assert Profile.objects.get(user__email="member@example.org").membership_status == "lapsed"

    page.reload()
    expect(page.get_by_text("membership: active → lapsed")).to_be_visible()
    expect(page.get_by_text("Row 1: there is no local association named “<b>Nowhere</b>”.")).to_be_visible()
    screenshot(page, "sync-03-after-pushes")
    page.reload()  # the key is not shown again, and no second key is made
    expect(page.get_by_label("The new key")).to_have_count(0)
    assert page.get_by_role("button", name="Revoke Member database").count() == 1
    page.get_by_role("button", name="Revoke Member database").click()
    expect(page.get_by_text("is revoked: it is refused from now on.")).to_be_visible()
    screenshot(page, "sync-04-revoked")
    assert post(api, {"members": [lapsed]}, key)[0] == 401
