"""A frame fragment kept per process (accounts/templatetags/kept.py) is drawn once for its values
and language, and never carries one reader's name, committees or CSRF token to another."""

import re

import pytest
from django.middleware.csrf import _unmask_cipher_token
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.templatetags import kept

pytestmark = pytest.mark.django_db


def _fragment():
    return Template('{% load kept %}{% kept "test-counter" role %}{{ role }} {{ counter.next }}{% endkept %}')


class Counter:
    def __init__(self):
        self.drawn = 0

    @property
    def next(self):
        self.drawn += 1
        return self.drawn


def test_a_fragment_is_drawn_once_for_its_values_and_language():
    kept._kept.clear()
    counter, fragment = Counter(), _fragment()
    assert fragment.render(Context({"role": "chair", "counter": counter})) == "chair 1"
    assert fragment.render(Context({"role": "chair", "counter": counter})) == "chair 1"  # kept
    assert fragment.render(Context({"role": "member", "counter": counter})) == "member 2"
    with translation.override("fr"):
        assert fragment.render(Context({"role": "chair", "counter": counter})) == "chair 3"
    assert counter.drawn == 3


def test_only_plain_values_make_a_key():
    """An object's text may not say all the fragment reads of it."""
    with pytest.raises(TypeError):
        _fragment().render(Context({"role": object(), "counter": Counter()}))


@pytest.mark.parametrize(
    "inside", ["{% csrf_token %}", "{% block x %}{% endblock %}", '{% include "partials/messages.html" %}']
)
def test_a_csrf_token_a_block_or_an_include_may_not_be_kept(inside):
    with pytest.raises(TemplateSyntaxError):
        Template('{% load kept %}{% kept "test-refused" %}<p>' + inside + "</p>{% endkept %}")


def _header(page):
    return page[: page.index("</header>")]


def _token(page):
    return _unmask_cipher_token(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1])


def test_each_reader_sees_their_own_name_committees_and_token_in_the_kept_frame(client, world):
    """The chair and a member of the same committee read pages with the same kept frame."""
    program, people = world["program"], world["people"]
    pages, browsers = {}, {"chair": Client(), "committee_member": Client()}  # each their own cookies
    for who in ("chair", "committee_member", "chair"):
        browsers[who].force_login(people[who])
        page = browsers[who].get(reverse("committee:dashboard", args=[program.pk])).content.decode()
        pages.setdefault(who, []).append(page)
    chair, member = pages["chair"][0], pages["committee_member"][0]
    assert "Chad Chair" in _header(chair) and "Cora Committee" not in _header(chair)
    assert "Cora Committee" in _header(member) and "Chad Chair" not in _header(member)
    assert "Program set-up" in chair and "Program set-up" not in member  # the chair's menu
    assert _token(chair) == _token(pages["chair"][1]) != _token(member)
    client.force_login(people["member"])
    home = client.get(reverse("home")).content.decode()
    assert "Mia Member" in _header(home) and program.name not in _header(home)  # no committee of someone else's
    client.logout()
    anonymous = client.get(reverse("account_login")).content.decode()
    assert "Sign out" not in anonymous and "Mia Member" not in anonymous


def test_a_french_reader_reads_the_kept_frame_in_french(client, world):
    client.force_login(world["people"]["member"])
    assert "My mentoring" in client.get(reverse("home")).content.decode()
    world["people"]["member"].language = "fr"
    world["people"]["member"].save(update_fields=["language"])
    french = client.get(reverse("home")).content.decode()
    assert "My mentoring" not in french and 'lang="fr"' in french
