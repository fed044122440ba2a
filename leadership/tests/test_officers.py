"""A local association's officers: the VP (or staff) appoints them among the association's members;
officers appoint the chair of their association's new-member program (not a leadership program's)
and read its report. Everyone else: 404, and nothing changes."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.models import Profile
from conftest import make_member
from leadership import officers
from mentoring import services
from mentoring.models import AssociationOfficer, CommitteeMembership
from mentoring.privacy import blockers
from mentoring.roles import roles_for
from outbox.models import OutgoingEmail

Role = AssociationOfficer.Role


@pytest.fixture
def people(world):
    return world["people"]


@pytest.fixture
def northport(world):
    return world["associations"]["northport"]


def says(response, text):
    return html.escape(text) in response.content.decode()


def officers_url(association):
    return reverse("association_officers", args=[association.pk])


def state():
    return {
        "officers": sorted(AssociationOfficer.objects.values_list("association_id", "user_id", "role")),
        "seats": sorted(CommitteeMembership.objects.values_list("program_id", "user_id", "role")),
        "emails": OutgoingEmail.objects.count(),
    }


# --- The VP appoints officers -------------------------------------------------------------------


def test_the_vp_chooses_a_member_by_name_confirms_and_the_officer_is_emailed(client, people, northport):
    client.force_login(people["vp"])
    page = client.get(officers_url(northport))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Ola Officer" in body and "President" in body  # today's officer
    assert "Mia Member (Northport" in body and "member@example.org" not in body  # names, not addresses
    assert "Otto Other" not in body and "Uma Unpledged" not in body  # only Northport's members
    before = state()

    asked = client.post(officers_url(northport), {"person": people["member"].pk, "role": "membership"})
    assert asked.status_code == 200 and says(asked, "Make Mia Member membership officer of Northport?")
    assert state() == before  # nothing happens before the confirmation

    done = client.post(
        officers_url(northport), {"person": people["member"].pk, "role": "membership", "confirm": "True"}
    )

    assert done.status_code == 302 and done.url == officers_url(northport)
    officer = AssociationOfficer.objects.get(user=people["member"])
    assert (officer.association, officer.role, officer.appointed_by) == (northport, Role.MEMBERSHIP, people["vp"])
    email = OutgoingEmail.objects.get(key=f"officer-appointed:{officer.pk}")
    assert email.to == "member@example.org" and email.subject == "You are now membership officer of Northport"
    assert "appoint the chair of Northport's new-member mentoring program" in email.body
    assert says(client.get(done.url), "Mia Member is now membership officer of Northport. We emailed them.")


def test_a_new_president_takes_over_from_the_one_before(client, people, northport):
    client.force_login(people["vp"])
    asked = client.post(officers_url(northport), {"person": people["member"].pk, "role": "president"})
    assert says(asked, "Ola Officer, the president today, will no longer be president.")

    client.post(officers_url(northport), {"person": people["member"].pk, "role": "president", "confirm": "True"})

    assert list(AssociationOfficer.objects.filter(association=northport).values_list("user__email", "role")) == [
        ("member@example.org", "president")
    ]


def test_the_same_role_twice_is_refused_with_a_message(client, people, northport):
    client.force_login(people["vp"])
    before = state()
    response = client.post(
        officers_url(northport), {"person": people["officer"].pk, "role": "president", "confirm": "True"}
    )
    assert response.status_code == 200 and says(response, "Ola Officer is Northport's president already.")
    assert state() == before


def test_staff_appoint_officers_of_any_association(client, people, world):
    southbury = world["associations"]["southbury"]
    client.force_login(people["staff"])
    response = client.post(
        officers_url(southbury), {"person": people["other_member"].pk, "role": "president", "confirm": "True"}
    )
    assert response.status_code == 302
    assert AssociationOfficer.objects.filter(association=southbury, user=people["other_member"]).exists()


@pytest.mark.parametrize("who", ["other_vp", "officer", "chair", "member", "committee_member"])
def test_others_get_404_on_the_officers_page_and_nothing_changes(client, people, northport, who):
    officer = AssociationOfficer.objects.get(user=people["officer"])
    before = state()
    client.force_login(people[who])

    assert client.get(officers_url(northport)).status_code == 404
    data = {"person": people["member"].pk, "role": "president", "confirm": "True"}
    assert client.post(officers_url(northport), data).status_code == 404
    assert client.post(reverse("officer_remove", args=[northport.pk, officer.pk])).status_code == 404
    assert client.get(reverse("association_officers", args=[northport.pk + 1000])).status_code == 404

    assert state() == before


def test_the_vp_gets_404_for_an_association_of_another_region(client, people, world):
    southbury = world["associations"]["southbury"]
    client.force_login(people["vp"])
    before = state()
    assert client.get(officers_url(southbury)).status_code == 404
    data = {"person": people["other_member"].pk, "role": "president", "confirm": "True"}
    assert client.post(officers_url(southbury), data).status_code == 404
    assert state() == before


def test_a_member_of_another_association_is_not_offered(client, people, northport):
    client.force_login(people["vp"])
    before = state()
    for outsider in ("unpledged_member", "other_member"):  # Easton (same region), Southbury
        data = {"person": people[outsider].pk, "role": "membership", "confirm": "True"}
        response = client.post(officers_url(northport), data)
        assert says(response, "Choose a member of the list; that one is no longer there.")
    assert state() == before


HOSTILE = [
    "",
    "x" * 2540,
    "<script>alert(1)</script>",
    "1 OR 1=1; DROP TABLE mentoring_associationofficer;--",
    "\u202eretsam \U0001f600",
    "1\x00",
    "-1",
    "99999999999999999999",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_input_gets_a_plain_message_and_saves_nothing(client, people, northport, value):
    client.force_login(people["vp"])
    before = state()

    for data, message in [
        ({"person": value, "role": "membership", "confirm": "True"}, "Choose"),
        ({"person": people["member"].pk, "role": value, "confirm": "True"}, "Choose president or membership officer."),
    ]:
        response = client.post(officers_url(northport), data)
        assert response.status_code == 200
        assert "There is a problem" in response.content.decode()
        assert says(response, message)
        assert "<script>alert(1)" not in response.content.decode()

    # What was chosen rightly stays chosen.
    response = client.post(officers_url(northport), {"person": people["member"].pk, "role": value})
    assert f'value="{people["member"].pk}" selected' in response.content.decode()
    assert state() == before


def test_the_vp_removes_an_officer(client, people, northport):
    officer = AssociationOfficer.objects.get(user=people["officer"])
    client.force_login(people["vp"])
    assert client.get(reverse("officer_remove", args=[northport.pk, officer.pk])).status_code == 405

    response = client.post(reverse("officer_remove", args=[northport.pk, officer.pk]))

    assert response.status_code == 302
    assert not AssociationOfficer.objects.exists()
    assert says(client.get(response.url), "Ola Officer is no longer president of Northport.")


def test_an_officer_of_another_association_in_the_address_is_404(client, people, world):
    southbury = world["associations"]["southbury"]
    theirs = officers.appoint_officer(
        association=southbury, user=people["other_member"], role="president", by=people["staff"]
    )
    client.force_login(people["vp"])
    northport = world["associations"]["northport"]
    assert client.post(reverse("officer_remove", args=[northport.pk, theirs.pk])).status_code == 404
    assert AssociationOfficer.objects.filter(pk=theirs.pk).exists()


# --- The rules, in the service and the database -----------------------------------------------


def test_the_service_refuses_a_non_member_and_someone_not_the_vp(people, northport):
    with pytest.raises(ValidationError, match="not a member of Northport"):
        officers.appoint_officer(association=northport, user=people["other_member"], role="membership", by=people["vp"])
    for who in ("other_vp", "officer", "chair"):
        with pytest.raises(ValidationError, match="Only staff or the region's vice president"):
            officers.appoint_officer(association=northport, user=people["member"], role="membership", by=people[who])
    with pytest.raises(ValidationError):
        officers.appoint_officer(association=northport, user=people["member"], role="king", by=people["vp"])
    assert AssociationOfficer.objects.count() == 1 and not OutgoingEmail.objects.exists()


def test_one_president_per_association_in_the_database(people, northport):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationOfficer.objects.create(association=northport, user=people["member"], role="president")


# --- What an officer does -------------------------------------------------------------------------


def appoint_chair(client, program, person):
    return client.post(reverse("appoint_chair", args=[program.pk]), {"person": person.pk, "confirm": "True"})


def test_the_officer_appoints_the_new_member_programs_chair(client, people, program):
    newcomer = make_member("new.chair@example.org", program.association, first_name="Nell", last_name="Chair")
    client.force_login(people["officer"])
    page = client.get(reverse("appoint_chair", args=[program.pk]))
    assert page.status_code == 200 and "Nell Chair" in page.content.decode()

    response = appoint_chair(client, program, newcomer)

    assert response.status_code == 302
    seat = CommitteeMembership.objects.get(program=program, role="chair")
    assert (seat.user, seat.appointed_by) == (newcomer, people["officer"])
    assert program.committee.get(user=people["chair"]).role == "member"
    assert OutgoingEmail.objects.filter(key__startswith="chair-appointed:", to="new.chair@example.org").count() == 1


def test_an_officer_of_another_association_gets_404(client, people, world, program):
    southbury = world["associations"]["southbury"]
    officers.appoint_officer(association=southbury, user=people["other_member"], role="president", by=people["staff"])
    before = state()
    client.force_login(people["other_member"])

    assert client.get(reverse("appoint_chair", args=[program.pk])).status_code == 404
    assert appoint_chair(client, program, people["member"]).status_code == 404
    assert state() == before
    # ...and on their own association's program it works.
    assert client.get(reverse("appoint_chair", args=[world["other_program"].pk])).status_code == 200


def test_an_officer_does_not_appoint_a_leadership_programs_chair(client, people, world):
    leaders = services.create_program(name="North leaders", kind="leadership", region=world["regions"]["north"])
    before = state()
    client.force_login(people["officer"])

    assert client.get(reverse("appoint_chair", args=[leaders.pk])).status_code == 404
    assert appoint_chair(client, leaders, people["member"]).status_code == 404
    assert state() == before


def test_an_officer_who_moved_to_another_association_loses_the_rights(client, people, world, program):
    Profile.objects.filter(user=people["officer"]).update(association=world["associations"]["easton"])
    client.force_login(people["officer"])

    assert client.get(reverse("appoint_chair", args=[program.pk])).status_code == 404
    assert client.get(reverse("association_report", args=[program.association_id])).status_code == 404
    assert roles_for(people["officer"]).offices == []
    client.force_login(people["vp"])  # the VP still sees the row, with why it gives no rights
    assert "No longer a member of Northport" in client.get(officers_url(program.association)).content.decode()


def test_the_officers_home_page_shows_the_association_and_its_links(client, people, program):
    client.force_login(people["officer"])
    body = client.get(reverse("home")).content.decode()

    assert '<h2 class="h5" id="office-' in body and ">Northport</h2>" in body
    assert reverse("association_report", args=[program.association_id]) in body
    assert reverse("appoint_chair", args=[program.pk]) in body and "chair: Chad Chair" in body
    assert f'href="{reverse("reports")}"' in body  # the navigation's Reports
    assert reverse("association_officers", args=[program.association_id]) not in body  # that is the VP's


def test_the_vps_home_page_links_each_association_of_the_region(client, people, world):
    client.force_login(people["vp"])
    body = client.get(reverse("home")).content.decode()
    for name in ("northport", "easton"):
        assert reverse("association_officers", args=[world["associations"][name].pk]) in body
    assert reverse("association_officers", args=[world["associations"]["southbury"].pk]) not in body


@pytest.mark.parametrize("offices", [1, 6])
def test_roles_cost_one_query_whatever_the_offices(people, world, offices, django_assert_num_queries):
    user = people["officer"]
    for i in range(offices - 1):
        association = world["associations"]["northport"].__class__.objects.create(
            name=f"Extra {i}", region=world["regions"]["north"]
        )
        AssociationOfficer.objects.create(association=association, user=user, role="membership")
        # (an officer of an association they are not a member of holds no rights: not counted)
    with django_assert_num_queries(1):  # every page's navigation asks it
        roles = roles_for(user)
    assert [a.name for a in roles.officer_associations] == ["Northport"]


def test_an_officer_is_told_to_hand_over_before_erasing_their_data(people):
    assert any("officer of your local association" in b for b in blockers(people["officer"]))


# --- The admin --------------------------------------------------------------------------------


def test_staff_add_an_officer_in_the_admin_and_they_are_emailed(client, people, northport):
    client.force_login(people["staff"])
    add = reverse("admin:mentoring_associationofficer_add")

    refused = client.post(add, {"association": northport.pk, "user": people["other_member"].pk, "role": "membership"})
    assert refused.status_code == 200 and "not a member of Northport" in html.unescape(refused.content.decode())
    second = client.post(add, {"association": northport.pk, "user": people["member"].pk, "role": "president"})
    assert "This local association has a president already." in html.unescape(second.content.decode())

    response = client.post(add, {"association": northport.pk, "user": people["member"].pk, "role": "membership"})

    assert response.status_code == 302
    officer = AssociationOfficer.objects.get(user=people["member"])
    assert officer.appointed_by == people["staff"]
    assert OutgoingEmail.objects.filter(key=f"officer-appointed:{officer.pk}").count() == 1


def test_every_link_on_the_officers_page_opens_for_the_vp(client, people, northport):
    """The VP appoints officers, not the new-member chair: the page offers nothing that would 404."""
    import re

    client.force_login(people["vp"])
    body = client.get(officers_url(northport)).content.decode()
    for href in set(re.findall(r'<a href="(/[^"]*)"', body)):
        assert client.get(href).status_code in (200, 302), href
