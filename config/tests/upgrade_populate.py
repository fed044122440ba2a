"""Run by `manage.py shell` in the tree of the last release (test_upgrade.py), after its demo
seed: the rows the demo leaves empty that an upgrade must carry too, written with that release's
own models (found by class name, wherever that release kept them): emails still waiting in the
outbox, a confidential concern, a record of a read, and one admin log entry per model of the
project (their content types must follow a model that moves to another app)."""

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType

project = str(settings.BASE_DIR)
ours = [c for c in apps.get_app_configs() if c.path.startswith(project) and "site-packages" not in c.path]
models = {m.__name__: m for c in ours for m in c.get_models()}
User, Partnership = models["User"], models["Partnership"]
staff = User.objects.filter(is_staff=True).first()
partnership = Partnership.objects.filter(status="active").order_by("pk").first()

for n in range(3):
    models["OutgoingEmail"].objects.create(
        key=f"upgrade:{n}", to=f"waiting{n}@example.org", subject=f"Waiting {n}", body=f"Still to send {n}"
    )
models["Concern"].objects.create(
    partnership=partnership, raised_by=partnership.mentee, text="UPGRADE-SECRET concern: we never meet"
)
models["ConfidentialAccess"].objects.create(
    user=staff, program=partnership.program, partnership=partnership, what="partnership record", items={"concern": [1]}
)
for name, model in sorted(models.items()):
    row = model._default_manager.order_by("pk").first()
    if row is None:
        continue
    LogEntry.objects.create(
        user=staff,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(row.pk),
        object_repr=f"upgrade {name}",
        action_flag=CHANGE,
        change_message="[]",
    )
print("POPULATED")
