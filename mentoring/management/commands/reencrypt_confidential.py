from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from encrypted_fields.fields import EncryptedFieldMixin


def encrypted_models():
    """Every model with an encrypted field, in every app: one added later is covered too."""
    return [
        model
        for model in apps.get_models()
        if any(isinstance(f, EncryptedFieldMixin) for f in model._meta.concrete_fields)
    ]


class Command(BaseCommand):
    help = (
        "After putting a new key first in FIELD_ENCRYPTION_KEYS: write every encrypted field again "
        "with the new key. The old keys can then be removed."
    )

    def handle(self, *args, **options):
        for model in encrypted_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
            done = 0
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), 500):
                with transaction.atomic():
                    rows = list(model.objects.select_for_update().filter(pk__in=ids[start : start + 500]))
                    # Reading decrypts with any known key; saving encrypts with the first one.
                    model.objects.bulk_update(rows, fields)
                    done += len(rows)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {done} re-encrypted ({', '.join(fields)})")
