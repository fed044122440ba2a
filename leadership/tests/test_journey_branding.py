"""An association's branding in a real headless Chromium: the president finds it on the home page,
uploads a logo and picks a colour, looks at the preview; the email itself, at 800 px and on a
phone, shows the logo the site serves (loaded, not broken) and the colour."""

import io

import pytest
from django.urls import reverse
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from conftest import ARTIFACTS, screenshot, sign_in
from outbox.models import Brand

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def logo() -> bytes:
    image = Image.new("RGB", (480, 120), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, 119, 119), fill=(20, 83, 45))
    draw.ellipse((20, 20, 100, 100), fill=(255, 212, 0))
    draw.text((140, 45), "NORTHPORT", fill=(20, 83, 45))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_the_president_brands_northports_emails_and_sees_them(page, live_server, world, settings, csp_violations):
    settings.SITE_URL = live_server.url  # the logo's address, as in production
    northport = world["associations"]["northport"]
    sign_in(page, live_server, world["people"]["officer"].email)
    page.get_by_role("link", name="Email branding of Northport").click()
    expect(page.get_by_role("heading", name="Email branding of Northport")).to_be_visible()
    page.get_by_label("Sender’s name").fill("Northport Chapter Mentoring")
    page.get_by_label("Reply-to address (optional)").fill("mentoring@northport.example.org")
    page.get_by_role("textbox", name="Colour").fill("#14532d")
    page.get_by_label("Logo (optional)").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": logo()}]
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. Emails sent from now on look as the preview shows.")).to_be_visible()
    expect(page.get_by_text("Northport Chapter Mentoring <")).to_be_visible()
    frame = page.frame_locator("iframe.brand-preview")
    expect(frame.get_by_role("img", name="Northport")).to_be_visible()
    screenshot(page, "branding-01-settings")

    brand = Brand.objects.get(association=northport)
    page.goto(live_server.url + reverse("association_branding_preview", args=[northport.pk, "introduction"]))
    page.set_viewport_size({"width": 800, "height": 900})
    shown = page.get_by_role("img", name="Northport")
    expect(shown).to_be_visible()
    assert page.evaluate("document.images[0].naturalWidth") == 400  # loaded from the site: drawn at twice
    assert page.evaluate("document.images[0].getBoundingClientRect().width") == brand.logo_width
    page.screenshot(path=ARTIFACTS / "branding-02-email-800.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=ARTIFACTS / "branding-03-email-390.png", full_page=True)
    assert csp_violations == []
