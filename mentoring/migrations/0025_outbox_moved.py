# The outbox now belongs to the outbox app (its 0001 took the table over).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("mentoring", "0024_close_on_time"),
        ("outbox", "0001_outgoingemail_from_mentoring"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="outgoingemail", name="mentoring_o_status_2e07e7_idx"),
                migrations.DeleteModel(name="OutgoingEmail"),
            ]
        ),
    ]
