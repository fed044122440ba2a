"""Keeping records no longer than needed: one row per member and finished record (a partnership
that ended, or an application that closed unmatched) once its time is near. See retention.services."""

from django.conf import settings
from django.db import models

from mentoring.models import Application, Partnership


class RecordExpiry(models.Model):
    """A member's part of one finished record, from the warning to its removal (or keeping).

    Exactly one of `partnership` and `application` is set. `expires_on` is fixed when the member
    is warned: never less than a month after the warning, whatever the job's delays."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="record_expiries")
    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, null=True, blank=True, related_name="expiries"
    )
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, null=True, blank=True, related_name="expiries"
    )
    expires_on = models.DateField()
    warned_at = models.DateTimeField(null=True, blank=True)
    kept_at = models.DateTimeField("kept at the member's request", null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "record expiry"
        verbose_name_plural = "record expiries"
        ordering = ["expires_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partnership__isnull=True) ^ models.Q(application__isnull=True),
                name="record_expiry_one_record",
            ),
            models.UniqueConstraint(fields=["user", "partnership"], name="one_expiry_per_member_partnership"),
            models.UniqueConstraint(fields=["user", "application"], name="one_expiry_per_member_application"),
        ]
        indexes = [models.Index(fields=["expired_at", "kept_at", "expires_on"])]

    def __str__(self):
        record = f"partnership {self.partnership_id}" if self.partnership_id else f"application {self.application_id}"
        return f"{record}: member {self.user_id}, expires on {self.expires_on}"

    @property
    def state(self):
        if self.expired_at:
            return "removed"
        if self.kept_at:
            return "kept"
        return "warned" if self.warned_at else "due"
