"""The admin's pages name their icon, which exists (browsers asked for a missing /favicon.ico)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_admin_names_an_icon_that_exists(client, world):
    client.force_login(world["people"]["staff"])
    page = client.get(reverse("admin:index")).content.decode()
    icon = re.search(r'<link rel="icon" href="/static/([^"]+)"', page)
    assert icon and finders.find(icon.group(1))
    assert "Mentoring administration" in page
