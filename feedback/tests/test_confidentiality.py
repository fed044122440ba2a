"""Confidentiality is the product: a partner never sees the other's feedback, only the program's
pledged committee reads it, every read (and every refusal) is recorded, the admin and the change
log don't show it, and the database holds it encrypted under keys that can be rotated."""

import json
import re

import pytest
from auditlog.models import LogEntry
from cryptography.fernet import InvalidToken
from django.contrib import admin
from django.db import connection
from django.urls import get_resolver, reverse
from django.utils import timezone
from encrypted_fields.fields import EncryptedFieldMixin

from accounts.fields import UnreadableConfidentialData
from conftest import ask, comparable, partnership_for, walk
from feedback import services
from feedback.models import Concern, Response, Solicitation
from mentoring.models import Application, ConfidentialAccess, Partnership
from partnerships import life
from partnerships.models import FollowUp

pytestmark = pytest.mark.django_db

MENTEE_SECRET = "Mentee says: my mentor keeps cancelling <b>and</b> I feel stuck"
MENTOR_SECRET = "Mentor says: my mentee never prepares"
CONCERN_SECRET = "Concern: my mentor asked me about my salary"
NOTE_SECRET = "Committee note: called both, agreed to meet monthly"
END_SECRET = "End note: personal conflict at the office"
SECRETS = [MENTEE_SECRET, MENTOR_SECRET, CONCERN_SECRET, NOTE_SECRET, END_SECRET]

ANSWERS = {"satisfaction": 2, "met": "less", "progress": "none", "working": "no", "wants_new_partner": True}


@pytest.fixture
def case(world):
    """A partnership with both partners' answers, a concern and a committee note; and a second
    partnership that the chair ended with a reason."""
    program, chair = world["program"], world["people"]["chair"]
    partnership = partnership_for(program, chair)
    mentee_round = ask(partnership, "mentee")
    mentor_round = Solicitation.objects.get(partnership=partnership, role="mentor", round=1)
    mentee_response = services.submit_response(
        solicitation=mentee_round, answers={**ANSWERS, "concerns": MENTEE_SECRET}
    )
    mentor_response = services.submit_response(
        solicitation=mentor_round, answers={**ANSWERS, "satisfaction": 3, "concerns": MENTOR_SECRET}
    )
    concern = services.raise_concern(partnership=partnership, by=partnership.mentee, text=CONCERN_SECRET)
    note = services.note_follow_up(partnership=partnership, by=world["people"]["committee_member"], note=NOTE_SECRET)
    ended = partnership_for(program, chair, "ended")
    life.dissolve(partnership=ended, by=chair, reason="fit", note=END_SECRET, rematch=True)
    return {
        "program": program,
        "partnership": partnership,
        "ended": ended,
        "mentee_response": mentee_response,
        "mentor_response": mentor_response,
        "concern": concern,
        "note": note,
    }


def detail(program, partnership_id):
    return reverse("committee:partnership", args=[program.pk, partnership_id])


def shows_a_secret(response):
    text = response.content.decode()
    return [s for s in SECRETS if s in text or s.replace("<", "&lt;").replace(">", "&gt;") in text]


# --- Partners ---------------------------------------------------------------------------------


def test_no_url_takes_a_response_id():
    """There is no page for one response: a partner has nothing to ask for."""
    routes = [route for _, route, _ in walk(get_resolver().url_patterns)]
    assert not [r for r in routes if "response" in r or "solicitation" in r]


def test_partners_see_neither_their_own_nor_the_others_feedback_on_their_pages(client, case):
    partnership = case["partnership"]
    for person in (partnership.mentee, partnership.mentor):
        client.force_login(person)
        for url in (reverse("partnership", args=[partnership.pk]), reverse("my_mentoring")):
            response = client.get(url)
            assert response.status_code == 200
            assert shows_a_secret(response) == [], (person, url)


@pytest.mark.django_db(transaction=True, reset_sequences=True)  # ids from 1, so 1..N+50 covers them all
def test_every_committee_id_is_404_for_the_partners_and_looks_like_a_missing_one(client, case):
    program = case["program"]
    partnership = case["partnership"]
    top = max(
        model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        for model in (Partnership, Response, Concern, FollowUp, Application, Solicitation)
    )
    assert top < 20  # the sequences were reset: N is small and every id below it is tried
    missing = 10**9
    # Feedback, concerns and the reason a partnership ended (one page), vetting notes (the
    # questionnaire page) and concerns again (the one URL that takes a concern id). The POSTs to a
    # partnership id go through the same check as its page; they are tried on the real ids below.
    urls = [
        ("get", lambda i: detail(program, i)),
        ("get", lambda i: reverse("committee:application", args=[program.pk, i])),
        ("post", lambda i: reverse("committee:resolve_concern", args=[program.pk, i])),
    ]
    post = {"note": "mine now", "reason": "fit", "confirm": "on", "rematch": "on"}
    before = (FollowUp.objects.count(), Partnership.objects.filter(status="active").count())
    for person in (partnership.mentee, partnership.mentor):
        client.force_login(person)
        for method, url in urls:
            baseline = getattr(client, method)(url(missing), post)
            assert baseline.status_code == 404
            expected = comparable(baseline)
            for i in range(1, top + 51):
                response = getattr(client, method)(url(i), post)
                assert response.status_code == 404, (person, url(i))
                assert comparable(response) == expected, (person, url(i))
        for pk in Partnership.objects.values_list("pk", flat=True):
            for action in ("follow-up", "extend", "complete", "dissolve"):
                real = client.post(reverse("committee:act", args=[program.pk, pk, action]), post)
                gone = client.post(reverse("committee:act", args=[program.pk, missing, action]), post)
                assert real.status_code == 404 and comparable(real) == comparable(gone), (person, pk, action)
    assert (FollowUp.objects.count(), Partnership.objects.filter(status="active").count()) == before
    assert Concern.objects.get(pk=case["concern"].pk).resolved_at is None
    # Each refusal was recorded, without any data.
    assert ConfidentialAccess.objects.filter(user=partnership.mentee, outcome="denied").count() > top


OUTSIDERS = ["other_chair", "vp", "other_vp", "staff", "member", "other_member"]


def test_outsiders_get_the_missing_page_and_change_nothing(client, world, case):
    for role in OUTSIDERS:
        client.force_login(world["people"][role])
        outsider_gets_nothing(client, world, case, role)


def test_a_committee_member_without_the_pledge_is_led_to_it_and_sees_nothing(client, world, case):
    """Their own committee's pages lead them to the pledge, saying why; the same answer for a
    partnership that exists and one that does not, so nothing is revealed, and nothing is read."""
    program, partnership = case["program"], case["partnership"]
    client.force_login(world["people"]["unpledged_member"])
    real = client.get(detail(program, partnership.pk))
    missing = client.get(detail(program, 10**9))
    pledge = reverse("committee:pledge", args=[program.pk])
    assert real.status_code == missing.status_code == 302 and real.url == missing.url == pledge
    page = client.get(pledge).content.decode()
    assert "You will see this once you have accepted the pledge" in page
    assert not ConfidentialAccess.objects.filter(user=world["people"]["unpledged_member"], outcome="read").exists()
    # Another program's committee pages: the missing page, as for anyone outside it.
    assert client.get(detail(world["other_program"], partnership.pk)).status_code == 404


def outsider_gets_nothing(client, world, case, role):
    program, partnership = case["program"], case["partnership"]
    forbidden = client.get(detail(program, partnership.pk))
    missing = client.get(detail(program, 10**9))
    assert forbidden.status_code == missing.status_code == 404, role
    assert comparable(forbidden) == comparable(missing), role
    # Through the program this person does have a seat on (other_chair), the id is not found either.
    own = world["other_program"]
    assert comparable(client.get(detail(own, partnership.pk))) == comparable(client.get(detail(own, 10**9))), role
    notes = FollowUp.objects.count()
    for url in (
        reverse("committee:act", args=[program.pk, partnership.pk, "follow-up"]),
        reverse("committee:act", args=[own.pk, partnership.pk, "follow-up"]),
        reverse("committee:resolve_concern", args=[program.pk, case["concern"].pk]),
        reverse("committee:resolve_concern", args=[own.pk, case["concern"].pk]),
    ):
        assert client.post(url, {"note": "hello"}).status_code == 404, (role, url)
    assert FollowUp.objects.count() == notes
    assert Concern.objects.get(pk=case["concern"].pk).resolved_at is None
    assert not ConfidentialAccess.objects.filter(user=world["people"][role], outcome="read").exists()


# --- The Django admin -------------------------------------------------------------------------


def test_the_admin_does_not_expose_feedback_to_staff(client, world, case):
    registered = set(admin.site._registry)
    for model in (Response, Concern, FollowUp, Solicitation, ConfidentialAccess):
        assert model not in registered, model
    client.force_login(world["people"]["staff"])
    for path in ("/admin/feedback/", "/admin/feedback/response/", "/admin/feedback/concern/1/change/"):
        assert client.get(path).status_code == 404, path
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and "Confidential feedback" not in index.content.decode()

    # The partnership is there for staff, without the reason it ended.
    ended = case["ended"]
    page = client.get(reverse("admin:mentoring_partnership_change", args=[ended.pk]))
    assert page.status_code == 200
    assert "end_note" not in page.context["adminform"].form.fields
    assert END_SECRET not in page.content.decode()
    for url in (
        reverse("admin:mentoring_partnership_changelist") + "?q=conflict",
        reverse("admin:mentoring_partnership_history", args=[ended.pk]),
        reverse("admin:auditlog_logentry_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert shows_a_secret(response) == [], url
    for entry in LogEntry.objects.all()[:50]:
        response = client.get(reverse("admin:auditlog_logentry_change", args=[entry.pk]))
        assert shows_a_secret(response) == [], entry


# --- Every read recorded ----------------------------------------------------------------------


def test_every_committee_read_is_recorded_and_the_chair_sees_it(client, world, case):
    program, partnership = case["program"], case["partnership"]
    reader = world["people"]["committee_member"]
    client.force_login(reader)
    started = timezone.now()
    response = client.get(detail(program, partnership.pk))
    assert response.status_code == 200
    assert MENTEE_SECRET.replace("<", "&lt;").replace(">", "&gt;") in response.content.decode()
    (row,) = ConfidentialAccess.objects.filter(user=reader)  # one row per page read
    assert row.what == "partnership record" and row.object_id == partnership.pk
    assert {kind: sorted(ids) for kind, ids in row.items.items()} == {
        "feedback response": sorted([case["mentee_response"].pk, case["mentor_response"].pk]),
        "concern": [case["concern"].pk],
        "follow-up note": [case["note"].pk],
    }
    assert row.shown == "2 feedback responses, 1 concern, 1 follow-up note"
    assert row.outcome == "read" and row.program == program and row.partnership == partnership
    assert row.created_at >= started
    # A second read is a second record; the reason a partnership ended is recorded too.
    client.get(detail(program, partnership.pk))
    assert ConfidentialAccess.objects.filter(user=reader).count() == 2
    client.get(detail(program, case["ended"].pk))
    ended = ConfidentialAccess.objects.get(user=reader, partnership=case["ended"])
    assert ended.items["dissolution reason"] == [case["ended"].pk]

    client.force_login(world["people"]["chair"])
    audit = client.get(reverse("committee:audit", args=[program.pk]))
    text = audit.content.decode()
    assert audit.status_code == 200 and "no-store" in audit["Cache-Control"]
    lines = [" ".join(m.split()) for m in re.findall(r'<li class="list-group-item">(.*?)</li>', text, re.S)]
    assert len(lines) == 3  # one line per page read, in words
    mentee, mentor = partnership.mentee, partnership.mentor
    assert any(
        f"<strong>Cora Committee</strong> read the record of the partnership of {mentee} with {mentor}: "
        "2 feedback responses, 1 concern, 1 follow-up note." in line
        for line in lines
    )
    assert any("1 dissolution reason" in line for line in lines)
    assert "#" not in " ".join(lines)
    assert shows_a_secret(audit) == []
    # The chair's own look at the audit page reads nothing confidential, so records nothing.
    assert not ConfidentialAccess.objects.filter(user=world["people"]["chair"]).exists()


def test_the_attention_queue_lists_people_not_feedback(client, world, case):
    client.force_login(world["people"]["committee_member"])
    response = client.get(reverse("committee:partnerships", args=[case["program"].pk]))
    assert response.status_code == 200
    assert shows_a_secret(response) == []


def test_a_denied_attempt_is_recorded_without_the_data(client, world, case):
    program, partnership = case["program"], case["partnership"]
    for role, what, status in [
        ("unpledged_member", "committee page before the pledge", 302),
        ("vp", "committee page", 404),
        ("staff", "committee page", 404),
    ]:
        person = world["people"][role]
        client.force_login(person)
        assert client.get(detail(program, partnership.pk)).status_code == status
        row = ConfidentialAccess.objects.get(user=person)
        assert (row.outcome, row.what, row.program, row.partnership, row.object_id) == (
            "denied",
            what,
            program,
            None,
            None,
        )
        assert row.path == detail(program, partnership.pk)
    values = json.dumps(list(ConfidentialAccess.objects.values()), default=str)
    assert not [s for s in SECRETS if s in values]

    client.force_login(world["people"]["chair"])
    audit = client.get(reverse("committee:audit", args=[program.pk])).content.decode()
    assert audit.count("was refused a committee page") == 3 and world["people"]["vp"].get_full_name() in audit


# --- Encrypted at rest ------------------------------------------------------------------------

COLUMNS = [
    ("feedback_response", "concerns", MENTEE_SECRET),
    ("feedback_concern", "text", CONCERN_SECRET),
    ("partnerships_followup", "note", NOTE_SECRET),
    ("mentoring_partnership", "end_note", END_SECRET),
]


def raw(table, column):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL")  # noqa: S608 - fixed names
        return [value for (value,) in cursor.fetchall()]


def test_the_raw_table_holds_ciphertext(case):
    for table, column, secret in COLUMNS:
        values = raw(table, column)
        assert values, table
        for value in values:
            assert_ciphertext(value, secret)


def assert_ciphertext(value, secret):
    assert value.startswith("gAAAA")  # a Fernet token
    assert secret not in value
    assert not [s for s in SECRETS if s in value]
    assert not [word for word in secret.split() if len(word) > 4 and word in value]


ENCRYPTED = [(Response, "concerns"), (Concern, "text"), (FollowUp, "note"), (Partnership, "end_note")]
OLD_KEY = "old-field-key-0123456789abcdefghijklmnop"
NEW_KEY = "new-field-key-zyxwvutsrqponmlkjihgfedcba"


def forget_keys():
    """The fields derive their keys once (cached properties); make them read the settings again."""
    for model in {m for m, _ in ENCRYPTED} | {Partnership}:
        for field in model._meta.get_fields():
            if isinstance(field, EncryptedFieldMixin):
                field.__dict__.pop("keys", None)
                field.__dict__.pop("f", None)


@pytest.fixture
def keys(settings):
    def use(*salt_keys):
        settings.SALT_KEY = list(salt_keys)
        forget_keys()

    use(OLD_KEY)
    yield use
    forget_keys()  # the next test derives them again from its own settings


def stored(model, pk, name):
    """What the field makes of the row now (UnreadableConfidentialData if no key opens it)."""
    return getattr(model.objects.get(pk=pk), name)


def test_key_rotation_keeps_old_rows_readable_and_resaving_moves_them(client, world, keys):
    program, chair = world["program"], world["people"]["chair"]
    case = {}
    partnership = partnership_for(program, chair)
    case["response"] = services.submit_response(
        solicitation=ask(partnership), answers={**ANSWERS, "concerns": MENTEE_SECRET}
    )
    case["concern"] = services.raise_concern(partnership=partnership, by=partnership.mentee, text=CONCERN_SECRET)
    case["note"] = services.note_follow_up(partnership=partnership, by=chair, note=NOTE_SECRET)
    ended = life.dissolve(
        partnership=partnership_for(program, chair, "b"), by=chair, reason="fit", note=END_SECRET, rematch=False
    )
    rows = [
        (Response, case["response"].pk, "concerns", MENTEE_SECRET),
        (Concern, case["concern"].pk, "text", CONCERN_SECRET),
        (FollowUp, case["note"].pk, "note", NOTE_SECRET),
        (Partnership, ended.pk, "end_note", END_SECRET),
    ]
    old_ciphertext = {model: raw(model._meta.db_table, name) for model, _, name, _ in rows}

    # A new key goes first; the old one stays for what it wrote.
    keys(NEW_KEY, OLD_KEY)
    for model, pk, name, secret in rows:
        assert stored(model, pk, name) == secret
    client.force_login(world["people"]["committee_member"])
    page = client.get(detail(program, ended.pk))
    assert END_SECRET in page.content.decode()

    # Without the old key, the old rows can't be read: reading them fails loudly.
    keys(NEW_KEY)
    for model, pk, name, _ in rows:
        with pytest.raises(UnreadableConfidentialData):
            stored(model, pk, name)
    field = Response._meta.get_field("concerns")
    with pytest.raises(InvalidToken):
        field.f.decrypt(old_ciphertext[Response][0].encode())

    # Saved again under both keys, each row moves to the new key...
    keys(NEW_KEY, OLD_KEY)
    for model, pk, _, _ in rows:
        model.objects.get(pk=pk).save()
    for model, _, name, _ in rows:
        assert raw(model._meta.db_table, name) != old_ciphertext[model]
    # ... and the new key alone reads them; the old key alone no longer does.
    keys(NEW_KEY)
    for model, pk, name, secret in rows:
        assert stored(model, pk, name) == secret
    keys(OLD_KEY)
    for model, pk, name, _ in rows:
        with pytest.raises(UnreadableConfidentialData):
            stored(model, pk, name)


def test_the_change_log_never_holds_confidential_text(case, world):
    # Update each row once more, so the log has "changed" entries as well as "created" ones.
    chair = world["people"]["chair"]
    services.resolve_concern(concern=case["concern"], by=chair, note=NOTE_SECRET + " (resolved)")
    note = case["note"]
    note.note = NOTE_SECRET + " (edited)"
    note.save()
    response = case["mentee_response"]
    response.concerns = MENTEE_SECRET + " (edited)"
    response.save()
    entries = LogEntry.objects.all()
    assert entries.count() >= 3
    logged = json.dumps(
        [[e.changes, e.changes_text, e.serialized_data, e.additional_data, e.object_repr] for e in entries],
        default=str,
    )
    assert not [s for s in SECRETS if s in logged]
    # Confidential records are not logged at all, and a partnership's entries never name why it ended.
    for model in (Response, Concern, FollowUp):
        assert not LogEntry.objects.get_for_model(model).exists(), model
    for entry in LogEntry.objects.get_for_model(Partnership):
        assert not {"end_reason", "end_note"} & set(entry.changes or {}), entry.changes
    assert '"status"' in logged  # the log itself works: the partnership's change of status is there


# --- Headers ----------------------------------------------------------------------------------


def test_confidential_pages_are_never_cached(client, world, case):
    program, partnership = case["program"], case["partnership"]
    client.force_login(world["people"]["chair"])
    urls = [
        reverse("committee:partnerships", args=[program.pk]),
        detail(program, partnership.pk),
        reverse("committee:audit", args=[program.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url
        assert response["Referrer-Policy"] in ("same-origin", "no-referrer")
    # The partner's side: the form to raise a concern.
    client.force_login(partnership.mentee)
    concern_page = client.get(reverse("feedback:concern", args=[partnership.pk]))
    assert concern_page.status_code == 200 and "no-store" in concern_page["Cache-Control"]
