"""The membership list import (CSV) writes its changes into the same change log as pushes, with
the staff member who imported, and the staff page shows them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sync.models import MemberChange

pytestmark = pytest.mark.django_db


def test_the_csv_import_logs_each_field_it_changed_with_who_imported(client, world):
    staff = world["people"]["staff"]
    client.force_login(staff)
    text = "email,membership_status,renewal_date\nmember@example.org,lapsed,2026-10-31\nvp@example.org,active,\n"
    response = client.post(
        reverse("member_import"), {"file": SimpleUploadedFile("m.csv", text.encode(), content_type="text/csv")}
    )
    assert response.context["result"].ok
    logged = {(c.profile.user.email, c.field, c.old, c.new, c.by, c.key) for c in MemberChange.objects.all()}
    assert logged == {
        ("member@example.org", "membership_status", "active", "lapsed", staff, None),
        ("member@example.org", "renewal_date", "", "2026-10-31", staff, None),
    }
    page = client.get(reverse("sync:staff")).content.decode()
    assert "membership: active → lapsed" in page and "the membership list, imported by Sam Staff" in page


def test_a_refused_import_logs_nothing(client, world):
    client.force_login(world["people"]["staff"])
    text = "email,membership_status\nmember@example.org,lapsed\nnot-an-address,active\n"
    client.post(reverse("member_import"), {"file": SimpleUploadedFile("m.csv", text.encode(), content_type="text/csv")})
    assert not MemberChange.objects.exists()
