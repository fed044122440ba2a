# ConfidentialAccess now belongs to mentoring (its 0007 took the table over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0004_reminder_failures"),
        ("mentoring", "0007_confidential_access_from_feedback"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="ConfidentialAccess")]),
    ]
