# Announcements and invitations now belong to the recruitment app (its 0001 took the tables over).
# A leadership recommendation's invitation points there: the database's foreign key followed the
# renamed table already, so only the state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0025_outbox_moved"),
        ("recruitment", "0001_announcement_invitation_from_mentoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="leadershiprecommendation",
                    name="invitation",
                    field=models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="recommendations",
                        to="recruitment.invitation",
                    ),
                ),
                migrations.RemoveIndex(model_name="invitation", name="mentoring_i_program_3b2ad9_idx"),
                migrations.DeleteModel(name="Invitation"),
                migrations.DeleteModel(name="Announcement"),
            ]
        ),
    ]
