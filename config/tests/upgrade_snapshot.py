"""Printed as JSON by `manage.py shell` in a release's tree and in this one (test_upgrade.py): what
an upgrade must keep. Runs on the code of either release, so it names models by class name (a
model that moved to another app keeps its name) and reads only what every release has."""

import json

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry as AdminEntry
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from encrypted_fields.fields import EncryptedFieldMixin

project = str(settings.BASE_DIR)
snapshot = {
    "counts": {},
    "secrets": {},
    "content_types": {},
    "audit_entries": {},
    "admin_entries": {},
    "permissions": {},
    "tables": {},
}
try:
    from auditlog.models import LogEntry
except ImportError:  # pragma: no cover - every release has auditlog
    LogEntry = None
for config in apps.get_app_configs():
    if not config.path.startswith(project) or "site-packages" in config.path:
        continue
    for model in config.get_models():
        name = model.__name__
        snapshot["counts"][name] = model._default_manager.count()
        snapshot["tables"][name] = model._meta.db_table
        content_type = ContentType.objects.filter(app_label=model._meta.app_label, model=model._meta.model_name).first()
        snapshot["content_types"][name] = content_type.pk if content_type else None
        if content_type:
            if LogEntry is not None:
                snapshot["audit_entries"][name] = LogEntry.objects.filter(content_type=content_type).count()
            snapshot["admin_entries"][name] = AdminEntry.objects.filter(content_type=content_type).count()
            snapshot["permissions"][name] = sorted(
                Permission.objects.filter(content_type=content_type).values_list("codename", flat=True)
            )
        encrypted = [f.name for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
        if encrypted:
            rows = model._default_manager.order_by("pk").values_list("pk", *encrypted)
            snapshot["secrets"][name] = {str(pk): list(values) for pk, *values in rows}
print("SNAPSHOT" + json.dumps(snapshot, sort_keys=True, default=str))
