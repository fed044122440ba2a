from django.conf import settings
from django.db import models


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

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class LocalAssociation(models.Model):
    name = models.CharField(max_length=120, unique=True)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="associations")
    city = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Program(models.Model):
    """A mentoring program: new-member (one local association) or leadership (one region)."""

    class Kind(models.TextChoices):
        NEW_MEMBER = "new_member", "New-member program"
        LEADERSHIP = "leadership", "Leadership program"

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    association = models.ForeignKey(
        LocalAssociation, on_delete=models.PROTECT, null=True, blank=True, related_name="programs"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="programs")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # A new-member program belongs to one local association, a leadership program to a region.
            models.CheckConstraint(
                condition=(
                    models.Q(kind="new_member", association__isnull=False, region__isnull=True)
                    | models.Q(kind="leadership", association__isnull=True, region__isnull=False)
                ),
                name="program_owner_matches_kind",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def owner_region(self):
        return self.region if self.kind == self.Kind.LEADERSHIP else self.association.region


class CommitteeMembership(models.Model):
    """A seat on a program's committee. Confidential pages open only after the pledge."""

    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Committee member"
        FACILITATOR = "facilitator", "Facilitator"

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="committee")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="committee_seats")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appointed_at = models.DateTimeField(auto_now_add=True)
    pledge_accepted_at = models.DateTimeField(null=True, blank=True)
    pledge_version = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["program", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["program", "user"], name="one_seat_per_program"),
            models.UniqueConstraint(fields=["program"], condition=models.Q(role="chair"), name="one_chair_per_program"),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()}, {self.program})"

    @property
    def is_chair(self):
        return self.role == self.Role.CHAIR
