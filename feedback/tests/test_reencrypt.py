"""Key rotation: a new key first in FIELD_ENCRYPTION_KEYS, `reencrypt_confidential`, then the old
key can go and everything stays readable."""

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from encrypted_fields.fields import EncryptedFieldMixin

from accounts.fields import UnreadableConfidentialData, check_keys, refuse_to_serve_with_wrong_keys
from conftest import applicant, approved
from feedback.models import Concern

pytestmark = pytest.mark.django_db


def forget_keys():
    """The library caches its keys on each field; settings changed, so drop the cache."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, EncryptedFieldMixin):
                field.__dict__.pop("keys", None)
                field.__dict__.pop("f", None)


def raw(concern):
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM feedback_concern WHERE id = %s", [concern.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def keys(settings):
    """Change keys freely in the test; the original ones (and a fresh key cache) come back after."""
    original = settings.SALT_KEY
    yield settings
    settings.SALT_KEY = original
    forget_keys()


def test_rotation_re_encrypts_with_the_new_key(keys, world):
    settings = keys
    member = world["people"]["member"]
    program = world["program"]
    mentee = applicant(program, "rot.mentee@example.org", "mentee")
    mentor = applicant(program, "rot.mentor@example.org", "mentor", years=20)
    partnership = approved(mentee, mentor, by=world["people"]["chair"], score=1)
    settings.SALT_KEY = ["old-key-0123456789-0123456789-0123"]
    forget_keys()
    concern = Concern.objects.create(partnership=partnership, raised_by=member, text="Sensitive words")
    written_with_old = raw(concern)
    assert "Sensitive" not in written_with_old

    settings.SALT_KEY = ["new-key-0123456789-0123456789-0123", "old-key-0123456789-0123456789-0123"]
    forget_keys()
    assert Concern.objects.get(pk=concern.pk).text == "Sensitive words"  # old rows still readable
    call_command("reencrypt_confidential")
    assert raw(concern) != written_with_old

    settings.SALT_KEY = ["new-key-0123456789-0123456789-0123"]
    forget_keys()
    assert Concern.objects.get(pk=concern.pk).text == "Sensitive words"  # the old key is no longer needed


# --- A wrong key fails loudly -----------------------------------------------------------------


@pytest.fixture
def concern_under_old_key(keys, world):
    program = world["program"]
    mentee = applicant(program, "key.mentee@example.org", "mentee")
    mentor = applicant(program, "key.mentor@example.org", "mentor", years=20)
    partnership = approved(mentee, mentor, by=world["people"]["chair"])
    keys.SALT_KEY = ["old-key-0123456789-0123456789-0123"]
    forget_keys()
    concern = Concern.objects.create(partnership=partnership, raised_by=mentee.user, text="Sensitive words")
    keys.SALT_KEY = ["some-other-key-0123456789-01234567"]  # changed without the rotation steps
    forget_keys()
    return concern


def test_a_page_with_text_the_keys_cannot_read_fails_and_says_why_in_the_log(
    client, world, concern_under_old_key, caplog
):
    client.force_login(world["people"]["chair"])
    url = reverse("committee:partnership", args=[world["program"].pk, concern_under_old_key.partnership_id])
    with pytest.raises(UnreadableConfidentialData):
        client.get(url)  # a 500, never a page that shows "gAAAAAB..."
    assert "feedback.Concern.text cannot be decrypted" in caplog.text and "rotation steps" in caplog.text


def test_the_start_up_check_refuses_to_serve(concern_under_old_key):
    errors = check_keys(databases=["default"])
    assert [e.id for e in errors] == ["mentoring.E001"] and "feedback.Concern.text" in errors[0].msg
    with pytest.raises(UnreadableConfidentialData):
        refuse_to_serve_with_wrong_keys()


def test_reencrypt_writes_nothing_when_a_row_cannot_be_read(concern_under_old_key):
    before = raw(concern_under_old_key)
    with pytest.raises(CommandError, match="Nothing was re-encrypted: feedback.Concern.text"):
        call_command("reencrypt_confidential")
    assert raw(concern_under_old_key) == before


def test_the_right_keys_pass_the_check(world):
    assert check_keys(databases=["default"]) == []
    refuse_to_serve_with_wrong_keys()
