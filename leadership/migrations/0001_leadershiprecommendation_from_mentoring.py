# Leadership recommendations move from mentoring to leadership. Nothing is copied: the table is
# renamed with its rows, and its content type follows it (admin log entries and permissions keep
# pointing at it). The constraint keeps its name.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["leadershiprecommendation"]


def move_content_types(apps, schema_editor, old="mentoring", new="leadership"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="leadership", new="mentoring")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("mentoring", "0025_outbox_moved"),
        ("recruitment", "0001_announcement_invitation_from_mentoring"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="LeadershipRecommendation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("note", models.TextField(blank=True, max_length=1000)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("asked", "Waiting for the mentee's answer"),
                                    ("consented", "The mentee agreed"),
                                    ("declined", "The mentee said no"),
                                    ("withdrawn", "Withdrawn by the mentor"),
                                ],
                                default="asked",
                                max_length=10,
                            ),
                        ),
                        ("asked_at", models.DateTimeField(auto_now_add=True)),
                        ("answered_at", models.DateTimeField(blank=True, null=True)),
                        ("invited_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "invitation",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="recommendations",
                                to="recruitment.invitation",
                            ),
                        ),
                        (
                            "mentee",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="leadership_recommendations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "mentor",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recommendations",
                                to="mentoring.partnership",
                            ),
                        ),
                        (
                            "region",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recommendations",
                                to="mentoring.region",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-asked_at", "-id"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status__in", ("asked", "consented"))),
                                fields=("mentee", "region"),
                                name="one_standing_recommendation_per_mentee_and_region",
                            )
                        ],
                        "db_table": "mentoring_leadershiprecommendation",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="leadershiprecommendation", table=None),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
