import json

import pytest
from django.urls import reverse

from sync import services
from sync.models import IntegrationKey

API = reverse("sync:api_members")


@pytest.fixture
def write_key(world):
    return services.create_key(name="Member database", scope=IntegrationKey.Scope.WRITE, by=world["people"]["staff"])


@pytest.fixture
def check_key(world):
    return services.create_key(name="Checker", scope=IntegrationKey.Scope.CHECK, by=world["people"]["staff"])


@pytest.fixture
def push(client, write_key):
    """POST a body (a dict/list as JSON, or bytes as they are) to the API with a key."""

    def send(body, *, key=None, content_type="application/json", **headers):
        plain = write_key[1] if key is None else key
        data = body if isinstance(body, bytes | str) else json.dumps(body)
        if plain:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {plain}"
        return client.post(API, data=data, content_type=content_type, **headers)

    return send


def member(**values):
    """One member of a push, with a recent updated_at unless given."""
    return {"membership_status": "active", "updated_at": "2026-11-30T12:00:00Z", **values}
