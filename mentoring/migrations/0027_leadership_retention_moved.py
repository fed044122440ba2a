# Leadership recommendations now belong to the leadership app, record expiries to the retention
# app (the 0001 of each took its table over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0026_recruitment_moved"),
        ("leadership", "0001_leadershiprecommendation_from_mentoring"),
        ("retention", "0001_recordexpiry_from_mentoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="LeadershipRecommendation"),
                migrations.RemoveIndex(model_name="recordexpiry", name="mentoring_r_expired_3b4c87_idx"),
                migrations.DeleteModel(name="RecordExpiry"),
            ]
        ),
    ]
