"""Programs and how they are run: the committee, objectives, timeline, resources, questions,
and the settings staff keep for the whole site."""

import hashlib

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .organisation import LocalAssociation, Region

DEFAULT_EXPECTATIONS = (
    "Partners agree on goals at the first meeting, meet as often as they agreed, come prepared, "
    "and tell each other early when something gets in the way. Either partner may ask the "
    "committee for help at any time."
)
DEFAULT_CONFIDENTIALITY = (
    "What partners say to each other stays between them. Feedback to the committee is read only "
    "by the committee members, who have pledged to keep it confidential."
)
DEFAULT_ENDING_EARLY = (
    "Either partner may end the partnership early, for any reason. Say so to your partner if you "
    "can, and tell the committee (the “Talk to the committee” button on the partnership page is "
    "enough): the committee ends it kindly and, if you wish, finds the mentee a new mentor. Nobody "
    "has to explain their reasons to the other partner."
)
DEFAULT_PLEDGE = (
    "I will keep confidential everything I learn as a member of this program's committee: "
    "questionnaires, vetting notes, feedback and the reasons a partnership ended. I will use it "
    "only to run the program, never discuss it outside the committee, and tell the chair at "
    "once if I think it has been seen by someone who should not see it."
)
COMMUNICATION_CHANNELS = [("in_person", _("In person")), ("video", _("Video call")), ("phone", _("Phone"))]
AVAILABILITY = [
    ("weekday_mornings", _("Weekday mornings")),
    ("weekday_daytime", _("Weekdays, during the day")),
    ("weekday_evenings", _("Weekday evenings")),
    ("weekends", _("Weekends")),
]
DEFAULT_TOPICS = [
    "Leadership",
    "Career planning",
    "Claims",
    "Underwriting",
    "Sales and client relationships",
    "Risk management",
    "Technology",
    "Regulation and compliance",
    "Public speaking",
    "Work-life balance",
    "Association volunteering",
    "Management",
]


def default_channels():
    return [key for key, _label in COMMUNICATION_CHANNELS]


def default_topics():
    return list(DEFAULT_TOPICS)


class MeetingFrequency(models.TextChoices):
    WEEKLY = "weekly", _("Every week")
    FORTNIGHTLY = "fortnightly", _("Every two weeks")
    MONTHLY = "monthly", _("Every month")
    QUARTERLY = "quarterly", _("Every three months")


class Program(models.Model):
    """A mentoring program: new-member (one local association) or leadership (one region)."""

    class Kind(models.TextChoices):
        NEW_MEMBER = "new_member", _("New-member program")
        LEADERSHIP = "leadership", _("Leadership program")

    class OrientationRequired(models.TextChoices):
        NO = "no", _("Not required: members may do it when they like")
        BEFORE_VETTING = (
            "vetting",
            _("Before vetting: mentors finish their required items before the committee decides"),
        )
        BEFORE_MATCHING = "matching", _("Before matching: members finish their required items before they are matched")

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    association = models.ForeignKey(
        LocalAssociation, on_delete=models.PROTECT, null=True, blank=True, related_name="programs"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, null=True, blank=True, related_name="programs")
    created_at = models.DateTimeField(auto_now_add=True)
    # The cycle this program was copied from (mentoring/cycles.py), so reports can compare cycles.
    # One copy per program: the next cycle is made once, whatever a double click does.
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="copies"
    )

    # What the program is for and how partnerships should go (shown to members and partners).
    summary = models.TextField(
        blank=True, max_length=2000, help_text="A few sentences that members read before they apply."
    )
    expectations = models.TextField(
        "expectations of mentors and mentees", blank=True, max_length=4000, default=DEFAULT_EXPECTATIONS
    )
    confidentiality = models.TextField(
        "confidentiality guideline", blank=True, max_length=4000, default=DEFAULT_CONFIDENTIALITY
    )
    meeting_frequency = models.CharField(
        "suggested meeting frequency", max_length=20, choices=MeetingFrequency.choices, default="monthly"
    )
    ending_early = models.TextField(
        "how to end a partnership early",
        blank=True,
        max_length=4000,
        default=DEFAULT_ENDING_EARLY,
        help_text="Part of the agreement both partners confirm when their partnership starts.",
    )
    communication_channels = models.JSONField(
        default=default_channels, blank=True, help_text="How partners are encouraged to meet."
    )
    length_months = models.PositiveSmallIntegerField(
        "length in months", default=12, validators=[MinValueValidator(1), MaxValueValidator(36)]
    )

    # Enrollment and eligibility.
    enrollment_open = models.BooleanField(default=False, help_text="Members can apply while this is on.")
    enrollment_opens_on = models.DateField(null=True, blank=True)
    enrollment_closes_on = models.DateField(null=True, blank=True)
    mentee_joined_within_months = models.PositiveSmallIntegerField(
        "mentees joined within (months)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(600)],
        help_text="Leave empty for no limit. New-member programs often use 24.",
    )
    mentor_min_years = models.PositiveSmallIntegerField(
        "mentors have at least (years of membership or experience)",
        default=3,
        validators=[MaxValueValidator(70)],
    )
    allow_both_roles = models.BooleanField("a member may apply as mentee and as mentor", default=False)
    default_mentor_capacity = models.PositiveSmallIntegerField(
        "mentees a mentor is offered",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="What the mentor's questionnaire suggests; each mentor may choose more, up to the limit.",
    )
    max_mentor_capacity = models.PositiveSmallIntegerField(
        "most mentees one mentor may take",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="The limit a mentor can choose on their questionnaire.",
    )
    topics = models.JSONField(
        "topics", default=default_topics, blank=True, help_text="The goal and expertise areas members choose from."
    )

    # Matching: the engine's weights per criterion (missing ones take the engine's defaults).
    allow_same_employer = models.BooleanField(
        "mentor and mentee may work for the same employer",
        default=False,
        help_text="Off by default: a mentor outside the mentee's company can speak more freely.",
    )
    matching_weights = models.JSONField(default=dict, blank=True)

    # Feedback: when partners are asked how it goes (days from the start of a partnership).
    feedback_first_after_days = models.PositiveSmallIntegerField(
        "first feedback after (days)", default=30, validators=[MinValueValidator(7), MaxValueValidator(365)]
    )
    feedback_every_days = models.PositiveSmallIntegerField(
        "then every (days)", default=60, validators=[MinValueValidator(14), MaxValueValidator(365)]
    )
    feedback_at_end = models.BooleanField("a final round when the partnership ends", default=True)
    mentor_accepts_first = models.BooleanField(
        "the mentor accepts first",
        default=False,
        help_text="After you approve a pair, the mentor is asked to accept before both are introduced "
        "(circumstances change between applying and matching). On for leadership programs unless you "
        "switch it off.",
    )
    offers_flash = models.BooleanField(
        "flash conversations",
        default=False,
        help_text="Vetted mentors offer one-hour conversations that eligible members book with a question.",
    )
    offers_circles = models.BooleanField(
        "mentoring circles",
        default=False,
        help_text="A mentor (or two) meets a small group of mentees; formed by the committee, or joined by members.",
    )
    circle_size = models.PositiveSmallIntegerField(
        "largest circle (mentees)",
        default=6,
        validators=[MinValueValidator(3), MaxValueValidator(12)],
    )
    # Members choose (matching/choosing.py): beside the committee's matching, not instead of it.
    members_choose = models.BooleanField(
        "members choose their mentor",
        default=False,
        help_text="Mentees whose application is accepted browse the vetted mentors with a free place and ask "
        "one; the mentor accepts or declines within the days below.",
    )
    member_asks_at_once = models.PositiveSmallIntegerField(
        "mentors a mentee may ask at once", default=2, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    member_choice_needs_committee = models.BooleanField(
        "the committee approves a request the mentor accepts",
        default=True,
        help_text="Off: a request the mentor accepts starts the partnership at once.",
    )
    mentor_answer_days = models.PositiveSmallIntegerField(
        "mentors answer within (days)",
        default=7,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
        help_text="Without an answer by then, the mentee goes back to the front of the pool.",
    )
    feedback_link_days = models.PositiveSmallIntegerField(
        "feedback links work for (days)", default=14, validators=[MinValueValidator(3), MaxValueValidator(60)]
    )
    reminder_after_days = models.PositiveSmallIntegerField(
        "remind after (days without an answer)", default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    max_reminders = models.PositiveSmallIntegerField("reminders at most", default=2, validators=[MaxValueValidator(5)])
    nudge_after_days = models.PositiveSmallIntegerField(
        "nudge partners with no meeting logged for (days)",
        default=45,
        validators=[MinValueValidator(14), MaxValueValidator(365)],
    )
    agreement_due_days = models.PositiveSmallIntegerField(
        "follow up agreements not confirmed after (days)",
        default=14,
        validators=[MinValueValidator(3), MaxValueValidator(90)],
        help_text="Partnerships whose two partners have not both confirmed their agreement by then "
        "appear under “Needs attention”.",
    )

    # Closing on time (feedback/closing.py, matching/waiting.py): the hourly jobs read these.
    grace_days_after_end = models.PositiveSmallIntegerField(
        "complete automatically after the planned end (days)",
        default=30,
        validators=[MaxValueValidator(180)],
        help_text="Both partners are then thanked and asked the close-out survey. To keep one open, extend it.",
    )
    waiting_notice_every_days = models.PositiveSmallIntegerField(
        "tell waiting mentees we are still looking every (days)",
        null=True,
        blank=True,
        default=30,
        validators=[MinValueValidator(7), MaxValueValidator(180)],
        help_text="A kind note to mentees without a mentor yet. Leave empty to send none.",
    )

    # Orientation (mentoring/orientation.py): when members must have finished its required items.
    orientation_required_before = models.CharField(
        "the orientation is required",
        max_length=10,
        choices=OrientationRequired.choices,
        default=OrientationRequired.NO,
    )

    # The committee's pledge; a change of text is a new version that each member accepts again.
    pledge_text = models.TextField("confidentiality pledge", max_length=4000, default=DEFAULT_PLEDGE)
    # Kept by association staff (admin only): committee members set up two-factor sign-in first.
    require_two_factor = models.BooleanField(
        "committee members must use two-factor sign-in",
        default=True,
        help_text="Association staff may turn this off, e.g. for a pilot with paper feedback.",
    )

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
            models.UniqueConstraint(
                fields=["copied_from"], condition=models.Q(copied_from__isnull=False), name="one_next_cycle_per_program"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("program", args=[self.pk])

    @property
    def owner_name(self):
        return f"{self.region} region" if self.kind == self.Kind.LEADERSHIP else str(self.association)

    @property
    def pledge_version(self):
        """A short fingerprint of the pledge text: editing the text makes a new version."""
        return hashlib.sha256(self.pledge_text.encode()).hexdigest()[:12]

    def is_open_on(self, day):
        if not self.enrollment_open:
            return False
        if self.enrollment_opens_on and day < self.enrollment_opens_on:
            return False
        return not (self.enrollment_closes_on and day > self.enrollment_closes_on)


class CommitteeMembership(models.Model):
    """A seat on a program's committee. Confidential pages open only after the pledge."""

    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        MEMBER = "member", _("Committee member")
        FACILITATOR = "facilitator", _("Facilitator")

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

    @property
    def has_current_pledge(self):
        """Accepted, and for the pledge text the program has today."""
        return self.pledge_accepted_at is not None and self.pledge_version == self.program.pledge_version


class Objective(models.Model):
    """What the program wants to achieve, with a target the reports measure against."""

    class Measure(models.TextChoices):
        SATISFACTION = "satisfaction", _("Mean satisfaction of partners (1 to 5)")
        RESPONSE_RATE = "response_rate", _("Feedback response rate (%)")
        COMPLETION = "completion", _("Partnerships completed (%)")
        RETENTION = "retention", _("Participants who renew their membership (%)")
        GOAL_PROGRESS = "goal_progress", _("Mentee goals reached (%)")
        OTHER = "other", _("Other (described in words)")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="objectives")
    description = models.CharField(max_length=200, help_text="E.g. “New members feel at home in the association”.")
    measure = models.CharField(max_length=20, choices=Measure.choices, default=Measure.SATISFACTION)
    target = models.DecimalField(
        max_digits=6, decimal_places=1, null=True, blank=True, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["program", "id"]

    def __str__(self):
        return self.description


class Milestone(models.Model):
    """A step of the suggested timeline, counted in days from the start of a partnership."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="milestones")
    day = models.PositiveSmallIntegerField("day", validators=[MaxValueValidator(1100)])
    title = models.CharField(max_length=120)
    description = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["program", "day", "id"]

    def __str__(self):
        return f"Day {self.day}: {self.title}"


DEFAULT_MILESTONES = [
    (0, "Kickoff", "Meet, get to know each other, agree on goals and how often to meet."),
    (30, "First month", "Check the goals still fit; the first feedback questions arrive."),
    (90, "Three months", "Look back at progress and adjust the plan."),
    (180, "Six months", "Halfway review: what is working, what to change."),
    (365, "Completion", "Celebrate progress and decide what comes next."),
]


def resource_path(instance, filename):
    return f"programs/{instance.program_id}/resources/{filename}"


class Resource(models.Model):
    """Training material for partners: a link or an uploaded file."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=150)
    url = models.URLField("link", blank=True, max_length=500)
    file = models.FileField(upload_to=resource_path, blank=True, max_length=255)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "title"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(url="") & ~models.Q(file="")) | (~models.Q(url="") & models.Q(file="")),
                name="resource_is_a_link_or_a_file",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return self.url or reverse("resource_file", args=[self.program_id, self.pk])


class ChoiceWords:
    """For a question whose answers have a stored value (``choices``: what matching compares and
    the reports count) and words in each language (``choice_labels``, translated by
    modeltranslation): a program's question and a survey's question alike."""

    @property
    def options(self):
        """(stored value, words in the reader's language) for each answer offered."""
        labels = self.choice_labels or []
        return list(zip(self.choices, labels if len(labels) == len(self.choices) else self.choices, strict=True))

    @property
    def choice_words(self):
        """The answers offered, in the reader's language."""
        return [words for _, words in self.options]


class Question(ChoiceWords, models.Model):
    """A program's own question on its questionnaire, optionally read by the matching engine."""

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale from 1 to 5")
        TEXT = "text", _("Short text")

    class Audience(models.TextChoices):
        BOTH = "both", _("Mentees and mentors")
        MENTEE = "mentee", _("Mentees only")
        MENTOR = "mentor", _("Mentors only")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="questions")
    text = models.CharField("question", max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    # The answers' stored values, what members' answers hold and matching compares; their words
    # in each language are choice_labels (one per value, in the same order).
    choices = models.JSONField(default=list, blank=True, help_text="The answers to choose from.")
    choice_labels = models.JSONField(default=list, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    required = models.BooleanField(default=False)
    weight = models.DecimalField(
        "matching weight",
        max_digits=3,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text="0: the matching engine ignores it. Higher: partners with similar answers score higher.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["program", "position", "id"]

    def __str__(self):
        return self.text

    @property
    def field_name(self):
        return f"q{self.pk}"

    def asks(self, role):
        return self.audience in (self.Audience.BOTH, role)

    def words_for(self, answer):
        """A member's answer (a stored value, or a list of them) in the reader's language."""
        words = dict(self.options)
        if isinstance(answer, list):
            return [words.get(value, value) for value in answer]
        return words.get(answer, answer) if isinstance(answer, str) else answer

    @property
    def optional_but_counts(self):
        """Members may skip it, yet a blank answer earns nothing in matching: they are told so."""
        return not self.required and self.weight > 0


class SiteSettings(models.Model):
    """Settings the association's staff keep in the admin. One row."""

    report_min_responses = models.PositiveSmallIntegerField(
        "report figures need at least this many feedback answers",
        default=5,
        validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text="Figures drawn from fewer answers show as “too few to report”, so no one can be recognised.",
    )
    keep_personal_data_months = models.PositiveSmallIntegerField(
        "keep personal data of finished records for this many months",
        default=24,
        validators=[MinValueValidator(6), MaxValueValidator(120)],
        help_text="Counted from the day a partnership ended or an application closed unmatched. Members are "
        "warned a month before, and may keep their own history; the report figures stay.",
    )

    class Meta:
        verbose_name = verbose_name_plural = "site settings"

    def __str__(self):
        return "Site settings"

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]
