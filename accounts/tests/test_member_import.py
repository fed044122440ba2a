"""The membership list import (association staff): what it updates, that it imports all or
nothing, and every wrong, hostile and oversized file answered in plain words, row by row."""

import html
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.imports import MAX_PROBLEMS, import_members
from accounts.models import Profile

pytestmark = pytest.mark.django_db

URL = reverse("member_import")
HEADER = "email,membership_status,member_since,renewal_date,local_association\n"


def profile(world, who):
    return Profile.objects.get(user=world["people"][who])


def upload(client, text, name="members.csv", encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return client.post(URL, {"file": SimpleUploadedFile(name, data, content_type="text/csv")})


def problems(response):
    result = response.context["result"]
    assert result is not None and not result.ok
    return result.problems


@pytest.fixture
def staff_client(client, world):
    client.force_login(world["people"]["staff"])
    return client


def test_staff_import_the_list_and_each_member_is_brought_up_to_date(staff_client, world):
    before = {who: profile(world, who) for who in ("member", "chair", "vp")}
    text = (
        "\ufeffEmail, Membership Status ,member since,Renewal_Date,local association\n"  # a BOM, spaces, capitals
        "MEMBER@example.org,lapsed,2019-04-01,2026-03-31,easton\n"  # any case
        "chair@example.org,Renewal due,,,\n"
        "vp@example.org,active,,,\n"  # as it is already
        "\n"  # a blank line
        "someone.else@example.org,grace,2001-01-01,,Northport\n"  # no account here
    )
    response = upload(staff_client, text)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.ok and (result.rows, result.updated, result.unchanged, result.not_here) == (4, 2, 1, 1)
    assert "4 members in the list: 2 updated, 1 already up to date, 1 without an account here." in (
        response.content.decode()
    )
    member = profile(world, "member")
    assert (member.membership_status, member.member_since, member.renewal_date) == (
        "lapsed",
        date(2019, 4, 1),
        date(2026, 3, 31),
    )
    assert member.association == world["associations"]["easton"]
    assert member.updated_at > before["member"].updated_at
    chair = profile(world, "chair")
    # Empty cells change nothing.
    assert chair.membership_status == "grace" and chair.member_since == before["chair"].member_since
    assert chair.association == before["chair"].association
    assert profile(world, "vp").updated_at == before["vp"].updated_at
    # Who changed and what, in words.
    page = " ".join(html.unescape(response.content.decode()).replace("<strong>", "").replace("</strong>", "").split())
    old = before["member"]
    assert (
        f"member@example.org: membership {old.get_membership_status_display().lower()} → lapsed; "
        f"member since {old.member_since.isoformat() if old.member_since else 'none'} → 2019-04-01; "
        f"renewal date {old.renewal_date.isoformat() if old.renewal_date else 'none'} → 2026-03-31; "
        f"local association {old.association.name} → Easton"
    ) in page
    assert "chair@example.org: membership" in page and "vp@example.org:" not in page


def test_staff_download_a_template_that_imports(staff_client, world):
    response = staff_client.get(URL, {"template": ""})
    assert response["Content-Disposition"] == 'attachment; filename="membership-list-template.csv"'
    text = response.content.decode()
    assert text.splitlines()[0] == HEADER.strip()
    result = import_members(text.replace("Lakeshore", "Northport").encode())
    assert result.ok and result.not_here == 1


def test_one_bad_row_and_nothing_is_imported(staff_client, world):
    text = HEADER + "member@example.org,lapsed,,,\nchair@example.org,expired,,,\n"
    response = upload(staff_client, text)
    assert problems(response) == [
        "Row 3: the membership status “expired” is not one of active, renewal due (or grace) and lapsed."
    ]
    assert "Nothing was imported." in response.content.decode()
    assert profile(world, "member").membership_status == "active"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("not-an-email,active,,,", "Row 2: “not-an-email” is not an email address."),
        ("x'; DROP TABLE accounts_profile; --@x,active,,,", "is not an email address."),
        ("member@example.org,active,31/01/2026,,", "the member since date “31/01/2026” is not a date written like"),
        ("member@example.org,active,2026-02-30,,", "the member since date “2026-02-30” is not a date written like"),
        ("member@example.org,active,1850-01-01,,", "the member since date 1850-01-01 is too far in the past"),
        ("member@example.org,active,,9999-01-01,", "the renewal date 9999-01-01 is too far in the past or the future"),
        ("member@example.org,active,2099-01-01,,", "the member since date 2099-01-01 is too far in the past"),
        ("member@example.org,active,20260131,,", "the member since date “20260131” is not a date written like"),
        ("member@example.org,active,2026-W05-1,,", "the member since date “2026-W05-1” is not a date written like"),
        ("member@example.org,active,,,Atlantis", "Row 2: there is no local association named “Atlantis”."),
        ("member@example.org,active,,,<script>alert(1)</script>", "no local association named “<script>"),
        ("member@example.org,active,,,مركز 🏠", "Row 2: there is no local association named “مركز 🏠”."),
        ("member@example.org,active,,", "Row 2: 4 cells, where the first row names 5 columns."),
        ("member@example.org,active,,,,extra", "Row 2: 6 cells, where the first row names 5 columns."),
        ("=cmd|' /C calc'!A0,active,,,", "Row 2, email: “=cmd|' /C calc'!A0” starts with “=”, which a spreadsheet"),
        ("member@example.org,+active,,,", "Row 2, membership_status: “+active” starts with “+”"),
        ("member@example.org,active,-1,,", "Row 2, member_since: “-1” starts with “-”"),
        ("member@example.org,active,,,@SUM(A1)", "Row 2, local_association: “@SUM(A1)” starts with “@”"),
        ("member@example.org,active,,,\tEaston", None),  # stripped: a tab around a cell is only spacing
        ('member@example.org,active,,,"\t=1"', "starts with “=”"),  # under the spacing, a formula all the same
    ],
)
def test_each_wrong_or_hostile_row_is_named_and_nothing_is_imported(staff_client, world, row, message):
    response = upload(staff_client, HEADER + "chair@example.org,lapsed,,,\n" + row + "\n")
    result = response.context["result"]
    if message is None:
        assert result.ok
        return
    found = problems(response)
    assert len(found) == 1 and message in found[0].replace("Row 3", "Row 2"), found
    assert profile(world, "chair").membership_status == "active"
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page  # shown escaped, never run
    if "<script>" in row:
        assert html.escape("“<script>alert(1)</script>”") in page


def test_a_member_twice_in_the_list_is_named(staff_client, world):
    response = upload(staff_client, HEADER + "member@example.org,active,,,\nMember@Example.org,lapsed,,,\n")
    assert problems(response) == ["Row 3: member@example.org is already on row 2."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\n", "The first row must name the columns"),
        ("name,status\nMia,active\n", "It has “name”, “status”."),
        ("email\nmember@example.org\n", "The first row must name the columns"),
        ("email,membership_status,email\nmember@example.org,active,x@y.org\n", "The first row must name the columns"),
        (HEADER, "The file has a first row but no members."),
        (HEADER + "\n\n", "The file has a first row but no members."),
    ],
)
def test_a_file_with_the_wrong_columns_or_no_members_is_refused(staff_client, world, text, message):
    found = problems(upload(staff_client, text))
    assert len(found) == 1 and message in found[0]


def test_a_file_in_another_encoding_or_not_text_is_refused(staff_client, world):
    latin = HEADER + "member@example.org,active,,,Montréal\n"
    assert problems(upload(staff_client, latin, encoding="latin-1")) == [
        "The file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”."
    ]
    spreadsheet = b"PK\x03\x04\x14\x00\x06\x00" + bytes(200)  # an .xlsx (a zip) renamed .csv
    assert problems(upload(staff_client, spreadsheet)) == [
        "This is not a CSV text file (it holds binary data). Save the list as CSV and try again."
    ]


def test_a_50_mb_file_is_refused_before_it_is_read(staff_client, world):
    big = HEADER.encode() + b"member@example.org,active,,,\n" * (50 * 1024 * 1024 // 29)
    found = problems(upload(staff_client, big))
    assert found == ["The file is 50.0 MB; the largest accepted is 5 MB. Split it into several files."]
    assert profile(world, "member").membership_status == "active"


def test_many_problems_are_listed_up_to_a_limit(world):
    rows = "".join(f"nobody{i},active,,,\n" for i in range(200))
    result = import_members((HEADER + rows).encode())
    assert len(result.problems) == MAX_PROBLEMS + 1
    assert result.problems[-1] == "…and there may be more: fix these first, then import again."


def test_without_a_file_or_with_an_empty_one_the_form_says_so(staff_client):
    for response, message in [
        (staff_client.post(URL, {}), "This field is required."),
        (upload(staff_client, b""), "The submitted file is empty."),
    ]:
        assert response.context["result"] is None and message in response.content.decode()


@pytest.mark.parametrize("who", ["member", "chair", "vp", "committee_member"])
def test_only_staff_may_import(client, world, who):
    client.force_login(world["people"][who])
    assert upload(client, HEADER + "member@example.org,lapsed,,,\n").status_code == 404
    assert profile(world, "member").membership_status == "active"


def test_a_large_list_costs_a_few_queries(world, django_assert_max_num_queries):
    rows = "".join(f"member{i}@elsewhere.example.org,active,,,\n" for i in range(3000))
    text = HEADER + "member@example.org,lapsed,,,\n" + rows
    with django_assert_max_num_queries(8):
        result = import_members(text.encode())
    assert result.ok and (result.updated, result.not_here) == (1, 3000)


def test_an_import_on_the_29th_of_february_works(world):
    with time_machine.travel(datetime(2028, 2, 29, 15, 0, tzinfo=UTC), tick=False):
        result = import_members((HEADER + "member@example.org,active,2020-02-29,2033-02-28,\n").encode())
    assert result.ok and result.updated == 1


def test_the_erase_password_is_rate_limited(client, world):
    client.force_login(world["people"]["member"])
    for _ in range(10):
        client.post(reverse("accounts:erase"), {"password": "guess", "confirm": "on"})
    response = client.post(reverse("accounts:erase"), {"password": "guess", "confirm": "on"})
    assert "Too many tries. Wait a minute, then try again." in response.content.decode()
