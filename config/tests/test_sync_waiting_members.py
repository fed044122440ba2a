"""A member pushed by the member sync before they had an account here (sync.models.WaitingMember)
gets the pushed membership data when their account is opened through the association's identity
provider, and a lapsed one is left out of matching. (Here, in config: sync, identity and matching
are apps that stay apart.)"""

import json
from datetime import date

import pytest
from django.urls import reverse

from accounts.models import Profile
from conftest import APPLICANT_ANSWERS, make_member
from identity.tests.oidc import sign_in_with_provider
from matching import services as matching
from matching.models import MatchRun
from mentoring.services import held_back_words, start_application, submit_application
from sync.models import MemberChange, MemberSyncState, WaitingMember
from sync.services import create_key

pytestmark = pytest.mark.django_db

CLAIMS = {  # what the provider says: no status, renewal or association claims
    "email": "oscar.oidc@example.org",
    "email_verified": True,
    "given_name": "Oscar",
    "family_name": "Oidc",
}


def push(client, world, *members):
    _key, plain = create_key(name="Member database", scope="members:write", by=world["people"]["staff"])
    response = client.post(
        reverse("sync:api_members"),
        data=json.dumps({"members": list(members)}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plain}",
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_an_account_opened_through_the_identity_provider_gets_what_was_pushed(client, connected, world):
    pushed = {
        "email": "oscar.oidc@example.org",
        "member_number": "NP-8080",
        "membership_status": "active",
        "renewal_date": "2027-06-30",
        "local_association": "Southbury",
        "updated_at": "2026-11-30T12:00:00Z",
    }
    assert push(client, world, pushed)["members"][0]["result"] == "waiting"
    connected.set_member("oscar", **CLAIMS)

    response = sign_in_with_provider(client, "oscar")

    assert response.status_code == 302, response.content[:500]
    profile = Profile.objects.get(user__email="oscar.oidc@example.org")
    assert (profile.member_number, profile.renewal_date) == ("NP-8080", date(2027, 6, 30))
    assert profile.association == world["associations"]["southbury"]
    assert MemberChange.objects.filter(profile=profile, field="member_number", new="NP-8080").exists()
    assert MemberSyncState.objects.filter(profile=profile).exists()
    assert not WaitingMember.objects.exists()


def test_a_member_lapsed_by_a_push_before_joining_is_left_out_of_matching(client, world, program):
    lapsed = {
        "email": "late.joiner@example.org",
        "membership_status": "lapsed",
        "renewal_date": "2026-10-12",
        "updated_at": "2026-11-30T12:00:00Z",
    }
    assert push(client, world, lapsed)["members"][0]["result"] == "waiting"
    # The member's account is opened and the address confirmed (as allauth does it, by its signal).
    from allauth.account.models import EmailAddress
    from allauth.account.signals import email_confirmed

    user = make_member("late.joiner@example.org", program.association, first_name="Late", last_name="Joiner")
    email_confirmed.send(sender=EmailAddress, request=None, email_address=EmailAddress.objects.get(user=user))
    assert Profile.objects.get(user=user).membership_status == Profile.MembershipStatus.LAPSED
    mentee = submit_application(
        application=start_application(program=program, user=user, role="mentee"),
        answers=dict(APPLICANT_ANSWERS),
        extra_answers={},
    )

    run = matching.start_run(program=program, by=world["people"]["chair"])

    assert run.status == MatchRun.Status.DONE, run.error
    assert run.left_out == [{"application": mentee.pk, "why": {"key": "lapsed", "date": "2026-10-12"}}]
    assert held_back_words(run.left_out[0]["why"]) == "membership lapsed on 12 October 2026"
