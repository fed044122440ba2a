from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import MaxValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person with an account. Members sign in with their email address."""

    username = None
    email = models.EmailField("email address", unique=True)
    # English or French (settings.LANGUAGES); blank: the site's. Pages and emails use it.
    language = models.CharField(max_length=8, blank=True, default="", choices=settings.LANGUAGES)

    objects = UserManager()

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        ordering = ["last_name", "first_name", "email"]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()


class Profile(models.Model):
    """What the association knows about a member, and what the member tells the programs."""

    class MembershipStatus(models.TextChoices):
        ACTIVE = "active", pgettext_lazy("membership status", "Active")
        GRACE = "grace", _("Renewal due")
        LAPSED = "lapsed", pgettext_lazy("membership status", "Lapsed")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    association = models.ForeignKey(
        "mentoring.LocalAssociation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="local association",
    )
    employer = models.CharField(max_length=120, blank=True)
    job_title = models.CharField(max_length=120, blank=True)
    years_in_profession = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(70)])
    member_since = models.DateField(null=True, blank=True, help_text="When you joined the association.")
    leadership_roles = models.TextField(
        blank=True,
        max_length=1000,
        help_text="Roles you have held, one per line, e.g. “President, Springfield local, 2023–2024”.",
    )
    bio = models.TextField("short bio", blank=True, max_length=2000)
    phone = models.CharField(max_length=30, blank=True)
    # Kept by association staff (member data import), read by the retention reports.
    membership_status = models.CharField(
        max_length=10, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    renewal_date = models.DateField(null=True, blank=True)
    # The member's number in the association's member database (the member sync API finds members
    # by it, or by email). Not unique in the database: the sync refuses a number another member holds.
    member_number = models.CharField(max_length=30, blank=True, db_index=True)
    # Which emails the member wants beyond those a partnership needs (those always go out).
    email_announcements = models.BooleanField(
        "news from programs",
        default=True,
        help_text="Announcements when a program of your association or region opens for applications.",
    )
    email_invitations = models.BooleanField(
        "personal invitations",
        default=True,
        help_text="A program's chair or your regional vice president invites you by name to take part.",
    )
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="Calendar invitations show meeting times in this time zone."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(years_in_profession__lte=70) | models.Q(years_in_profession__isnull=True),
                name="profile_years_in_profession_at_most_70",
            ),
        ]

    def __str__(self):
        return f"Profile of {self.user}"

    def get_absolute_url(self):
        return reverse("accounts:profile")

    @property
    def zone(self):
        """The member's time zone (the site's when they have not chosen one)."""
        try:
            return ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(settings.TIME_ZONE)

    @property
    def is_complete(self):
        return bool(self.association_id and self.job_title and self.member_since)


class LeadershipRole(models.Model):
    """A leadership role a member has held or holds, with its dates (ended_on blank: current).
    Where: in words ("Northport local association", "North region"), as members say it."""

    class Title(models.TextChoices):
        PRESIDENT = "president", _("President")
        VICE_PRESIDENT = "vice_president", _("Vice president")
        SECRETARY = "secretary", _("Secretary")
        TREASURER = "treasurer", _("Treasurer")
        DIRECTOR = "director", _("Director / board member")
        COMMITTEE_CHAIR = "committee_chair", _("Committee chair")
        OTHER = "other", pgettext_lazy("leadership role", "Other")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles_held")
    title = models.CharField(max_length=20, choices=Title.choices)
    other_title = models.CharField("the role, in words", max_length=80, blank=True)
    organisation = models.CharField("where", max_length=120)
    started_on = models.DateField("from")
    ended_on = models.DateField("until", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=models.F("started_on")),
                name="leadership_role_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.organisation}"

    @property
    def name(self):
        return self.other_title if self.title == self.Title.OTHER and self.other_title else self.get_title_display()

    @property
    def is_current(self):
        return self.ended_on is None
