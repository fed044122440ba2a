"""A member whose association login says their membership lapsed is left out of the next matching
run: the claims are read at sign-in (identity) into the profile that matching reads at run time."""

from accounts.models import Profile
from conftest import applicant
from identity.tests.oidc import sign_in_with_provider
from matching.services import start_run

NEW_MEMBER = {
    "email_verified": True,
    "given_name": "Lena",
    "family_name": "Lapsing",
    "membership_status": "Active",
    "renewal_date": "2027-03-31",
    "local_association": "NPT-01",
}


def test_a_member_whose_claims_say_lapsed_is_left_out_of_the_next_matching_run(client, connected, world):
    program, chair = world["program"], world["people"]["chair"]
    lena = applicant(program, "lena.lapsing@example.org", "mentee")
    amir = applicant(program, "amir.active@example.org", "mentee")
    applicant(program, "first.mentor@example.org", "mentor", years=12, capacity=2, employer="Firm B")
    Profile.objects.filter(user=lena.user).update(member_number="M-555")
    connected.set_member(
        "lena",
        **{**NEW_MEMBER, "email": "lena@home.example.net", "member_number": "M-555", "membership_status": "Lapsed"},
    )

    sign_in_with_provider(client, "lena")
    assert client.session["_auth_user_id"] == str(lena.user.pk)
    run = start_run(program=program, by=chair)

    proposed = set(run.proposals.values_list("mentee_application_id", flat=True))
    assert amir.pk in proposed and lena.pk not in proposed, (run.status, run.left_out, run.unmatched, run.error)
    assert {"application": lena.pk, "why": {"key": "lapsed", "date": "2027-03-31"}} in run.left_out
