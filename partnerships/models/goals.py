"""The goals a mentee sets for the partnership."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mentoring.models import Partnership


class Goal(models.Model):
    """A goal the mentee sets; both partners mark progress."""

    class Progress(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        UNDER_WAY = "under_way", _("Under way")
        ACHIEVED = "achieved", pgettext_lazy("goal", "Achieved")

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    progress = models.CharField(max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED)
    target_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["partnership", "created_at", "id"]

    def __str__(self):
        return self.title
