# Announcements and invitations move from mentoring to recruitment. Nothing is copied: the tables
# are renamed with their rows, the invitations' index renamed, and the content types follow them
# (admin log entries and permissions keep pointing at them). The constraints keep their names.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["announcement", "invitation"]


def move_content_types(apps, schema_editor, old="mentoring", new="recruitment"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MOVED:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, old="recruitment", new="mentoring")


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
                    name="Announcement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("period", models.CharField(max_length=40)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("recipients", models.PositiveIntegerField(default=0)),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="announcements",
                                to="mentoring.program",
                            ),
                        ),
                        (
                            "sent_by",
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
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("program", "period"), name="one_announcement_per_enrollment_period"
                            )
                        ],
                        "db_table": "mentoring_announcement",
                    },
                ),
                migrations.CreateModel(
                    name="Invitation",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("announcement", "Announcement"), ("invitation", "Personal invitation")],
                                max_length=20,
                            ),
                        ),
                        (
                            "role",
                            models.CharField(
                                blank=True, choices=[("mentee", "Mentee"), ("mentor", "Mentor")], default="", max_length=10
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("opened_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "announcement",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="recruitment.announcement",
                            ),
                        ),
                        (
                            "invited_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "program",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to="mentoring.program",
                            ),
                        ),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="invitations",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created_at", "-id"],
                        "indexes": [models.Index(fields=["program", "kind"], name="mentoring_i_program_3b2ad9_idx")],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("kind", "announcement")),
                                fields=("announcement", "user"),
                                name="one_announcement_per_person",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("kind", "invitation")),
                                fields=("program", "user", "role"),
                                name="one_invitation_per_person_and_role",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("announcement__isnull", False), ("kind", "announcement"), ("role", "")),
                                    models.Q(
                                        ("announcement__isnull", True),
                                        ("kind", "invitation"),
                                        models.Q(("role", ""), _negated=True),
                                    ),
                                    _connector="OR",
                                ),
                                name="invitation_kind_matches_fields",
                            ),
                        ],
                        "db_table": "mentoring_invitation",
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="announcement", table=None),
        migrations.AlterModelTable(name="invitation", table=None),
        migrations.RenameIndex(
            model_name="invitation", new_name="recruitment_program_0df3dc_idx", old_name="mentoring_i_program_3b2ad9_idx"
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
