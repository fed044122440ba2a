from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.fields import UnreadableConfidentialData, confidential_fields


class Command(BaseCommand):
    help = (
        "After putting a new key first in FIELD_ENCRYPTION_KEYS: write every encrypted field again "
        "with the new key. The old keys can then be removed. Writes nothing unless every row can be "
        "read with the keys configured now."
    )

    def handle(self, *args, **options):
        by_model = {}
        for model, name in confidential_fields():
            by_model.setdefault(model, []).append(name)
        # First read everything: one row that no key opens and nothing is written, since writing
        # would encrypt the ciphertext itself and lose the text for good.
        unreadable = []
        for model, fields in by_model.items():
            for name in fields:
                try:
                    for _ in model._default_manager.exclude(**{f"{name}__isnull": True}).values_list(name).iterator():
                        pass
                except UnreadableConfidentialData:
                    unreadable.append(f"{model._meta.label}.{name}")
        if unreadable:
            raise CommandError(
                f"Nothing was re-encrypted: {', '.join(unreadable)} cannot be read with the keys configured now. "
                "Put the old keys back first (README, 'Rotating the keys')."
            )
        for model, fields in by_model.items():
            done = 0
            ids = list(model._default_manager.order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(ids), 500):
                with transaction.atomic():
                    rows = list(model._default_manager.select_for_update().filter(pk__in=ids[start : start + 500]))
                    # Reading decrypts with any known key; saving encrypts with the first one.
                    model._default_manager.bulk_update(rows, fields)
                    done += len(rows)
            self.stdout.write(f"{model._meta.verbose_name_plural}: {done} re-encrypted ({', '.join(fields)})")
