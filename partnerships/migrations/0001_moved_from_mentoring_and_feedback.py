# What the partners (and their committee) record during a partnership moves from mentoring (the
# goals, the meeting log, scheduled meetings, the agreement, the milestones) and from feedback (the
# follow-up log) to partnerships. Nothing is copied: each table is renamed with its rows, the named
# indexes are renamed, and the content types follow (permissions keep pointing at them).

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import accounts.fields
import partnerships.models.meetings

MOVED = {
    "mentoring": ["agreement", "goal", "meeting", "milestoneprogress", "scheduledmeeting"],
    "feedback": ["followup"],
}


def move_content_types(apps, schema_editor, back=False):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for app, models_ in MOVED.items():
        old, new = ("partnerships", app) if back else (app, "partnerships")
        for model in models_:
            if not ContentType.objects.filter(app_label=new, model=model).exists():
                ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, back=True)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("mentoring", "0025_outbox_moved"),
        ("feedback", "0009_surveys"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Agreement",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("expectations", models.TextField(blank=True)),
                        (
                            "meeting_frequency",
                            models.CharField(
                                choices=[
                                    ("weekly", "Every week"),
                                    ("fortnightly", "Every two weeks"),
                                    ("monthly", "Every month"),
                                    ("quarterly", "Every three months"),
                                ],
                                max_length=20,
                            ),
                        ),
                        ("channels", models.JSONField(blank=True, default=list)),
                        ("confidentiality", models.TextField(blank=True)),
                        ("ending_early", models.TextField(blank=True, verbose_name="how to end early")),
                        (
                            "mentee_terms",
                            models.TextField(blank=True, max_length=2000, verbose_name="the mentee's own terms"),
                        ),
                        (
                            "mentor_terms",
                            models.TextField(blank=True, max_length=2000, verbose_name="the mentor's own terms"),
                        ),
                        ("mentee_confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("mentor_confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("made_at_start", models.BooleanField(default=False)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "partnership",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="agreement",
                                to="mentoring.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "mentoring_agreement",
                    },
                ),
                migrations.CreateModel(
                    name="FollowUp",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("note", "Follow-up note"),
                                    ("extended", "Extended"),
                                    ("completed", "Completed"),
                                    ("dissolved", "Dissolved"),
                                    ("resolved", "Concern resolved"),
                                    ("sent_again", "Feedback email sent again"),
                                ],
                                default="note",
                                max_length=10,
                            ),
                        ),
                        ("note", accounts.fields.ConfidentialTextField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "author",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="follow_ups",
                                to="mentoring.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "feedback_followup",
                        "ordering": ["-created_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="Goal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200)),
                        (
                            "progress",
                            models.CharField(
                                choices=[
                                    ("not_started", "Not started"),
                                    ("under_way", "Under way"),
                                    ("achieved", "Achieved"),
                                ],
                                default="not_started",
                                max_length=12,
                            ),
                        ),
                        ("target_date", models.DateField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="goals",
                                to="mentoring.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "mentoring_goal",
                        "ordering": ["partnership", "created_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Meeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("met_on", models.DateField(verbose_name="date")),
                        (
                            "mode",
                            models.CharField(
                                choices=[("in_person", "In person"), ("video", "Video call"), ("phone", "Phone")],
                                default="video",
                                max_length=20,
                            ),
                        ),
                        (
                            "minutes",
                            models.PositiveSmallIntegerField(
                                default=60,
                                validators=[
                                    django.core.validators.MinValueValidator(5),
                                    django.core.validators.MaxValueValidator(600),
                                ],
                                verbose_name="length (minutes)",
                            ),
                        ),
                        ("notes", models.TextField(blank=True, max_length=2000, verbose_name="notes for you both")),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "logged_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="meetings",
                                to="mentoring.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "mentoring_meeting",
                        "ordering": ["partnership", "-met_on", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="MilestoneProgress",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("done_on", models.DateField()),
                        ("marked_at", models.DateTimeField(auto_now=True)),
                        (
                            "marked_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "milestone",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="mentoring.milestone"
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="milestones_done",
                                to="mentoring.partnership",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "mentoring_milestoneprogress",
                        "verbose_name_plural": "milestone progress",
                        "ordering": ["partnership", "done_on", "id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("partnership", "milestone"), name="one_progress_per_milestone"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ScheduledMeeting",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("starts_at", models.DateTimeField()),
                        (
                            "minutes",
                            models.PositiveSmallIntegerField(
                                default=60,
                                validators=[
                                    django.core.validators.MinValueValidator(15),
                                    django.core.validators.MaxValueValidator(480),
                                ],
                                verbose_name="length (minutes)",
                            ),
                        ),
                        (
                            "mode",
                            models.CharField(
                                choices=[("in_person", "In person"), ("video", "Video call"), ("phone", "Phone")],
                                default="video",
                                max_length=20,
                            ),
                        ),
                        ("place", models.CharField(blank=True, max_length=200)),
                        ("video_url", models.URLField(blank=True, max_length=500, verbose_name="video link")),
                        ("agenda", models.TextField(blank=True, max_length=2000)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("proposed", "Waiting for an answer"),
                                    ("accepted", "Accepted"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="proposed",
                                max_length=10,
                            ),
                        ),
                        (
                            "uid",
                            models.CharField(
                                default=partnerships.models.meetings.new_uid,
                                editable=False,
                                max_length=100,
                                unique=True,
                            ),
                        ),
                        ("sequence", models.PositiveIntegerField(default=0)),
                        ("in_calendars", models.BooleanField(default=False)),
                        ("reminded_sequence", models.PositiveIntegerField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        (
                            "logged_meeting",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="scheduled",
                                to="partnerships.meeting",
                            ),
                        ),
                        (
                            "partnership",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="scheduled_meetings",
                                to="mentoring.partnership",
                            ),
                        ),
                        (
                            "proposed_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "mentoring_scheduledmeeting",
                        "ordering": ["starts_at", "id"],
                        "indexes": [
                            models.Index(fields=["status", "starts_at"], name="mentoring_s_status_89a567_idx"),
                            models.Index(fields=["partnership", "starts_at"], name="mentoring_s_partner_ef6dcf_idx"),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("minutes__gte", 15), ("minutes__lte", 480)),
                                name="meeting_sane_length",
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.AlterModelTable(name="agreement", table=None),
        migrations.AlterModelTable(name="followup", table=None),
        migrations.AlterModelTable(name="goal", table=None),
        migrations.AlterModelTable(name="meeting", table=None),
        migrations.AlterModelTable(name="milestoneprogress", table=None),
        migrations.AlterModelTable(name="scheduledmeeting", table=None),
        migrations.RenameIndex(
            model_name="scheduledmeeting",
            new_name="partnership_status_6bba35_idx",
            old_name="mentoring_s_status_89a567_idx",
        ),
        migrations.RenameIndex(
            model_name="scheduledmeeting",
            new_name="partnership_partner_c3abdf_idx",
            old_name="mentoring_s_partner_ef6dcf_idx",
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
