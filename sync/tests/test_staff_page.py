"""The staff page: the last push, the counts, refused pushes in words, recent changes, and the
keys (created and shown once, revoked)."""

import hashlib
import re

import pytest
from django.urls import reverse

from sync import services
from sync.models import IntegrationKey
from sync.tests.conftest import member

pytestmark = pytest.mark.django_db

URL = reverse("sync:staff")


@pytest.fixture
def staff_client(client, world):
    client.force_login(world["people"]["staff"])
    return client


def test_staff_create_a_key_and_see_it_once(staff_client, world):
    response = staff_client.post(URL, {"name": "Member database", "scope": "members:write"})
    assert response.status_code == 302 and response.url == URL  # a reload makes no second key
    response = staff_client.get(URL)
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    shown = re.search(r'value="(msk_[^"]+)"', page).group(1)
    key = IntegrationKey.objects.get()
    assert (key.name, key.scope, key.created_by) == ("Member database", "members:write", world["people"]["staff"])
    assert key.secret_hash == hashlib.sha256(shown.encode()).hexdigest()
    assert services.key_from_header(f"Bearer {shown}") == key
    # Never again: the page shows the key's start only.
    again = staff_client.get(URL).content.decode()
    assert shown not in again and f"msk_{key.prefix}_…" in again


def test_a_key_without_a_name_is_refused_with_the_error_next_to_the_field(staff_client):
    response = staff_client.post(URL, {"name": "", "scope": "members:write"})
    page = response.content.decode()
    assert response.status_code == 200 and not IntegrationKey.objects.exists()
    assert "There is a problem" in page and "No key was created yet" in page
    assert 'href="#id_name"' in page


def test_staff_revoke_a_key_and_it_is_refused_from_then_on(staff_client, world, write_key):
    key, plain = write_key
    response = staff_client.post(reverse("sync:revoke", args=[key.pk]), follow=True)
    assert "is revoked: it is refused from now on." in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None and key.revoked_by == world["people"]["staff"]
    assert services.key_from_header(f"Bearer {plain}") is None


def test_nobody_but_staff_revokes_a_key(client, world, write_key):
    client.force_login(world["people"]["chair"])
    assert client.post(reverse("sync:revoke", args=[write_key[0].pk])).status_code == 404
    write_key[0].refresh_from_db()
    assert write_key[0].revoked_at is None


def test_the_page_shows_the_last_push_the_counts_the_refusals_and_the_changes(staff_client, push, world):
    push({"members": [member(email="member@example.org", membership_status="lapsed"), member(email="vp@example.org")]})
    push({"members": [member(email="chair@example.org", local_association="=1+1")]})
    page = staff_client.get(URL).content.decode()
    assert "with the key “Member database”: Refused." in page
    assert "Recent refused pushes" in page
    assert "Row 1, local_association: “=1+1” starts with “=”" in page
    assert "member@example.org</td><td>membership: active → lapsed</td>" in page
    assert re.search(r"Members updated</dt><dd[^>]*>1<", page)
    assert re.search(r"Pushes refused</dt><dd[^>]*>1<", page)


def test_what_an_integration_sent_is_shown_escaped(staff_client, push, world):
    push({"members": [member(email="member@example.org", local_association="<i zq>")]})
    page = staff_client.get(URL).content.decode()
    assert "<i zq>" not in page and "&lt;i zq&gt;" in page


def test_staff_reach_the_page_from_the_menu(staff_client):
    assert f'href="{URL}"' in staff_client.get(reverse("home")).content.decode()
