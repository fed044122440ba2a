from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0005_language'),
    ]

    operations = [
        migrations.AddField(
            model_name='profile',
            name='member_number',
            field=models.CharField(blank=True, db_index=True, max_length=30),
        ),
    ]
