"""The email branding pages: staff for every association and region, an association's officers
for theirs, a region's VP for theirs (everyone else: 404, nothing changes); hostile uploads and
input refused in plain words with what was typed kept; a preview of each kind of email."""

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from conftest import comparable, make_member
from leadership.branding import KINDS
from mentoring.models import AssociationOfficer
from outbox.brands import LOGO_MAX_BYTES
from outbox.models import Brand

pytestmark = pytest.mark.django_db


def png(width=300, height=90) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (20, 83, 45)).save(out, format="PNG")
    return out.getvalue()


def association_url(association):
    return reverse("association_branding", args=[association.pk])


def region_url(region):
    return reverse("region_branding", args=[region.pk])


def fields(**more):
    return {"sender_name": "Northport Mentoring", "reply_to": "chair@example.org", "colour": "#14532d", **more}


@pytest.fixture
def northport(world):
    return world["associations"]["northport"]


@pytest.fixture
def easton_officer(world):
    easton = world["associations"]["easton"]
    person = make_member("easton.officer@example.org", easton, first_name="Eli")
    AssociationOfficer.objects.create(association=easton, user=person, role=AssociationOfficer.Role.PRESIDENT)
    return person


def test_an_officer_sets_their_associations_logo_colour_and_sender(client, world, northport):
    client.force_login(world["people"]["officer"])
    page = client.get(association_url(northport))
    assert page.status_code == 200 and page["Cache-Control"] == "no-store, private"
    assert 'sandbox=""' in page.content.decode()
    logo = SimpleUploadedFile("logo.png", png(), content_type="image/png")
    response = client.post(association_url(northport), {**fields(), "logo": logo})
    assert response.status_code == 302
    brand = Brand.objects.get(association=northport)
    assert (brand.sender_name, brand.reply_to, brand.colour, brand.organisation) == (
        "Northport Mentoring",
        "chair@example.org",
        "#14532d",
        "Northport",
    )
    assert brand.logo_type == "image/png" and (brand.logo_width, brand.logo_height) == (200, 60)
    page = client.get(association_url(northport)).content.decode()
    assert "Northport Mentoring &lt;" in page  # the preview's From line
    # Saved again without a file: the logo stays; "remove" takes it away.
    client.post(association_url(northport), fields(colour="#7a1f5c"))
    brand.refresh_from_db()
    assert brand.logo_digest and brand.colour == "#7a1f5c"
    client.post(association_url(northport), fields(remove_logo="on"))
    brand.refresh_from_db()
    assert not brand.logo_digest and brand.logo is None


def test_a_vp_sets_their_regions_and_staff_any(client, world):
    north, south = world["regions"]["north"], world["regions"]["south"]
    client.force_login(world["people"]["vp"])
    assert client.post(region_url(north), fields(sender_name="North Leaders")).status_code == 302
    assert Brand.objects.get(region=north).sender_name == "North Leaders"
    client.force_login(world["people"]["staff"])
    assert client.post(region_url(south), fields(sender_name="South")).status_code == 302
    easton = world["associations"]["easton"]
    assert client.post(association_url(easton), fields(sender_name="Easton")).status_code == 302
    assert Brand.objects.get(association=easton).sender_name == "Easton"


@pytest.mark.parametrize("who", ["member", "chair", "committee_member", "other_chair", "vp", "other_vp", "easton"])
def test_anyone_else_gets_404_on_an_associations_branding_and_nothing_changes(
    client, world, northport, easton_officer, who
):
    client.force_login(easton_officer if who == "easton" else world["people"][who])
    url = association_url(northport)
    assert client.get(url).status_code == 404
    assert client.post(url, fields()).status_code == 404
    kind_url = reverse("association_branding_preview", args=[northport.pk, "introduction"])
    assert client.get(kind_url).status_code == 404
    assert not Brand.objects.exists()


@pytest.mark.parametrize("who", ["member", "chair", "other_vp", "officer"])
def test_anyone_but_its_vp_and_staff_gets_404_on_a_regions_branding(client, world, who):
    client.force_login(world["people"][who])
    north = world["regions"]["north"]
    assert client.get(region_url(north)).status_code == 404
    assert client.post(region_url(north), fields()).status_code == 404
    assert client.get(reverse("region_branding_preview", args=[north.pk, "introduction"])).status_code == 404
    assert not Brand.objects.exists()


def test_a_missing_association_answers_as_a_forbidden_one(client, world, northport):
    client.force_login(world["people"]["officer"])
    easton = world["associations"]["easton"]
    forbidden, missing = client.get(association_url(easton)), client.get(reverse("association_branding", args=[99999]))
    assert forbidden.status_code == missing.status_code == 404 and comparable(forbidden) == comparable(missing)


HOSTILE_FILES = [
    ("page.png", b"<html><script>alert(1)</script></html>", "image/png", "not one"),
    ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml", "not one"),
    ("logo.png", b"\x89PNG\r\n\x1a\n<script>alert(1)</script>", "image/png", "could not be read"),
    ("script.js", b"alert(1)", "image/png", "not one"),
    ("huge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * (LOGO_MAX_BYTES + 10), "image/png", "too large"),
    ("empty.png", b"", "image/png", ""),  # an empty upload: Django's own words
]


@pytest.mark.parametrize(("name", "data", "mimetype", "words"), HOSTILE_FILES, ids=[f[0] for f in HOSTILE_FILES])
def test_a_hostile_file_is_refused_and_what_was_typed_is_kept(client, world, northport, name, data, mimetype, words):
    client.force_login(world["people"]["officer"])
    typed = fields(sender_name="Northport <b>Mentoring</b>", reply_to="desk@example.org", colour="#7a1f5c")
    response = client.post(association_url(northport), {**typed, "logo": SimpleUploadedFile(name, data, mimetype)})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and html.escape(words) in page
    assert 'value="Northport &lt;b&gt;Mentoring&lt;/b&gt;"' in page  # kept, and escaped
    assert 'value="desk@example.org"' in page and 'value="#7a1f5c"' in page
    assert "<b>Mentoring</b>" not in page
    assert not Brand.objects.exists()


BAD_INPUT = [
    ({"colour": "#777777"}, "hard to read"),
    ({"colour": "red;background:url(//evil)"}, "six digits or letters"),
    ({"reply_to": "chair@example.org\r\nBcc: all@example.org"}, "one email address"),
    ({"reply_to": "x" * 4000}, ""),
    ({"sender_name": "N" * 2000}, ""),
    ({"sender_name": "Name\x00with a nul"}, ""),
    ({"sender_name": ""}, "This field is required."),
]


@pytest.mark.parametrize(("bad", "words"), BAD_INPUT)
def test_bad_input_is_refused_in_plain_words_with_the_rest_kept(client, world, northport, bad, words):
    client.force_login(world["people"]["officer"])
    response = client.post(association_url(northport), fields(**bad))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page and html.escape(words) in page
    kept = {k: v for k, v in fields().items() if k not in bad}
    for value in kept.values():
        assert f'value="{html.escape(value)}"' in page
    assert not Brand.objects.exists()


def test_the_preview_shows_each_kind_of_email_in_the_brand_and_the_pages_language(client, world, northport):
    client.force_login(world["people"]["officer"])
    client.post(association_url(northport), {**fields(), "logo": SimpleUploadedFile("l.png", png(), "image/png")})
    brand = Brand.objects.get(association=northport)
    assert len(KINDS) >= 25
    for kind in KINDS:
        response = client.get(reverse("association_branding_preview", args=[northport.pk, kind]))
        assert response.status_code == 200, kind
        content = response.content.decode()
        assert f"/email-logo/{brand.pk}-{brand.logo_digest}.png" in content and "#14532d" in content, kind
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "frame-ancestors 'self'" in response["Content-Security-Policy"]
        assert "script-src" not in response["Content-Security-Policy"]
    client.post(reverse("set_language"), {"language": "fr"})
    french = client.get(reverse("association_branding_preview", args=[northport.pk, "introduction"])).content.decode()
    assert '<html lang="fr">' in french and "Ouvrir cette page" in french
    assert client.get(reverse("association_branding_preview", args=[northport.pk, "nope"])).status_code == 404


def test_an_association_without_a_brand_previews_its_regions(client, world, northport):
    client.force_login(world["people"]["staff"])
    client.post(region_url(world["regions"]["north"]), fields(sender_name="North Leaders"))
    page = client.get(association_url(northport)).content.decode()
    assert "North Leaders &lt;" in page and "No branding of its own yet" in page


def test_the_page_makes_the_same_queries_with_or_without_a_logo(
    client, world, northport, django_assert_max_num_queries
):
    client.force_login(world["people"]["officer"])
    with django_assert_max_num_queries(14):
        client.get(association_url(northport))
    client.post(association_url(northport), {**fields(), "logo": SimpleUploadedFile("l.png", png(), "image/png")})
    with django_assert_max_num_queries(14):
        client.get(association_url(northport) + "?email=feedback-several")


def test_the_branding_list_shows_each_role_its_own(client, world, northport):
    client.force_login(world["people"]["officer"])
    page = client.get(reverse("branding_home")).content.decode()
    assert association_url(northport) in page and "/regions/" not in page
    client.force_login(world["people"]["vp"])
    page = client.get(reverse("branding_home")).content.decode()
    assert region_url(world["regions"]["north"]) in page and region_url(world["regions"]["south"]) not in page
    client.force_login(world["people"]["member"])
    assert client.get(reverse("branding_home")).status_code == 404


def test_the_officers_and_vps_home_pages_link_to_their_branding(client, world, northport):
    client.force_login(world["people"]["officer"])
    assert association_url(northport) in client.get(reverse("home")).content.decode()
    client.force_login(world["people"]["vp"])
    assert region_url(world["regions"]["north"]) in client.get(reverse("home")).content.decode()
    client.force_login(world["people"]["staff"])
    assert reverse("branding_home") in client.get(reverse("home")).content.decode()


def test_a_reply_to_address_is_the_members_own_data(client, world, northport, caplog):
    """Kept out of the logs (saved, sent) and gone when its owner erases their account."""
    from accounts.privacy import erase_member
    from outbox.emails import send_pending_emails

    person = make_member("replies.here@example.org", northport, first_name="Rae")
    client.force_login(world["people"]["officer"])
    with caplog.at_level("DEBUG"):
        client.post(association_url(northport), fields(reply_to="Replies.Here@example.org"))
        send_pending_emails()
        client.get(association_url(northport))
    assert "replies.here" not in caplog.text.lower()
    erase_member(person)
    assert Brand.objects.get(association=northport).reply_to == ""
