"""The API's description (OpenAPI 3.1) is valid, served, and names every route and field the code has."""

import json
import re

import pytest
from django.urls import reverse
from openapi_spec_validator import validate

from sync import services, urls, views

pytestmark = pytest.mark.django_db


def document():
    return json.loads(views.OPENAPI.read_text())


def test_the_description_is_valid_openapi_3_1():
    spec = document()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_it_is_served_to_anyone(client):
    response = client.get(reverse("sync:openapi"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(b"".join(response.streaming_content)) == document()


def test_every_api_route_and_member_field_of_the_code_is_in_it():
    spec = document()
    routes = {"/" + str(p.pattern) for p in urls.urlpatterns if str(p.pattern).startswith("api/")}
    assert routes == set(spec["paths"])
    schemas = spec["components"]["schemas"]
    assert set(schemas["Member"]["properties"]) == {*services.FIELDS, "updated_at"}
    assert set(schemas["Push"]["properties"]) == {"members", "dry_run"}
    results = {name for name in re.findall(r'"result"\] = "(\w+)"', (views.OPENAPI.parent / "services.py").read_text())}
    results |= set(
        re.findall(
            r'item\["result"\], item\["held_as_of"\] = "(\w+)"', (views.OPENAPI.parent / "services.py").read_text()
        )
    )
    assert results == set(schemas["MemberResult"]["properties"]["result"]["enum"])
    counts = schemas["PushResult"]["properties"]["counts"]
    assert set(counts["properties"]) == set(counts["required"]) == set(services.RESULTS) == results
    statuses = {int(code) for code in spec["paths"]["/api/sync/v1/members/"]["post"]["responses"]}
    assert statuses == {200, 400, 401, 405, 413, 415, 429}


def test_a_real_response_fits_the_description(push, world):
    from jsonschema import Draft202012Validator

    from sync.tests.conftest import member

    spec = document()
    response = push({"members": [member(email="member@example.org", membership_status="lapsed")]})
    schema = {"$ref": "#/components/schemas/PushResult", "components": spec["components"]}
    Draft202012Validator(schema).validate(response.json())
    refused = push({"members": [member(email="nope")]})
    Draft202012Validator({"$ref": "#/components/schemas/Problems", "components": spec["components"]}).validate(
        refused.json()
    )
