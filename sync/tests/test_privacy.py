"""A member's sync records are in "Download my data" and go with "Erase my account"."""

import pytest

from accounts.privacy import erase_member, export_member_data
from sync.models import MemberChange, MemberSyncState, SyncRun
from sync.tests.conftest import member

pytestmark = pytest.mark.django_db


def test_the_download_holds_the_changes_and_erasure_removes_them(push, world):
    mia = world["people"]["member"]
    push({"members": [member(email="member@example.org", member_number="N-100", membership_status="lapsed")]})
    refused = push({"members": [member(email="member@example.org"), member(email="member@example.org")]})
    assert refused.json()["problems"] == ["Row 2: member@example.org is already on row 1."]
    data = export_member_data(mia)
    assert data["profile"]["member_number"] == "N-100"
    updates = data["membership_updates"]
    assert updates["known_as_of"].startswith("2026-11-30T12:00")
    assert {(c["what"], c["before"], c["after"]) for c in updates["changes"]} == {
        ("membership_status", "active", "lapsed"),
        ("member_number", "", "N-100"),
    }
    erase_member(mia)
    assert not MemberChange.objects.filter(profile__user=mia).exists()
    assert not MemberSyncState.objects.filter(profile__user=mia).exists()
    mia.profile.refresh_from_db()
    assert mia.profile.member_number == ""
    assert SyncRun.objects.count() == 2  # the runs stay: counts only
    assert all("member@example.org" not in str(run.problems) for run in SyncRun.objects.all())
