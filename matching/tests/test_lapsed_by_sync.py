"""A member lapsed by a push of the member sync API (sync/) is left out of the next matching run,
with the reason, through the real matching service: the same path as a lapse from the
membership list import. (Here, not in sync/tests: sync sits below matching.)"""

import json

import pytest
from django.urls import reverse

from conftest import applicant
from matching import services as matching
from matching.models import MatchRun, Proposal
from mentoring.services import held_back_words
from sync.services import create_key

pytestmark = pytest.mark.django_db


def test_a_member_lapsed_by_a_push_is_left_out_of_the_next_matching_run(client, world, program):
    mentee = applicant(program, "lapsing.mentee@example.org", "mentee")
    mentor = applicant(program, "steady.mentor@example.org", "mentor", years=20, employer="Other Firm")
    chair = world["people"]["chair"]
    first = matching.start_run(program=program, by=chair)
    assert first.status == MatchRun.Status.DONE, first.error
    assert Proposal.objects.filter(run=first, mentee_application=mentee).exists()  # paired while active
    Proposal.objects.filter(run=first).delete()  # that proposal is not taken up

    _key, plain = create_key(name="Member database", scope="members:write", by=world["people"]["staff"])
    lapsed = {
        "email": "lapsing.mentee@example.org",
        "member_number": "NP-77",
        "membership_status": "lapsed",
        "renewal_date": "2026-10-12",
        "updated_at": "2026-11-30T12:00:00Z",
    }
    response = client.post(
        reverse("sync:api_members"),
        data=json.dumps({"members": [lapsed]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert response.status_code == 200 and response.json()["counts"]["updated"] == 1

    run = matching.start_run(program=program, by=chair)
    assert run.status == MatchRun.Status.DONE, run.error
    assert not Proposal.objects.filter(run=run).exists()
    assert run.left_out == [{"application": mentee.pk, "why": {"key": "lapsed", "date": "2026-10-12"}}]
    assert held_back_words(run.left_out[0]["why"]) == "membership lapsed on 12 October 2026"
    assert mentor.pk not in {entry["application"] for entry in run.left_out}
