# Goals, the meeting log, scheduled meetings, agreements and milestone progress now belong to the
# partnerships app (its 0001 took the tables over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0027_leadership_retention_moved"),
        ("partnerships", "0001_moved_from_mentoring_and_feedback"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="scheduledmeeting", name="mentoring_s_status_89a567_idx"),
                migrations.RemoveIndex(model_name="scheduledmeeting", name="mentoring_s_partner_ef6dcf_idx"),
                migrations.DeleteModel(name="ScheduledMeeting"),
                migrations.DeleteModel(name="Meeting"),
                migrations.DeleteModel(name="Goal"),
                migrations.DeleteModel(name="Agreement"),
                migrations.DeleteModel(name="MilestoneProgress"),
            ]
        ),
    ]
