"""Key rotation: a new key first in FIELD_ENCRYPTION_KEYS, `reencrypt_confidential`, then the old
key can go and everything stays readable."""

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from encrypted_fields.fields import EncryptedFieldMixin

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
