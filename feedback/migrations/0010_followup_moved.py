# The follow-up log now belongs to the partnerships app (its 0001 took the table over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0009_surveys"),
        ("partnerships", "0001_moved_from_mentoring_and_feedback"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="FollowUp")]),
    ]
