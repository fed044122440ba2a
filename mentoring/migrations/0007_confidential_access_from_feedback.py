# The record of who read (or was refused) confidential data moves from feedback to mentoring,
# where access is checked: the rows are kept (the table is renamed, nothing is copied).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0006_report_figures"),
        ("feedback", "0004_reminder_failures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ConfidentialAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("what", models.CharField(max_length=40)),
                        ("object_id", models.PositiveBigIntegerField(null=True)),
                        (
                            "outcome",
                            models.CharField(
                                choices=[("read", "Read"), ("denied", "Denied")], default="read", max_length=10
                            ),
                        ),
                        ("path", models.CharField(blank=True, max_length=300)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "partnership",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="mentoring.partnership",
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="mentoring.program",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "indexes": [
                            models.Index(fields=["program", "created_at"], name="feedback_co_program_c9c4ae_idx")
                        ],
                        "db_table": "feedback_confidentialaccess",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="confidentialaccess", table=None),
    ]
