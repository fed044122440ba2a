"""A member pushed before they have an account here is kept waiting (sync.models.WaitingMember)
and applied the moment their account exists with that address confirmed: through the real
sign-up and confirmation link, never to an unconfirmed address; then forgotten when nobody
pushes them again for SYNC_WAITING_DAYS."""

import json
import re
from datetime import date, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile, User
from outbox.emails import send_pending_emails
from sync import services
from sync.models import MemberChange, MemberSyncState, SyncRun, WaitingMember
from sync.tasks import forget_waiting_members
from sync.tests.conftest import member

pytestmark = pytest.mark.django_db

NEW = "new.person@example.org"
PUSHED = {
    "email": "New.Person@Example.org",
    "member_number": "NP-5001",
    "membership_status": "renewal due",
    "member_since": "2019-05-01",
    "renewal_date": "2026-12-31",
    "local_association": "Easton",
    "updated_at": "2026-11-30T12:00:00Z",
}
SIGN_UP = {
    "first_name": "Nora",
    "last_name": "Newperson",
    "email": NEW,
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
}


def sign_up(client, mailoutbox, *, confirm=True):
    """Sign up through the site, and (if `confirm`) follow the link in the confirmation email."""
    assert client.post(reverse("account_signup"), SIGN_UP).status_code == 302
    send_pending_emails()
    if confirm:
        link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[-1].body).group(1)
        client.post(link)
        assert EmailAddress.objects.get(email=NEW).verified
    return Profile.objects.get(user__email=NEW)


def test_a_push_for_someone_without_an_account_keeps_them_waiting(push, write_key):
    response = push({"members": [member(**PUSHED), member(member_number="NP-5999")]})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counts"] == {"updated": 0, "unchanged": 0, "stale": 0, "waiting": 1, "not_here": 1}
    assert [m["result"] for m in body["members"]] == ["waiting", "not_here"]  # a number alone: nothing to wait on
    waiting = WaitingMember.objects.get()
    assert (waiting.email, waiting.member_number, waiting.key) == (NEW, "NP-5001", write_key[0])
    assert waiting.as_of.isoformat() == "2026-11-30T12:00:00+00:00"
    assert waiting.values["membership_status"] == "grace" and waiting.values["renewal_date"] == "2026-12-31"
    run = SyncRun.objects.get()
    assert (run.waiting, run.not_here) == (1, 1)
    # Sent again: nothing more is kept, and a dry run keeps nothing.
    assert push({"members": [member(**PUSHED)]}).json()["counts"]["waiting"] == 1
    assert WaitingMember.objects.count() == 1
    WaitingMember.objects.all().delete()
    assert push({"members": [member(**PUSHED)], "dry_run": True}).json()["counts"]["waiting"] == 1
    assert not WaitingMember.objects.exists()


def test_sign_up_and_confirm_applies_what_was_pushed_then_an_older_push_is_stale(client, push, world, mailoutbox):
    push({"members": [member(**PUSHED)]})

    profile = sign_up(client, mailoutbox)

    assert profile.membership_status == Profile.MembershipStatus.GRACE
    assert (profile.member_number, profile.member_since, profile.renewal_date) == (
        "NP-5001",
        date(2019, 5, 1),
        date(2026, 12, 31),
    )
    assert profile.association == world["associations"]["easton"]
    logged = {c.field: c.new for c in MemberChange.objects.filter(profile=profile)}
    assert logged == {
        "membership_status": "grace",
        "member_since": "2019-05-01",
        "renewal_date": "2026-12-31",
        "association_id": "Easton",
        "member_number": "NP-5001",
    }
    assert MemberSyncState.objects.get(profile=profile).as_of.isoformat() == "2026-11-30T12:00:00+00:00"
    assert not WaitingMember.objects.exists()

    older = push(
        {"members": [member(**{**PUSHED, "membership_status": "lapsed", "updated_at": "2026-11-01T00:00:00Z"})]}
    )
    assert older.json()["members"][0]["result"] == "stale"
    profile.refresh_from_db()
    assert profile.membership_status == Profile.MembershipStatus.GRACE


def test_an_unconfirmed_address_receives_nothing(client, push, mailoutbox):
    push({"members": [member(**PUSHED)]})

    profile = sign_up(client, mailoutbox, confirm=False)

    assert (profile.member_number, profile.renewal_date) == ("", None)
    assert profile.membership_status != Profile.MembershipStatus.GRACE
    assert not MemberChange.objects.exists() and not MemberSyncState.objects.exists()
    assert WaitingMember.objects.count() == 1  # kept for when the address is confirmed


def test_a_later_push_changes_the_waiting_record_and_an_older_one_is_stale(push):
    push({"members": [member(**PUSHED)]})
    later = {**PUSHED, "email": NEW, "membership_status": "lapsed", "updated_at": "2026-12-01T09:00:00Z"}
    later.pop("local_association")

    assert push({"members": [member(**later)]}).json()["members"][0]["result"] == "waiting"

    waiting = WaitingMember.objects.get()
    assert waiting.values["membership_status"] == "lapsed"
    assert waiting.values["renewal_date"] == "2026-12-31"  # what the later push did not carry is kept
    assert waiting.as_of.isoformat() == "2026-12-01T09:00:00+00:00"
    older = push({"members": [member(**{**PUSHED, "membership_status": "active"})]}).json()["members"][0]
    assert older["result"] == "stale" and older["held_as_of"] == "2026-12-01T09:00:00+00:00"
    waiting.refresh_from_db()
    assert waiting.values["membership_status"] == "lapsed"


def test_a_member_number_or_address_sent_earlier_for_someone_else_is_refused_by_row(push):
    push({"members": [member(**PUSHED)]})
    before = list(WaitingMember.objects.values_list("email", "member_number", "values"))

    same_number = push({"members": [member(email="someone.else@example.org", member_number="NP-5001")]})
    other_number = push({"members": [member(email=NEW, member_number="NP-6000")]})

    assert same_number.status_code == 400 and other_number.status_code == 400
    assert same_number.json()["problems"] == [
        "Row 1: member number NP-5001 was sent earlier for another address, not someone.else@example.org."
    ]
    assert other_number.json()["problems"] == [
        f"Row 1: {NEW} was sent earlier with member number NP-5001, not NP-6000."
    ]
    assert list(WaitingMember.objects.values_list("email", "member_number", "values")) == before


def test_waiting_members_not_pushed_again_are_forgotten_and_a_second_run_does_nothing(push, settings):
    push({"members": [member(**PUSHED), member(email="recent@example.org")]})
    long_ago = timezone.now() - timedelta(days=settings.SYNC_WAITING_DAYS, minutes=1)
    WaitingMember.objects.filter(email=NEW).update(updated_at=long_ago)

    assert forget_waiting_members() == 1
    assert forget_waiting_members() == 0
    assert list(WaitingMember.objects.values_list("email", flat=True)) == ["recent@example.org"]


def test_the_staff_page_shows_how_many_are_waiting_and_nobody_by_name(client, push, world):
    push({"members": [member(**PUSHED)]})
    client.force_login(world["people"]["staff"])

    page = client.get(reverse("sync:staff")).content.decode()

    assert "Now: 1 member waiting for their account." in page and NEW not in page and "NP-5001" not in page
    assert services.overview()["waiting_now"] == 1


def test_erasing_an_account_deletes_the_waiting_record_of_its_address(world, push):
    from accounts.privacy import erase_member

    user = User.objects.create_user(email=NEW, password="a-long-and-unusual-passphrase")
    EmailAddress.objects.create(user=user, email=NEW, verified=False, primary=True)
    WaitingMember.objects.create(
        email=NEW,
        values={},
        as_of=timezone.now(),
        key=services.create_key(name="k", scope="members:write", by=world["people"]["staff"])[0],
    )

    erase_member(user)

    assert not WaitingMember.objects.exists()


def test_the_daily_job_is_in_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["forget-long-waiting-pushed-members-daily"]
    assert entry["task"] == forget_waiting_members.name == "sync.tasks.forget_waiting_members"


@pytest.mark.django_db(transaction=True)
def test_two_pushes_keeping_the_same_new_member_at_once_both_succeed_and_the_newer_wins(world, monkeypatch):
    """Both pushes find no waiting record, then both save one: the second waits for the first to
    commit, meets the unique address, and is read again (then the stale rule decides)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("this race needs PostgreSQL's row locks and unique index (set DATABASE_URL)")
    key, _plain = services.create_key(name="Member database", scope="members:write", by=world["people"]["staff"])
    barrier, first_time = threading.Barrier(2), threading.local()
    keep = services._keep_waiting

    def keep_after_both_looked(waits, *, key):
        if not getattr(first_time, "done", False):  # both pushes have looked and found nobody
            first_time.done = True
            barrier.wait(10)
        return keep(waits, key=key)

    monkeypatch.setattr(services, "_keep_waiting", keep_after_both_looked)
    results = []

    def send(status, when):
        body = {"members": [member(email=NEW, membership_status=status, updated_at=when)]}
        try:
            results.append(services.push_members(body=json.dumps(body).encode(), key=key).as_json())
        except Exception as exc:  # collected and asserted below
            results.append(exc)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=send, args=("active", "2026-11-30T12:00:00Z")),
        threading.Thread(target=send, args=("lapsed", "2026-11-30T13:00:00Z")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert all(isinstance(r, dict) and r["ok"] for r in results), results
    assert sorted(r["members"][0]["result"] for r in results) in (["stale", "waiting"], ["waiting", "waiting"])
    waiting = WaitingMember.objects.get()
    assert waiting.values["membership_status"] == "lapsed"
    assert waiting.as_of.isoformat() == "2026-11-30T13:00:00+00:00"


def test_a_push_after_sign_up_but_before_confirmation_waits_for_the_confirmation(client, push, mailoutbox):
    """Whoever signed up with someone else's address must not receive their membership (and
    their member number, which the identity provider links accounts by)."""
    profile = sign_up(client, mailoutbox, confirm=False)

    assert push({"members": [member(**PUSHED)]}).json()["members"][0]["result"] == "waiting"

    profile.refresh_from_db()
    assert (profile.member_number, profile.renewal_date) == ("", None)
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mailoutbox[-1].body).group(1)
    client.post(link)
    profile.refresh_from_db()
    assert (profile.member_number, profile.renewal_date) == ("NP-5001", date(2026, 12, 31))
    assert not WaitingMember.objects.exists()


def test_a_number_another_member_holds_by_then_is_left_out_and_the_rest_applied(client, push, world, mailoutbox):
    push({"members": [member(**PUSHED)]})
    Profile.objects.filter(user=world["people"]["chair"]).update(member_number="NP-5001")

    profile = sign_up(client, mailoutbox)

    assert profile.member_number == "" and profile.renewal_date == date(2026, 12, 31)
    assert not WaitingMember.objects.exists()
