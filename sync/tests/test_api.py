"""The member sync API: a push updates members under the member import's rules, all or nothing,
idempotent, stale changes left alone; and every wrong, stale, duplicate, oversized and hostile
push gets a clear message with nothing stored."""

import json

import pytest
from django.test import Client

from accounts.models import Profile
from sync import services
from sync.models import MemberChange, MemberSyncState, SyncRun
from sync.tests.conftest import API, member

pytestmark = pytest.mark.django_db


def profile(world, who):
    return Profile.objects.get(user=world["people"][who])


def snapshot():
    """Everything a push could change: every profile's membership data, the log, the states."""
    return (
        list(
            Profile.objects.order_by("pk").values_list(
                "pk",
                "membership_status",
                "member_since",
                "renewal_date",
                "association_id",
                "member_number",
                "updated_at",
            )
        ),
        MemberChange.objects.count(),
        list(MemberSyncState.objects.order_by("pk").values_list("profile_id", "as_of")),
    )


def problems(response):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["ok"] is False and body["message"].startswith("Nothing was saved.")
    return body["problems"]


# --- What a push does -----------------------------------------------------------------------------


def test_a_push_updates_members_by_email_and_by_member_number_and_logs_each_field(push, world, write_key):
    chair = profile(world, "chair")
    chair.member_number = "N-200"
    chair.save()
    response = push(
        {
            "members": [
                member(
                    email="MEMBER@example.org",
                    member_number="N-100",
                    membership_status="Lapsed",
                    renewal_date="2026-10-31",
                    local_association="easton",
                ),
                member(member_number="N-200", membership_status="renewal due"),
                member(email="vp@example.org"),  # as it is already
                member(email="nobody.here@example.org", member_number="N-999"),
            ]
        }
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["ok"] and body["changed"] and not body["dry_run"]
    assert body["counts"] == {"updated": 2, "unchanged": 1, "stale": 0, "waiting": 1, "not_here": 0}
    assert [m["result"] for m in body["members"]] == ["updated", "updated", "unchanged", "waiting"]
    assert body["members"][0]["changed"] == [
        "membership_status",
        "renewal_date",
        "association_id".replace("association_id", "local_association"),
        "member_number",
    ]
    mia = profile(world, "member")
    assert (mia.membership_status, str(mia.renewal_date), mia.association.name, mia.member_number) == (
        "lapsed",
        "2026-10-31",
        "Easton",
        "N-100",
    )
    assert profile(world, "chair").membership_status == "grace"
    logged = {(c.profile.user.email, c.field, c.old, c.new) for c in MemberChange.objects.all()}
    assert logged == {
        ("member@example.org", "membership_status", "active", "lapsed"),
        ("member@example.org", "renewal_date", "", "2026-10-31"),
        ("member@example.org", "association_id", "Northport", "Easton"),
        ("member@example.org", "member_number", "", "N-100"),
        ("chair@example.org", "membership_status", "active", "grace"),
    }
    assert {c.key_id for c in MemberChange.objects.all()} == {write_key[0].pk}
    run = SyncRun.objects.get()
    assert (run.outcome, run.received, run.updated, run.unchanged, run.stale, run.waiting, run.not_here) == (
        "applied",
        4,
        2,
        1,
        0,
        1,
        0,
    )
    write_key[0].refresh_from_db()
    assert write_key[0].last_used_at is not None


def test_the_same_push_twice_changes_nothing_the_second_time_and_says_so(push, world):
    body = {"members": [member(email="member@example.org", membership_status="lapsed")]}
    assert push(body).json()["changed"] is True
    before = snapshot()
    again = push(body).json()
    assert again["changed"] is False and again["counts"]["unchanged"] == 1 and again["counts"]["updated"] == 0
    assert snapshot() == before


def test_a_change_older_than_the_one_held_is_left_alone_and_reported_for_its_row(push, world):
    assert (
        push(
            {
                "members": [
                    member(
                        email="member@example.org", membership_status="lapsed", updated_at="2026-11-30T12:00:00+00:00"
                    )
                ]
            }
        ).status_code
        == 200
    )
    before = snapshot()
    response = push(
        {
            "members": [
                member(email="member@example.org", membership_status="active", updated_at="2026-11-30T07:59:59-04:00"),
                member(email="chair@example.org", membership_status="grace"),
            ]
        }
    )
    body = response.json()
    assert response.status_code == 200 and body["counts"] == {
        "updated": 1,
        "unchanged": 0,
        "stale": 1,
        "waiting": 0,
        "not_here": 0,
    }
    assert body["members"][0]["result"] == "stale" and body["members"][0]["held_as_of"].startswith("2026-11-30T12:00")
    assert profile(world, "member").membership_status == "lapsed"  # the newer state stays
    assert snapshot()[0][0] == before[0][0]
    # A change as recent as the one held is applied (the same moment, sent again or corrected).
    same = push({"members": [member(email="member@example.org", membership_status="grace")]})
    assert same.json()["counts"]["updated"] == 1


def test_dry_run_checks_everything_and_saves_nothing(push, world, check_key):
    before = snapshot()
    body = {"dry_run": True, "members": [member(email="member@example.org", membership_status="lapsed")]}
    response = push(body, key=check_key[1])
    assert response.status_code == 200
    assert response.json()["dry_run"] is True and response.json()["changed"] is False
    assert response.json()["counts"]["updated"] == 1  # would be
    assert snapshot() == before
    assert SyncRun.objects.get().outcome == "checked"


def test_a_check_only_key_may_not_save(push, world, check_key):
    before = snapshot()
    response = push({"members": [member(email="member@example.org", membership_status="lapsed")]}, key=check_key[1])
    assert problems(response) == ["This key may only check changes: send “dry_run”: true, or use a key that may push."]
    assert snapshot() == before


# --- Keys -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer msk_nothere_abc",
        "Bearer not-a-key-at-all",
        "Bearer msk_%s_wrong-secret",  # the right prefix, a wrong secret
        "Bearer %s\x00",
    ],
)
def test_no_key_or_a_wrong_one_is_refused_with_401_and_a_message(client, world, write_key, header):
    key, plain = write_key
    before = snapshot()
    headers = {}
    if header is not None:
        headers["HTTP_AUTHORIZATION"] = header.replace("%s", key.prefix if "msk_%s" in header else plain)
    response = client.post(
        API,
        data=json.dumps({"members": [member(email="member@example.org", membership_status="lapsed")]}),
        content_type="application/json",
        **headers,
    )
    assert response.status_code == 401
    assert response.json() == {
        "ok": False,
        "message": "A valid key is needed: send the header “Authorization: Bearer <your key>”.",
    }
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert snapshot() == before and not SyncRun.objects.exists()


def test_a_revoked_key_is_refused(push, world, write_key):
    services.revoke_key(key=write_key[0], by=world["people"]["staff"])
    response = push({"members": [member(email="member@example.org", membership_status="lapsed")]})
    assert response.status_code == 401
    assert profile(world, "member").membership_status == "active"


def test_the_key_is_never_stored_only_its_hash(write_key):
    key, plain = write_key
    key.refresh_from_db()
    assert plain.startswith(f"msk_{key.prefix}_") and len(plain) > 40
    stored = " ".join(str(getattr(key, f.attname)) for f in key._meta.concrete_fields)
    assert plain.split("_", 2)[2] not in stored and plain not in stored


def test_the_api_needs_no_csrf_token_and_answers_only_post(world, write_key):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        API,
        data=json.dumps({"members": [member(email="member@example.org")]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {write_key[1]}",
    )
    assert response.status_code == 200
    assert client.get(API, HTTP_AUTHORIZATION=f"Bearer {write_key[1]}").status_code == 405


def test_too_many_requests_with_one_key_get_429_with_retry_after(push, world, settings, check_key):
    settings.SYNC_RATE_LIMIT = 2
    body = {"members": [member(email="member@example.org")]}
    assert [push(body).status_code for _ in range(2)] == [200, 200]
    refused = push(body)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["message"].startswith("Too many requests with this key. Try again in ")
    # Another key has its own count.
    assert push({**body, "dry_run": True}, key=check_key[1]).status_code == 200


# --- Wrong, duplicate, oversized and hostile pushes: a clear message, nothing stored --------------------


BAD_BODIES = [
    (b"{not json", ['The body is not JSON (UTF-8). Send an object like {"members": [...]}.']),
    (b"\xff\xfe{}", ['The body is not JSON (UTF-8). Send an object like {"members": [...]}.']),
    ([], ["The body must be an object with a list “members” (and, if you like, “dry_run”)."]),
    ({"member": []}, ["The body must be an object with a list “members” (and, if you like, “dry_run”)."]),
    ({"members": {}}, ["The body must be an object with a list “members” (and, if you like, “dry_run”)."]),
    ({"members": [], "dry_run": "yes"}, ["dry_run must be true or false."]),
    ({"members": []}, ["The list of members is empty."]),
    ({"members": ["member@example.org"]}, ["Row 1: each member is an object with named fields."]),
    (
        {"members": [member(email="member@example.org", colour="red")]},
        ["Row 1: “colour” is not a field of a member here."],
    ),
    ({"members": [member(email=["member@example.org"])]}, ["Row 1: email must be text (in quotes)."]),
    (
        {"members": [member(email="member@example.org", membership_status=1)]},
        ["Row 1: membership_status must be text (in quotes)."],
    ),
    (
        {"members": [{"email": "member@example.org", "updated_at": "2026-11-30T12:00:00Z"}]},
        ["Row 1: membership_status is missing."],
    ),
    ({"members": [{"email": "member@example.org", "membership_status": "active"}]}, ["Row 1: updated_at is missing."]),
    (
        {"members": [member(email="member@example.org", updated_at="2026-11-30 12:00")]},
        ["Row 1: updated_at “2026-11-30 12:00” is not a date and time with its offset, like 2026-01-31T14:05:00Z."],
    ),
    (
        {"members": [member(email="member@example.org", updated_at="2099-01-01T00:00:00Z")]},
        ["Row 1: updated_at 2099-01-01T00:00:00Z is in the future."],
    ),
    ({"members": [member(membership_status="active")]}, ["Row 1: “” is not an email address."]),
    ({"members": [member(email="not an address")]}, ["Row 1: “not an address” is not an email address."]),
    (
        {"members": [member(email="member@example.org", membership_status="gone")]},
        ["Row 1: the membership status “gone” is not one of active, renewal due (or grace) and lapsed."],
    ),
    (
        {"members": [member(email="member@example.org", renewal_date="31/12/2026")]},
        ["Row 1: the renewal date “31/12/2026” is not a date written like 2026-01-31."],
    ),
    (
        {"members": [member(email="member@example.org", local_association="Atlantis")]},
        ["Row 1: there is no local association named “Atlantis”."],
    ),
]


@pytest.mark.parametrize(("body", "expected"), BAD_BODIES, ids=range(len(BAD_BODIES)))
def test_a_wrong_push_is_refused_with_every_problem_in_words_and_nothing_stored(push, world, body, expected):
    before = snapshot()
    assert problems(push(body)) == expected
    assert snapshot() == before
    run = SyncRun.objects.get()
    assert run.outcome == "refused" and run.problems == expected


def test_one_wrong_member_among_good_ones_saves_nothing(push, world):
    before = snapshot()
    response = push(
        {
            "members": [
                member(email="member@example.org", membership_status="lapsed"),
                member(email="chair@example.org", membership_status="lapsed"),
                member(email="vp@example.org", member_since="1850-01-01"),
            ]
        }
    )
    assert problems(response) == ["Row 3: the member since date 1850-01-01 is too far in the past or the future."]
    assert snapshot() == before


def test_a_member_twice_in_one_push_is_refused(push, world):
    chair = profile(world, "chair")
    chair.member_number = "N-200"
    chair.save()
    before = snapshot()
    response = push(
        {
            "members": [
                member(email="member@example.org"),
                member(email="Member@Example.org", membership_status="lapsed"),  # the same address
                member(member_number="N-7", email="vp@example.org"),
                member(member_number="N-7", email="officer@example.org"),  # the same number
                member(member_number="N-200"),
                member(email="chair@example.org"),  # the member of row 5, by their address
            ]
        }
    )
    assert problems(response) == [
        "Row 2: member@example.org is already on row 1.",
        "Row 4: N-7 is already on row 3.",
        # Found only once the profiles are read (after the rows are checked):
    ]
    assert snapshot() == before
    response = push({"members": [member(member_number="N-200"), member(email="chair@example.org")]})
    assert problems(response) == ["Row 2: this is the same member as row 1."]
    assert snapshot() == before


def test_a_member_number_and_an_address_of_two_different_members_are_refused(push, world):
    chair = profile(world, "chair")
    chair.member_number = "N-200"
    chair.save()
    before = snapshot()
    response = push({"members": [member(member_number="N-200", email="member@example.org")]})
    assert problems(response) == ["Row 1: member number N-200 is another member’s here, not member@example.org’s."]
    response = push({"members": [member(member_number="N-201", email="chair@example.org")]})
    assert problems(response) == ["Row 1: chair@example.org has member number N-200 here, not N-201."]
    assert snapshot() == before


def test_too_many_members_in_one_push_are_refused(push, world, settings):
    settings.SYNC_MAX_MEMBERS = 3
    before = snapshot()
    response = push({"members": [member(email=f"m{i}@example.org") for i in range(4)]})
    assert problems(response) == ["The list has 4 members; at most 3 are accepted at once. Send it in parts."]
    assert snapshot() == before


def test_an_oversized_body_is_refused_with_413_before_it_is_read(push, world, settings):
    settings.SYNC_MAX_BYTES = 2000
    before = snapshot()
    body = {"members": [member(email=f"m{i}@example.org") for i in range(40)]}
    response = push(body)
    assert response.status_code == 413
    assert response.json()["message"] == "The body is larger than 2.0 KB. Send the members in several requests."
    assert snapshot() == before
    assert SyncRun.objects.get().outcome == "refused"


def test_a_body_that_is_not_json_by_its_content_type_is_refused_with_415(push, world):
    response = push("email=member@example.org", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert "Content-Type: application/json" in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"members": [' + b"9" * 100_000 + b"]}"],
    ids=["nested-deep", "huge-number"],
)
def test_json_built_to_exhaust_the_parser_is_refused_in_words(push, world, body):
    before = snapshot()
    assert problems(push(body)) == ['The body is not JSON (UTF-8). Send an object like {"members": [...]}.']
    assert snapshot() == before


HOSTILE = [
    (
        member(email="member@example.org", local_association='=HYPERLINK("http://evil")'),
        'Row 1, local_association: “=HYPERLINK("http://evil")” starts with “=”, which a spreadsheet would run as a '
        "formula. Remove it.",
    ),
    (
        member(member_number="@SUM(A1)", email="member@example.org"),
        "Row 1, member_number: “@SUM(A1)” starts with “@”, which a spreadsheet would run as a formula. Remove it.",
    ),
    (
        member(email="member@example.org", member_number="<script>x</script>"),
        "Row 1: the member number “<script>x</script>” is not one: at most 30 letters, digits, dots, dashes and "
        "slashes, starting with a letter or a digit.",
    ),
    (
        member(email="member@example.org", local_association="<b>Northport</b>"),
        "Row 1: there is no local association named “<b>Northport</b>”.",
    ),
    (member(email="member@example.org\x00"), "Row 1: email holds a NUL character or more than 254 characters."),
    (
        member(email="member@example.org", local_association="N" * 10_000),
        "Row 1: local_association holds a NUL character or more than 254 characters.",
    ),
    (
        member(email="<img src=x onerror=alert(1)>" + "a" * 100 + "@example.org"),
        "Row 1: “<img src=x onerror=alert(1)>aaaaaaaaaaa…” is not an email address.",
    ),
    (member(email="m" * 300 + "@example.org"), "Row 1: email holds a NUL character or more than 254 characters."),
    (
        member(email="member@example.org", membership_status="active' OR 1=1 --"),
        "Row 1: the membership status “active' OR 1=1 --” is not one of active, renewal due (or grace) and lapsed.",
    ),
]


@pytest.mark.parametrize(("item", "expected"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_values_are_refused_in_words_and_nothing_is_stored(push, world, item, expected):
    before = snapshot()
    response = push({"members": [item]})
    assert problems(response) == [expected]
    assert snapshot() == before


def test_problems_are_listed_up_to_a_limit(push, world):
    response = push({"members": [member(email=f"bad{i}") for i in range(80)]})
    listed = problems(response)
    assert len(listed) == services.MAX_PROBLEMS + 1
    assert listed[-1] == "…and there may be more: fix these first, then send the list again."
