"""Regions, their local associations, and the associations' officers."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    name = models.CharField(max_length=100, unique=True)
    vice_president = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regions_as_vp",
        verbose_name="regional vice president",
    )
    # How the region's emails look (its leadership program's; its associations' without their own).
    brand = models.OneToOneField(
        "outbox.Brand", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="region"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LocalAssociation(models.Model):
    name = models.CharField(max_length=120, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="associations")
    city = models.CharField(max_length=80, blank=True)
    # How its new-member program's emails look (none: the region's, then the site's).
    brand = models.OneToOneField(
        "outbox.Brand", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="association"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AssociationOfficerQuerySet(models.QuerySet):
    def current(self):
        """Officers who are still members of their association: one who moved to another local
        association keeps the row (the VP sees it) but none of its rights."""
        return self.filter(user__is_active=True, user__profile__association=models.F("association"))


class AssociationOfficer(models.Model):
    """An officer of a local association, appointed by staff or the region's VP. Officers appoint
    the chair of their association's new-member program and read its report (the association
    guide: the new-member program "requires the commitment of the association's officers")."""

    class Role(models.TextChoices):
        PRESIDENT = "president", _("President")
        MEMBERSHIP = "membership", _("Membership officer")

    association = models.ForeignKey(LocalAssociation, on_delete=models.CASCADE, related_name="officers")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="association_offices")
    role = models.CharField(max_length=20, choices=Role.choices)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointed_at = models.DateTimeField(default=timezone.now)

    objects = AssociationOfficerQuerySet.as_manager()

    class Meta:
        ordering = ["association", "role", "appointed_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association"],
                condition=models.Q(role="president"),
                name="one_president_per_association",
                violation_error_message="This local association has a president already.",
            ),
            models.UniqueConstraint(
                fields=["association", "user", "role"],
                name="officer_role_once",
                violation_error_message="This member holds that role already.",
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.association})"

    def clean(self):
        profile = getattr(self.user, "profile", None) if self.user_id else None
        if self.user_id and self.association_id and getattr(profile, "association_id", None) != self.association_id:
            raise ValidationError(
                {
                    "user": _("%(person)s is not a member of %(association)s.")
                    % {"person": self.user, "association": self.association}
                }
            )
