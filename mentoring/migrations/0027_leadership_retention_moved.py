# Leadership recommendations now belong to the leadership app (its 0001 took the table over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0026_recruitment_moved"),
        ("leadership", "0001_leadershiprecommendation_from_mentoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="LeadershipRecommendation"),
            ]
        ),
    ]
