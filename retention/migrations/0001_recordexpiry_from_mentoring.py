# Record expiries move from mentoring to retention. Nothing is copied: the table is renamed with
# its rows, its index renamed, and its content type follows it (admin log entries and permissions
# keep pointing at it). The constraints keep their names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["recordexpiry"]


def move_content_types(apps, schema_editor, old="mentoring", new="retention"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="retention", new="mentoring")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("mentoring", "0025_outbox_moved"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RecordExpiry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("expires_on", models.DateField()),
                        ("warned_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "kept_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="kept at the member's request"),
                        ),
                        ("expired_at", models.DateTimeField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "application",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="expiries",
                                to="mentoring.application",
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="expiries",
                                to="mentoring.partnership",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="record_expiries",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "record expiry",
                        "verbose_name_plural": "record expiries",
                        "ordering": ["expires_on", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["expired_at", "kept_at", "expires_on"], name="mentoring_r_expired_3b4c87_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("partnership__isnull", True), ("application__isnull", True), _connector="XOR"
                                ),
                                name="record_expiry_one_record",
                            ),
                            models.UniqueConstraint(
                                fields=("user", "partnership"), name="one_expiry_per_member_partnership"
                            ),
                            models.UniqueConstraint(
                                fields=("user", "application"), name="one_expiry_per_member_application"
                            ),
                        ],
                        "db_table": "mentoring_recordexpiry",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="recordexpiry", table=None),
        migrations.RenameIndex(
            model_name="recordexpiry", new_name="retention_r_expired_5baed5_idx", old_name="mentoring_r_expired_3b4c87_idx"
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
