"""What a brand may be (outbox.brands), how the layout caches its look, and its logo as the
site serves it."""

import io
import struct
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from outbox import brands
from outbox.emails import compose
from outbox.models import Brand

pytestmark = pytest.mark.django_db


def image(width=120, height=40, image_format="PNG", mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), (200, 30, 60)).save(out, format=image_format)
    return out.getvalue()


def make_brand(**values):
    return Brand.objects.create(
        **{"organisation": "Ottawa Chapter", "sender_name": "Ottawa Chapter Mentoring", "colour": "#7a1f5c", **values}
    )


# --- The colour ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [("#7A1F5C", "#7a1f5c"), ("7a1f5c", "#7a1f5c"), (" #fd0 ", "#ffdd00")])
def test_a_colour_is_kept_as_hash_and_six_digits(typed, kept):
    assert brands.clean_colour(typed) == kept


@pytest.mark.parametrize("typed", ["", "red", "#12345", "#gggggg", "#7a1f5c;background:url(x)", "#" + "1" * 600])
def test_a_colour_that_is_not_one_is_refused_in_plain_words(typed):
    with pytest.raises(ValidationError, match="six digits or letters"):
        brands.clean_colour(typed)


def test_a_mid_grey_is_refused_as_no_words_read_on_it():
    """#777777: white words reach 4.48:1, near-black 4.2:1; AA asks 4.5."""
    with pytest.raises(ValidationError, match="hard to read"):
        brands.clean_colour("#777777")


@pytest.mark.parametrize("colour", ["#0b5cad", "#ffd400", "#000000", "#ffffff", "#7a1f5c", "#888888", "#666666"])
def test_the_buttons_words_reach_aa_on_every_colour_taken(colour):
    organisation, colour, on_colour, link, logo = brands.look(make_brand(colour=brands.clean_colour(colour)))
    assert brands.contrast(colour, on_colour) >= 4.5
    assert brands.contrast(link, "#ffffff") >= 4.5  # links on the email's white


# --- The sender's name and the reply-to address --------------------------------------------------


def test_a_sender_name_is_one_line_and_not_too_long():
    assert brands.clean_sender_name("  Ottawa   Chapter\tMentoring ") == "Ottawa Chapter Mentoring"
    assert brands.clean_sender_name("Evil\r\nBcc: x@example.org") == "Evil Bcc: x@example.org"  # one line
    for bad in ("", "   ", "x" * 81, "Nul\x00here"):
        with pytest.raises(ValidationError):
            brands.clean_sender_name(bad)


@pytest.mark.parametrize(
    "typed",
    [
        "chair@example.org\r\nBcc: x@example.org",
        "a@example.org, b@example.org",
        "Ana <a@example.org>",
        "nope",
        "a@" + "x" * 260,
    ],
)
def test_a_reply_to_must_be_one_plain_address(typed):
    with pytest.raises(ValidationError, match="one email address"):
        brands.clean_reply_to(typed)


def test_the_from_header_is_the_brands_name_at_the_sites_address(settings):
    settings.DEFAULT_FROM_EMAIL = "Mentoring <mentoring@example.org>"
    message = compose(to="a@example.org", subject="S", body="Hi\n", brand=make_brand(reply_to="chair@example.org"))
    assert message.from_email == "Ottawa Chapter Mentoring <mentoring@example.org>"
    assert message.reply_to == ["chair@example.org"]
    raw = message.message().as_string()
    assert "From: Ottawa Chapter Mentoring <mentoring@example.org>" in raw and "Reply-To: chair@example.org" in raw
    quoted = compose(to="a@example.org", subject="S", body="Hi\n", brand=make_brand(sender_name='Ana "Co", <b>'))
    assert quoted.from_email == '"Ana \\"Co\\", <b>" <mentoring@example.org>'  # quoted: one name, one address


def test_a_name_written_past_the_form_still_makes_one_header_line(settings):
    brand = make_brand()
    brand.sender_name = "Evil\r\nBcc: victim@example.org\r\n" + "é" * 500
    raw = compose(to="a@example.org", subject="S", body="Hi\n", brand=brand).message().as_bytes()
    assert b"\nBcc:" not in raw and b"\r\nBcc:" not in raw


# --- The logo ------------------------------------------------------------------------------------


def test_a_png_and_a_jpeg_are_drawn_again_to_fit_the_email():
    png = brands.clean_logo(image(1200, 300))
    assert png["logo_type"] == "image/png" and png["logo"].startswith(b"\x89PNG")
    assert (png["logo_width"], png["logo_height"]) == (200, 50)  # fits 200 x 60
    assert Image.open(io.BytesIO(png["logo"])).size == (400, 100)  # twice that, for sharp screens
    jpeg = brands.clean_logo(image(100, 50, "JPEG"))
    assert jpeg["logo_type"] == "image/jpeg" and (jpeg["logo_width"], jpeg["logo_height"]) == (100, 50)


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"<html><script>alert(1)</script></html>", "not one"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not one"),
        (b"GIF89a" + image(20, 20, "GIF")[6:], "not one"),
        (b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>", "could not be read"),  # a PNG only by name
        (image()[:60], "could not be read"),  # cut short
        (image(20, 20, "JPEG")[:3] + b"<script>", "could not be read"),
        (b"x" * (brands.LOGO_MAX_BYTES + 1), "too large"),
        (image(8, 8), "at least 16"),
        (image(1300, 100), "12 times"),
    ],
)
def test_what_is_not_a_sane_png_or_jpeg_is_refused_in_plain_words(data, words):
    with pytest.raises(ValidationError, match=words):
        brands.clean_logo(data)


def test_a_decompression_bomb_is_refused_before_it_is_drawn():
    """A PNG header claiming 20,000 x 20,000 pixels in a few bytes."""
    header = b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0))
    data = header + _chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + _chunk(b"IEND", b"")
    with pytest.raises(ValidationError, match="too large"):
        brands.clean_logo(data)


def test_a_png_with_a_script_after_its_end_is_served_without_it():
    polyglot = image() + b"<script>alert(1)</script>"
    kept = brands.clean_logo(polyglot)
    assert b"<script>" not in kept["logo"]


def test_the_logo_is_served_public_cached_and_as_an_image_only(client):
    brand = make_brand(**brands.clean_logo(image()))
    url = brands.logo_url(brand).removeprefix("http://127.0.0.1:8000")
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content == bytes(brand.logo)
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert client.get(url, headers={"If-None-Match": response["ETag"]}).status_code == 304
    old = reverse("brand_logo", kwargs={"brand_id": brand.pk, "digest": "0123456789abcdef", "extension": "png"})
    assert client.get(old)["Cache-Control"] == "public, max-age=86400"  # an old email: today's logo
    gone = reverse("brand_logo", kwargs={"brand_id": brand.pk + 1, "digest": brand.logo_digest, "extension": "png"})
    assert client.get(gone).status_code == 404
    assert client.post(url).status_code == 405


# --- The layout's cache -------------------------------------------------------------------------


def test_an_edited_brand_is_never_filled_into_its_old_layout():
    brand = make_brand(**brands.clean_logo(image()))
    body = "Hello\n\nhttps://example.org/x/\n"
    first = compose(to="a@example.org", subject="S", body=body, brand=brands.brand_by_id(brand.pk)).alternatives[0][0]
    assert "#7a1f5c" in first
    brand.colour, brand.organisation = "#14532d", "Ottawa Region"
    brand.save()  # as the branding page does
    again = compose(to="a@example.org", subject="S", body=body, brand=brands.brand_by_id(brand.pk)).alternatives[0][0]
    assert "#14532d" in again and "#7a1f5c" not in again and 'alt="Ottawa Region"' in again
    brand.logo, brand.logo_digest, brand.logo_type = None, "", ""
    brand.save()
    plain = compose(to="a@example.org", subject="S", body=body, brand=brands.brand_by_id(brand.pk)).alternatives[0][0]
    assert "<img" not in plain
