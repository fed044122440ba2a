"""Confidential feedback: the rounds partners are asked, their answers, concerns raised between
rounds, and the chair's surveys. (The committee's follow-up log is partnerships.models.FollowUp.)"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.fields import ConfidentialTextField
from mentoring.models import Application, ChoiceWords, Partnership

MAX_SEND_ATTEMPTS = 5  # a feedback email (the ask, or a reminder) refused this many times in a row is not tried again


class Solicitation(models.Model):
    """One partner asked for one round. Its own outbox row: claimed pending -> sending, sent
    once, then answered; the unique constraint stops a second for the same partner and round."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent, waiting for an answer")
        ANSWERED = "answered", pgettext_lazy("feedback email", "Answered")
        FAILED = "failed", _("Could not be sent")

    Role = Application.Role

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="solicitations")
    round = models.PositiveSmallIntegerField()
    is_final = models.BooleanField(default=False)
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solicitations")
    role = models.CharField(max_length=10, choices=Role.choices)
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    reminder_claimed_at = models.DateTimeField(null=True, blank=True)
    reminder_failures = models.PositiveSmallIntegerField(default=0)  # refused in a row; reminding stops at 5
    # Sent again after a worker died while sending it, or the connection was cut once the message
    # went (it may have gone out): the email says so. In doubt a second time, it is failed.
    in_doubt = models.BooleanField(default=False)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "round", "role"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "round", "respondent"], name="one_solicitation_per_round"),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self):
        return f"Round {self.round} for {self.respondent} ({self.get_status_display()})"

    @property
    def refusals(self):
        """How many times in a row the mail server refused it (the ask, or else its reminder),
        when that is enough to stop trying; else 0."""
        if self.status == self.Status.FAILED:
            return self.attempts
        if self.status == self.Status.SENT and self.reminder_failures >= MAX_SEND_ATTEMPTS:
            return self.reminder_failures
        return 0


# The asks (or their reminders) the mail server refused every time: for the committee to see.
REFUSED = models.Q(status=Solicitation.Status.FAILED) | models.Q(
    status=Solicitation.Status.SENT, reminder_failures__gte=MAX_SEND_ATTEMPTS
)


class Response(models.Model):
    """One partner's confidential answer to one round. Read by the program's committee only."""

    class Met(models.TextChoices):
        WEEKLY = "weekly", _("About every week")
        FORTNIGHTLY = "fortnightly", _("About every two weeks")
        MONTHLY = "monthly", _("About once a month")
        LESS = "less", _("Less than once a month")
        NOT_MET = "not_met", _("We have not met yet")

    class Progress(models.TextChoices):
        NONE = "none", _("No progress yet")
        SOME = "some", _("Some progress")
        GOOD = "good", _("Good progress")
        ACHIEVED = "achieved", _("Goals reached")

    class Working(models.TextChoices):
        YES = "yes", pgettext_lazy("is it working", "Yes")
        PARTLY = "partly", pgettext_lazy("is it working", "Partly")
        NO = "no", pgettext_lazy("is it working", "No")

    solicitation = models.OneToOneField(Solicitation, on_delete=models.CASCADE, related_name="response")
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=10, choices=Solicitation.Role.choices)
    round = models.PositiveSmallIntegerField()
    satisfaction = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    met = models.CharField(_("how often you met"), max_length=12, choices=Met.choices)
    progress = models.CharField(_("progress toward the goals"), max_length=10, choices=Progress.choices)
    working = models.CharField(_("is this partnership working?"), max_length=8, choices=Working.choices)
    wants_new_partner = models.BooleanField(_("I would like a new partner"), default=False)
    concerns = ConfidentialTextField(blank=True, null=True)
    recommends_for_leadership = models.BooleanField(null=True, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(satisfaction__gte=1, satisfaction__lte=5), name="response_satisfaction_1_to_5"
            ),
        ]
        indexes = [
            # The leadership pipeline reads the few recommendations among all the answers.
            models.Index(
                fields=["partnership"], condition=models.Q(recommends_for_leadership=True), name="response_recommended"
            ),
        ]

    def __str__(self):
        return f"Response {self.pk}"

    @property
    def needs_attention(self):
        return self.satisfaction <= 2 or self.working == self.Working.NO or self.wants_new_partner


class Concern(models.Model):
    """Raised by a partner with the committee, between rounds. Confidential like feedback."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    text = ConfidentialTextField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Concern {self.pk}"


# --- Surveys the chair designs ------------------------------------------------------------------


class SurveyQuestion(models.Model):
    """A question the chair adds to the periodic feedback or to the close-out survey (the final
    round), after the program's default questions. Its wording lives in versions: once a question
    has answers, changing the wording makes a new version, and each answer keeps its own."""

    class Survey(models.TextChoices):
        PERIODIC = "periodic", _("Periodic feedback")
        CLOSEOUT = "closeout", _("Close-out survey (the final round)")

    class Audience(models.TextChoices):
        BOTH = "both", _("Mentees and mentors")
        MENTEE = "mentee", _("Mentees only")
        MENTOR = "mentor", _("Mentors only")

    class Kind(models.TextChoices):
        SINGLE = "single", _("Single choice")
        MULTIPLE = "multiple", _("Multiple choice")
        SCALE = "scale", _("Scale from 1 to 5")
        NPS = "nps", _("Would you recommend it? (0 to 10)")
        TEXT = "text", _("Short text (the committee only, never in reports)")

    CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE)

    program = models.ForeignKey("mentoring.Program", on_delete=models.CASCADE, related_name="survey_questions")
    survey = models.CharField(max_length=10, choices=Survey.choices, default=Survey.PERIODIC)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.BOTH)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SINGLE)
    required = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)  # a retired question is no longer asked; its answers stay
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["program", "survey", "position", "id"]

    def __str__(self):
        return f"Survey question {self.pk}"

    @property
    def field_name(self):
        return f"survey_{self.pk}"

    def asks(self, role):
        return self.audience in (self.Audience.BOTH, role)


class SurveyQuestionVersion(ChoiceWords, models.Model):
    """The wording of a question at one time: the text, its hint and the answers offered."""

    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(default=1)
    text = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    # The answers' stored values (what SurveyAnswer.choice holds and the reports count); their
    # words in each language are choice_labels (feedback/translation.py), in the same order.
    choices = models.JSONField(default=list, blank=True)
    choice_labels = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question", "number"]
        constraints = [models.UniqueConstraint(fields=["question", "number"], name="one_survey_version_number")]

    def __str__(self):
        return self.text


class SurveyAnswer(models.Model):
    """One partner's answer to one survey question, under the wording they were shown. A multiple
    choice answer is one row per answer ticked (so the reports count them in the database); a
    short text is confidential like the rest of the feedback and never leaves the committee."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="survey_answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    version = models.ForeignKey(SurveyQuestionVersion, on_delete=models.CASCADE, related_name="answers")
    choice = models.CharField(max_length=100, blank=True)
    number = models.PositiveSmallIntegerField(null=True, blank=True)
    text = ConfidentialTextField(blank=True, null=True)

    class Meta:
        ordering = ["response", "question__position", "question_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question", "choice"], name="one_survey_answer_per_choice"),
            models.CheckConstraint(condition=models.Q(number__lte=10), name="survey_answer_number_0_to_10"),
        ]

    def __str__(self):
        return f"Survey answer {self.pk}"
