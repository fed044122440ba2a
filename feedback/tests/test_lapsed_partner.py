"""A partner whose membership lapses (pushed by the member sync API, or imported from the
membership list: the same field) is flagged to the committee in its attention queue; the
partnership goes on until the committee decides, it is never ended silently."""

import json

import pytest
from django.urls import reverse

from conftest import partnership_for
from feedback.services import partnerships_needing_attention
from sync.services import create_key

pytestmark = pytest.mark.django_db


def test_a_partner_lapsed_by_a_push_is_flagged_to_the_committee_and_the_partnership_goes_on(client, world):
    program, chair = world["program"], world["people"]["chair"]
    partnership = partnership_for(program, chair)
    assert partnerships_needing_attention(program) == []
    _key, plain = create_key(name="Member database", scope="members:write", by=world["people"]["staff"])
    lapsed = {"email": "mentee.a@example.org", "membership_status": "lapsed", "updated_at": "2026-11-30T12:00:00Z"}
    response = client.post(
        reverse("sync:api_members"),
        data=json.dumps({"members": [lapsed]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert response.status_code == 200 and response.json()["counts"]["updated"] == 1

    [attention] = partnerships_needing_attention(program)
    assert attention.partnership == partnership
    assert attention.reasons == ("The mentee's membership has lapsed",)
    partnership.refresh_from_db()
    assert partnership.status == "active"
    client.force_login(chair)
    page = client.get(reverse("committee:partnerships", args=[program.pk])).content.decode()
    assert "The mentee&#x27;s membership has lapsed" in page or "The mentee's membership has lapsed" in page
