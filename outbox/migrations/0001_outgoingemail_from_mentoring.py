# The outbox moves from mentoring to outbox, the one email engine. Nothing is copied: the table is
# renamed with its rows, its index renamed, and its content type follows it (admin log entries and
# permissions keep pointing at it).

from django.db import migrations, models

MOVED = ["outgoingemail"]


def move_content_types(apps, schema_editor, old="mentoring", new="outbox"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="outbox", new="mentoring")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("mentoring", "0024_close_on_time"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="OutgoingEmail",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("key", models.CharField(max_length=200, unique=True)),
                        ("to", models.EmailField(max_length=254)),
                        ("subject", models.CharField(max_length=200)),
                        ("body", models.TextField()),
                        ("headers", models.JSONField(blank=True, default=dict)),
                        ("attachments", models.JSONField(blank=True, default=list)),
                        ("in_doubt", models.BooleanField(default=False)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting to be sent"),
                                    ("sending", "Being sent"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("last_error", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "ordering": ["created_at", "id"],
                        "indexes": [models.Index(fields=["status", "created_at"], name="mentoring_o_status_2e07e7_idx")],
                        "db_table": "mentoring_outgoingemail",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="outgoingemail", table=None),
        migrations.RenameIndex(
            model_name="outgoingemail", new_name="outbox_outg_status_99f742_idx", old_name="mentoring_o_status_2e07e7_idx"
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
