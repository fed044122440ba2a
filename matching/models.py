from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from mentoring.models import Application, Partnership, Program

from . import engine, words


class MatchRun(models.Model):
    """One "propose matches" for a program's pool: the settings used, progress, what came out."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("matching run", "Waiting to start")
        RUNNING = "running", pgettext_lazy("matching run", "Running")
        DONE = "done", pgettext_lazy("matching run", "Done")
        FAILED = "failed", pgettext_lazy("matching run", "Failed")

    class Policy(models.TextChoices):
        BEST_TOTAL = "best_total", pgettext_lazy("matching run", "Best total score")
        MOST_MATCHED = "most_matched", pgettext_lazy("matching run", "Most members matched")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="match_runs")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    policy = models.CharField(max_length=20, choices=Policy.choices, default=Policy.BEST_TOTAL)
    weights = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0)
    mentees = models.PositiveIntegerField(default=0)
    mentors = models.PositiveIntegerField(default=0)
    total_score = models.FloatField(null=True, blank=True)
    # [{"application": id, "reason": ..., "eligible": n, "scope": ..., "mentors": n, "why_not": {...}}], worded
    # when read (words.unmatched_text); runs before that saved the words: {..., "text": ...}.
    unmatched = models.JSONField(default=list, blank=True)
    # Members who applied but could not be matched at this run: [{"application": id, "why": {"key": ...}}],
    # worded when read (mentoring.services.held_back_words); runs before that saved {..., "text": why}.
    left_out = models.JSONField(default=list, blank=True)
    stats = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Matching for {self.program} on {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_finished(self):
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self):
        return round(self.progress * 100)


class Proposal(models.Model):
    """A proposed pair, from the engine or made by hand, until the chair approves or rejects it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("proposal status", "Proposed")
        APPROVED = "approved", pgettext_lazy("proposal status", "Approved")
        REJECTED = "rejected", pgettext_lazy("proposal status", "Rejected")
        REPLACED = "replaced", pgettext_lazy("proposal status", "Replaced")
        SUPERSEDED = "superseded", pgettext_lazy("proposal status", "Superseded by a newer run")
        MENTOR_FULL = "mentor_full", pgettext_lazy("proposal status", "Closed: the mentor's last place was taken")
        AWAITING_MENTOR = (
            "awaiting_mentor",
            pgettext_lazy("proposal status", "Approved; waiting for the mentor to accept"),
        )
        MENTOR_DECLINED = "mentor_declined", pgettext_lazy("proposal status", "The mentor declined")
        MENTOR_SILENT = "mentor_silent", pgettext_lazy("proposal status", "The mentor did not answer in time")
        CANT_GO_AHEAD = (
            "cant_go_ahead",
            pgettext_lazy("proposal status", "Closed: the mentor said yes, but something had changed"),
        )
        REJECTION_UNDONE = "undone", pgettext_lazy("proposal status", "Rejected, then reconsidered")
        # A member's own request (origin MEMBER) that closed before an answer.
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal status", "Withdrawn by the mentee")
        ASK_CLOSED = "ask_closed", pgettext_lazy("proposal status", "Closed: another mentor said yes")

    class Origin(models.TextChoices):
        RUN = "run", pgettext_lazy("proposal origin", "a matching run")
        MANUAL = "manual", pgettext_lazy("proposal origin", "made by hand")
        MEMBER = "member", pgettext_lazy("proposal origin", "the member's choice")

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="proposals")
    run = models.ForeignKey(MatchRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals")
    mentee_application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    mentor_application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    # One row per criterion, strengths first: key, points, max, blank, facts (engine._Breakdown), worded
    # when read (words.rows). Proposals made before that saved the words: key, label, points, max, detail, blank.
    breakdown = models.JSONField(default=list, blank=True)
    # What the one sentence says: {"strengths": [keys], "weakest": key} (engine._explain), worded when
    # read (the sentence property); {} for proposals made before that, which saved the sentence in English:
    explanation = models.TextField(blank=True)
    summary = models.JSONField(default=dict, blank=True)
    # Why the mentee did not get their best fit: mentor, score, taken_by, cost, full_before (services._why_not_json).
    why_not = models.JSONField(default=dict, blank=True)
    # The rules a manual pair breaks, as keys and their values (engine.pair_problem_keys), worded when
    # read (worded_warnings); proposals made before that saved the words.
    warnings = models.JSONField(default=list, blank=True)
    manual = models.BooleanField(default=False)
    # Who proposed the pair: a run, the chair by hand, or the mentee (members choose: matching/choosing.py).
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.RUN)
    priority = models.BooleanField(default=False)  # the mentee re-enters after a dissolved partnership
    # Why it closed without a decision: a key and its values ({"key": "declined", "mentor": ..., "date": ...}),
    # worded when read (the closed_text property, words.closed_note); {} for proposals closed before
    # that, which saved the words in English in closed_note.
    closed_why = models.JSONField(default=dict, blank=True)
    closed_note = models.CharField(max_length=300, blank=True)
    asked_mentor_at = models.DateTimeField(null=True, blank=True)  # "the mentor accepts first"
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED)
    partnership = models.OneToOneField(
        Partnership, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposal"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-priority", "-score", "id"]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self):
        # Shown in the chair's messages ("Not approved: Ann with Bo (82)").
        words = {
            "mentee": self.mentee_application.user,
            "mentor": self.mentor_application.user,
            "score": engine.shown_score(self.score),
        }
        return _("%(mentee)s with %(mentor)s (%(score)s)") % words

    @property
    def rows(self):
        """The breakdown rows (none for proposals made before breakdowns had points)."""
        return self.breakdown if isinstance(self.breakdown, list) else []

    @property
    def sentence(self):
        """The one-sentence explanation in the reader's language (the saved one for older proposals)."""
        return words.sentence(self.rows, self.summary, self.explanation)

    @property
    def worded_rows(self):
        """The breakdown rows with their label and detail in the reader's language."""
        return words.rows(self.rows)

    @property
    def worded_warnings(self):
        """The rules a manual pair breaks, in the reader's language."""
        return words.warnings(self.warnings)

    @property
    def closed_text(self):
        """Why it closed without a decision, in the reader's language (the saved words for older ones)."""
        return words.closed_note(self.closed_why, self.closed_note)

    @property
    def incomplete(self):
        """The criteria someone left blank, in words, for the queue's warning."""
        return words.incomplete(self.rows)

    @property
    def incomplete_note(self):
        """The queue's warning when someone left a criterion blank: the chair read it on about
        half the first proposals and could not tell whether to hold them back. A blank answer
        costs every pair of the person who left it alike, so it never made another partner
        the better choice for them."""
        return words.incomplete_note(self.rows)


class ProposalEvent(models.Model):
    """Every decision and comment on a proposal, with who and when. Never edited."""

    class Kind(models.TextChoices):
        PROPOSED = "proposed", pgettext_lazy("proposal event", "proposed")
        APPROVED = "approved", pgettext_lazy("proposal event", "approved")
        REJECTED = "rejected", pgettext_lazy("proposal event", "rejected")
        REPLACED = "replaced", pgettext_lazy("proposal event", "replaced with a manual pair")
        COMMENT = "comment", pgettext_lazy("proposal event", "commented")
        UNDONE = "undone", pgettext_lazy("proposal event", "undid the rejection")
        MENTOR_ACCEPTED = "mentor_accepted", pgettext_lazy("proposal event", "accepted (the mentor)")
        MENTOR_DECLINED = "mentor_declined", pgettext_lazy("proposal event", "declined (the mentor)")
        MENTOR_SILENT = "mentor_silent", pgettext_lazy("proposal event", "no answer from the mentor in time")
        MEMBER_ASKED = "member_asked", pgettext_lazy("proposal event", "asked this mentor (the mentee)")
        WITHDRAWN = "withdrawn", pgettext_lazy("proposal event", "withdrew the request (the mentee)")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField(blank=True, max_length=2000)  # what a person wrote, kept as written
    # What the app wrote, as a key and its values ({"key": "replaced", "mentor": ...}), worded when
    # read (shown_text); {} for a person's words, and for events saved before that with the app's
    # words in English in text.
    said = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.actor} {self.get_kind_display()} at {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def shown_text(self):
        """The event's words in the reader's language: the app's (worded now), or a person's as written."""
        return words.event_text(self.said, self.text)


class EmployerSpelling(models.Model):
    """Staff tell matching that two names are one employer ("Hartford Financial" is "The
    Hartford"), beyond what the spelling rules already see (case, accents, "&", Inc/LLC/GmbH...).
    The same-employer rule then keeps their people apart."""

    spelling = models.CharField("this name", max_length=120, unique=True)
    same_as = models.CharField("is the same employer as", max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["same_as", "spelling"]
        verbose_name = "employer spelling"

    def __str__(self):
        return f"{self.spelling} = {self.same_as}"
