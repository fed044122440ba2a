import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile

pytestmark = pytest.mark.django_db


def form_data(world, **changes):
    return {
        "first_name": "Mia",
        "last_name": "Member",
        "association": world["associations"]["easton"].pk,
        "employer": "Harbor Mutual",
        "job_title": "Claims adjuster",
        "years_in_profession": "4",
        "member_since": "2024-03-01",
        "phone": "+1 555 010 2030",
        "leadership_roles": "Secretary, Easton, 2025",
        "bio": "I handle property claims and love a good spreadsheet.",
        "time_zone": "America/Chicago",
        "email_announcements": "on",
        "email_invitations": "on",
    } | changes


def test_member_completes_the_profile(member_client, world, member):
    response = member_client.post(reverse("accounts:profile"), form_data(world))

    assert response.status_code == 302
    profile = Profile.objects.get(user=member)
    assert profile.association == world["associations"]["easton"]
    assert (profile.employer, profile.job_title, profile.years_in_profession) == ("Harbor Mutual", "Claims adjuster", 4)
    assert profile.member_since == datetime.date(2024, 3, 1)
    assert profile.is_complete


def test_profile_page_shows_the_current_values(member_client, member):
    response = member_client.get(reverse("accounts:profile"))

    assert response.status_code == 200
    assert 'value="Acme Mutual"' in response.content.decode()


def test_member_cannot_change_their_membership_status(member_client, world, member):
    member_client.post(
        reverse("accounts:profile"), form_data(world, membership_status="active", renewal_date="2099-01-01")
    )

    member.profile.refresh_from_db()
    assert member.profile.renewal_date is None


TOMORROW = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("job_title", "", "This field is required."),
        ("first_name", "<b>Mia</b>", "Please use letters only"),
        ("job_title", "<script>alert(1)</script>", "Please remove the &lt; &gt; signs"),
        ("employer", "E" * 1200, "at most 120 characters"),
        ("bio", "B" * 20000, "at most 2000 characters"),
        ("years_in_profession", "-3", "greater than or equal to 0"),
        ("years_in_profession", "200", "less than or equal to 70"),
        ("years_in_profession", "ten", "Enter a whole number."),
        ("member_since", TOMORROW, "can&#x27;t be in the future"),
        ("member_since", "1850-01-01", "1900 or later"),
        ("member_since", "31/31/2020", "Enter a valid date."),
        ("association", "999999", "Select a valid choice."),
        ("association", "1 OR 1=1", "Select a valid choice."),
        ("phone", "call me maybe", "Please enter a phone number"),
        ("employer", "Acme\x00", "Null characters are not allowed."),
        ("time_zone", "Mars/Olympus_Mons", "Select a valid choice."),
        ("time_zone", "UTC'; --", "Select a valid choice."),
    ],
)
def test_bad_profile_input_is_refused_plainly_and_keeps_what_was_typed(
    member_client, world, member, field, value, message
):
    before = Profile.objects.filter(user=member).values().get()

    response = member_client.post(reverse("accounts:profile"), form_data(world, **{field: value}))

    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert "Nothing was saved yet" in page
    assert "Harbor Mutual" in page or field == "employer"  # other answers are kept
    assert "<script>alert(1)</script>" not in page
    assert Profile.objects.filter(user=member).values().get() == before


def test_a_member_turns_off_announcements_and_keeps_invitations(member_client, world, member):
    data = form_data(world)
    del data["email_announcements"]  # an unticked box is not sent

    member_client.post(reverse("accounts:profile"), data)

    profile = Profile.objects.get(user=member)
    assert (profile.email_announcements, profile.email_invitations) == (False, True)
    assert profile.time_zone == "America/Chicago" and str(profile.zone) == "America/Chicago"


def test_hostile_but_valid_text_is_stored_as_written_and_shown_escaped(member_client, world, member):
    bio = "I said <script>alert('x')</script> and '; DROP TABLE accounts_profile; -- 🙂 שלום"

    member_client.post(reverse("accounts:profile"), form_data(world, bio=bio))
    page = member_client.get(reverse("accounts:profile")).content.decode()

    member.profile.refresh_from_db()
    assert member.profile.bio == bio
    assert "<script>alert(" not in page
    assert "&lt;script&gt;alert(" in page


def test_profile_page_is_constant_query(member_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        member_client.get(reverse("accounts:profile"))


def test_every_field_of_the_profile_form_is_saved(member, world):
    """The form is the one list of profile fields: whatever it shows, the service saves."""
    from accounts.forms import ProfileForm
    from accounts.services import update_profile

    form = ProfileForm(form_data(world), instance=member.profile, user=member)
    assert form.is_valid(), form.errors
    update_profile(user=member, data=form.cleaned_data)
    profile = Profile.objects.get(user=member)
    for name, value in form.cleaned_data.items():
        saved = getattr(member if name in ("first_name", "last_name") else profile, name)
        assert saved == value, name


def test_the_home_page_title_is_short_and_its_ids_unique(client, world):
    """Staff (and VPs) see the chairs they appoint once, in the page, not in its <title>."""
    client.force_login(world["people"]["staff"])
    body = client.get(reverse("home")).content.decode()
    title = body[body.index("<title>") : body.index("</title>")]
    assert len(title) < 80 and "chair" not in title.lower()
    assert body.count('id="chairs"') == 1


def test_the_time_zones_offered_are_the_current_ones_grouped_and_a_saved_old_name_still_works(
    member_client, world, member
):
    """554 zones with old aliases ("US/Eastern", "Etc/GMT+5") were offered, in one long list."""
    page = member_client.get(reverse("accounts:profile")).content.decode()
    offered = re.findall(r'<option value="([^"]+)"', page.split('name="time_zone"')[1].split("</select>")[0])
    assert 300 < len(offered) < 450
    assert {"America/New_York", "Europe/Amsterdam", "Asia/Kolkata", "Europe/Kyiv"} <= set(offered)
    assert not {"US/Eastern", "Asia/Calcutta", "Europe/Kiev", "Etc/GMT+5", "EST5EDT"} & set(offered)
    assert '<optgroup label="America">' in page
    assert '<option value="America/New_York">New York (United States)</option>' in page

    # A zone saved under an old name (before this list) stays chosen and valid.
    Profile.objects.filter(user=member).update(time_zone="US/Eastern")
    page = member_client.get(reverse("accounts:profile")).content.decode()
    assert '<option value="US/Eastern" selected>US/Eastern (an older name)</option>' in page
    member_client.post(reverse("accounts:profile"), form_data(world, time_zone="US/Eastern"))
    assert Profile.objects.get(user=member).time_zone == "US/Eastern"
    member_client.post(reverse("accounts:profile"), form_data(world, time_zone="Asia/Calcutta"))
    assert Profile.objects.get(user=member).time_zone == "US/Eastern"  # not offered to anyone new
