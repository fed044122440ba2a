# The audit log kept the values of confidential records (a response's satisfaction, "not working",
# "I would like a new partner", who raised a concern, the committee's follow-up kinds, why a
# partnership ended), and staff could read them in the admin. Those models are no longer logged
# (feedback/apps.py, mentoring/apps.py); this removes what the log already held.

from django.db import migrations

CONFIDENTIAL_MODELS = [("feedback", "response"), ("feedback", "concern"), ("feedback", "followup")]
PARTNERSHIP_FIELDS = ("end_reason", "end_note")


def forget(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    LogEntry = apps.get_model("auditlog", "LogEntry")
    types = [ContentType.objects.filter(app_label=a, model=m).first() for a, m in CONFIDENTIAL_MODELS]
    LogEntry.objects.filter(content_type__in=[t for t in types if t]).delete()
    partnership = ContentType.objects.filter(app_label="mentoring", model="partnership").first()
    if partnership is None:
        return
    for entry in LogEntry.objects.filter(content_type=partnership).iterator():
        changes = entry.changes if isinstance(entry.changes, dict) else None
        if changes and any(field in changes for field in PARTNERSHIP_FIELDS):
            for field in PARTNERSHIP_FIELDS:
                changes.pop(field, None)
            entry.changes = changes
            entry.changes_text = ""
            entry.serialized_data = None
            entry.save(update_fields=["changes", "changes_text", "serialized_data"])


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0005_confidential_access_to_mentoring"),
        ("auditlog", "0017_add_actor_email"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
