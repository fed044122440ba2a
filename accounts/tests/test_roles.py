"""Leadership roles on the profile: dated, structured, the member's own."""

import datetime

import pytest
from django.urls import reverse

from accounts.models import LeadershipRole

pytestmark = pytest.mark.django_db

URL = reverse("accounts:roles")
GOOD = {
    "title": "president",
    "other_title": "",
    "organisation": "Northport local association",
    "started_on": "2024-01-01",
}


def test_a_member_adds_changes_and_removes_a_role(client, world):
    member = world["people"]["member"]
    client.force_login(member)
    assert client.post(URL, GOOD).status_code == 302
    role = LeadershipRole.objects.get(user=member)
    assert role.name == "President" and role.is_current
    client.post(f"{URL}?edit={role.pk}", {**GOOD, "ended_on": "2025-06-30"})
    role.refresh_from_db()
    assert role.ended_on == datetime.date(2025, 6, 30) and LeadershipRole.objects.count() == 1
    page = client.get(URL).content.decode()
    assert "President" in page and "Northport local association" in page
    assert client.get(reverse("accounts:role_remove", args=[role.pk])).status_code == 405
    client.post(reverse("accounts:role_remove", args=[role.pk]))
    assert not LeadershipRole.objects.exists()


def test_other_means_a_role_in_words(client, world):
    client.force_login(world["people"]["member"])
    response = client.post(URL, {**GOOD, "title": "other"})
    assert "Please name the role in words." in response.content.decode()
    client.post(URL, {**GOOD, "title": "other", "other_title": "Conference organiser"})
    assert LeadershipRole.objects.get().name == "Conference organiser"


def test_someone_elses_role_is_404(client, world):
    role = LeadershipRole.objects.create(
        user=world["people"]["other_member"], title="secretary", organisation="Southbury", started_on="2024-01-01"
    )
    client.force_login(world["people"]["member"])
    assert client.get(f"{URL}?edit={role.pk}").status_code == 404
    assert client.post(f"{URL}?edit={role.pk}", GOOD).status_code == 404
    assert client.post(reverse("accounts:role_remove", args=[role.pk])).status_code == 404
    assert LeadershipRole.objects.get().organisation == "Southbury"


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"title": "", "organisation": "", "started_on": ""}, "Please choose the role."),
        ({"organisation": "x" * 1200}, "Please keep it to 120 characters"),
        ({"organisation": "<script>alert(1)</script>"}, "Please remove the &lt; &gt; signs"),
        ({"organisation": "North\x00port"}, "Please remove the &lt; &gt; signs"),
        ({"title": "'; DROP TABLE accounts_user; --"}, "Please choose a role of the list."),
        ({"started_on": "2024-13-45"}, "Please enter a date."),
        ({"ended_on": "2023-01-01"}, "Please give an end date after the start date."),
        ({"started_on": "2999-01-01"}, "Please give a start date that has come"),
    ],
)
def test_hostile_input_is_refused_in_plain_words_and_kept(client, world, changes, message):
    client.force_login(world["people"]["member"])
    response = client.post(URL, {**GOOD, **changes})
    page = response.content.decode()
    assert response.status_code == 200 and message in page
    assert "<script>alert" not in page and "Nothing was saved yet" in page
    if "organisation" in changes and "\x00" not in changes["organisation"]:
        assert changes["organisation"].replace("<", "&lt;").replace(">", "&gt;")[:50] in page
    assert not LeadershipRole.objects.exists()


def test_rtl_and_emoji_are_kept(client, world):
    client.force_login(world["people"]["member"])
    client.post(URL, {**GOOD, "organisation": "جمعية الشمال 🌍"})
    assert LeadershipRole.objects.get().organisation == "جمعية الشمال 🌍"


def test_roles_described_before_are_shown_read_only(client, world):
    member = world["people"]["member"]
    member.profile.leadership_roles = "Treasurer, Easton, 2019"
    member.profile.save()
    client.force_login(member)
    assert "Roles you described before" in client.get(URL).content.decode()
    assert "leadership_roles" not in client.get(reverse("accounts:profile")).content.decode()


def test_the_page_reads_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    member = world["people"]["member"]
    for year in range(2000, 2020):
        LeadershipRole.objects.create(
            user=member, title="director", organisation="Northport", started_on=f"{year}-01-01"
        )
    client.force_login(member)
    with django_assert_max_num_queries(12):
        assert client.get(URL).status_code == 200
