"""Regions and their local associations."""

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
