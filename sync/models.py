from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Profile


class IntegrationKey(models.Model):
    """A key an integration signs its pushes with. Only a hash of its secret is kept: the key
    is shown once, when staff create it. Revoked, it is refused from then on (kept for the log)."""

    class Scope(models.TextChoices):
        WRITE = "members:write", _("Push member changes")
        CHECK = "members:check", _("Check changes only (nothing is saved)")

    name = models.CharField(_("name"), max_length=80, help_text=_("Which system uses it, e.g. “Member database”."))
    prefix = models.CharField(max_length=16, unique=True)  # the key's first part: finds it, shown to staff
    secret_hash = models.CharField(max_length=64)  # SHA-256 of the whole key, hex
    scope = models.CharField(_("what it may do"), max_length=20, choices=Scope.choices, default=Scope.WRITE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["revoked_at", "-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self):
        return self.revoked_at is not None


class SyncRun(models.Model):
    """One push (or one refused attempt with a known key): what it did, and its problems as the
    integration was told them (in English, the API's language)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Saved")
        CHECKED = "checked", _("Checked only")
        REFUSED = "refused", _("Refused")

    key = models.ForeignKey(IntegrationKey, on_delete=models.PROTECT, related_name="runs")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    received = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    stale = models.PositiveIntegerField(default=0)
    not_here = models.PositiveIntegerField(default=0)  # nothing kept: no account, and no address to wait on
    waiting = models.PositiveIntegerField(default=0)  # kept as WaitingMember until their account exists
    problems = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.key.name} {self.at:%Y-%m-%d %H:%M} {self.outcome}"


class MemberSyncState(models.Model):
    """As of when the member's membership data is known here (the newest `updated_at` pushed):
    a push describing an older state of the member is stale and left alone."""

    profile = models.OneToOneField(Profile, on_delete=models.CASCADE, related_name="sync_state")
    as_of = models.DateTimeField()

    def __str__(self):
        return f"{self.profile_id} as of {self.as_of:%Y-%m-%d %H:%M}"


class MemberChange(models.Model):
    """One field of one member's membership data changed: by a push (the key and its run) or by
    the membership list import (the staff member who imported), when, before and after.
    Membership data only (status, dates, local association, member number): nothing confidential."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="sync_changes")
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, null=True, blank=True, related_name="changes")
    key = models.ForeignKey(IntegrationKey, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    by = models.ForeignKey(  # the membership list import: who imported
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    field = models.CharField(max_length=40)
    old = models.CharField(max_length=120, blank=True)
    new = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.profile_id} {self.field}: {self.old} -> {self.new}"


class WaitingMember(models.Model):
    """A member pushed before they have an account here: their membership values as the push
    carried them (accounts.imports.read_member's `values`, dates as 2026-01-31), kept until
    their account exists with this address confirmed (sync.services.apply_waiting), a push says
    they left, or nobody has pushed them for SYNC_WAITING_DAYS (sync.tasks). Personal data of
    someone who has not joined: never in the admin, the logs or a list, only counted."""

    email = models.CharField(max_length=254, unique=True)  # lower case, as accounts.imports reads it
    member_number = models.CharField(max_length=30, blank=True)
    values = models.JSONField(default=dict)
    as_of = models.DateTimeField()  # the newest `updated_at` pushed: an older push is stale
    key = models.ForeignKey(IntegrationKey, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member_number"],
                condition=~models.Q(member_number=""),
                name="sync_waiting_member_number_unique",
            )
        ]

    def __str__(self):
        return f"waiting member {self.pk}"  # never the address: this may reach a log
