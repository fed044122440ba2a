"""The program's orientation: what members read, open or acknowledge before they are vetted
or matched, and who has done it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .programs import Program


def orientation_path(instance, filename):
    return f"programs/{instance.program_id}/orientation/{filename}"


class OrientationItem(models.Model):
    """One step of a program's orientation: a page of text, a link, a file, or a statement the
    member ticks (an acknowledgement)."""

    class Kind(models.TextChoices):
        PAGE = "page", _("A page of text to read")
        LINK = "link", _("A link to open")
        FILE = "file", _("A file to download")
        ACKNOWLEDGEMENT = "acknowledgement", _("A statement the member ticks")

    class Audience(models.TextChoices):
        BOTH = "both", _("Mentors and mentees")
        MENTOR = "mentor", _("Mentors only")
        MENTEE = "mentee", _("Mentees only")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="orientation_items")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PAGE)
    title = models.CharField(max_length=150)
    body = models.TextField("text", blank=True, max_length=10000)
    url = models.URLField("link", blank=True, max_length=500)
    file = models.FileField(upload_to=orientation_path, blank=True, max_length=255)
    audience = models.CharField("for", max_length=10, choices=Audience.choices, default=Audience.MENTOR)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="link") | ~models.Q(url=""), name="orientation_link_has_an_address"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="file") | ~models.Q(file=""), name="orientation_file_has_a_file"
            ),
        ]

    def __str__(self):
        return self.title

    def file_url(self):
        return reverse("orientation_file", args=[self.program_id, self.pk])

    def is_for(self, role):
        return self.audience in (self.Audience.BOTH, role)

    @property
    def done_label(self):
        """What the member's button says."""
        return {
            self.Kind.PAGE: _("I have read this"),
            self.Kind.ACKNOWLEDGEMENT: _("I agree"),
        }.get(self.kind, _("Mark as done"))


class OrientationCompletion(models.Model):
    """A member completed one orientation item (once: doing it again changes nothing)."""

    item = models.ForeignKey(OrientationItem, on_delete=models.CASCADE, related_name="completions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="orientation_completions")
    completed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "completed_at"]
        constraints = [models.UniqueConstraint(fields=["item", "user"], name="one_completion_per_item_and_member")]

    def __str__(self):
        return f"{self.user} completed {self.item}"
