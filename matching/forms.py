from django import forms
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentoring.forms import LANGUAGES, worded
from mentoring.models import Application, Partnership
from mentoring.models.programs import COMMUNICATION_CHANNELS
from partnerships.forms import TOO_LONG

from . import engine, words
from .choosing import NOTE_MAX
from .models import MatchRun

POLICY_CHOICES = [
    (
        MatchRun.Policy.BEST_TOTAL,
        _("The best pairs: each pair fits as well as it can; a mentee with no good fit may wait for the next round"),
    ),
    (
        MatchRun.Policy.MOST_MATCHED,
        _("As few waiting as possible: everyone who can be matched is, even if some pairs fit less well"),
    ),
]


class RunForm(forms.Form):
    policy = forms.ChoiceField(
        label=_("What matters most this time"),
        choices=POLICY_CHOICES,
        initial=MatchRun.Policy.BEST_TOTAL,
        widget=forms.RadioSelect,
        help_text=_("Nothing is final: you see the proposals and approve each pair."),
    )


class DecideForm(forms.Form):
    proposals = forms.TypedMultipleChoiceField(
        coerce=int, error_messages={"required": _("Tick at least one proposal.")}
    )
    action = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])

    def __init__(self, *args, proposal_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].choices = [(pk, pk) for pk in proposal_ids]
        self.fields["proposals"].error_messages["invalid_choice"] = _(
            "One of the ticked proposals is no longer open. Reload the page and try again."
        )


class CommentForm(forms.Form):
    text = forms.CharField(label=_("Comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class MentorAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("accept", _("Yes, I will mentor them")), ("decline", _("No, not now"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no.")},
    )
    note = forms.CharField(
        label=_("A word for the committee (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only the committee reads it."),
    )


class UndoRejectionForm(forms.Form):
    note = forms.CharField(
        label=_("Why may this pair be proposed again?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the decisions on this pair."),
    )


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        profile = obj.user.profile
        years = profile.years_in_profession or 0
        label = ngettext(
            "%(name)s (%(association)s, %(years)s year)", "%(name)s (%(association)s, %(years)s years)", years
        ) % {"name": obj.user, "association": profile.association, "years": years}
        if obj.role == Application.Role.MENTOR:
            free = obj.capacity - obj.taken
            label += " · " + ngettext(
                "%(free)s of %(capacity)s place free", "%(free)s of %(capacity)s places free", obj.capacity
            ) % {"free": free, "capacity": obj.capacity}
        return label


class ManualPairForm(forms.Form):
    mentee = ApplicationChoiceField(queryset=Application.objects.none(), empty_label=_("Choose a mentee"))
    mentor = ApplicationChoiceField(queryset=Application.objects.none(), empty_label=_("Choose a mentor"))
    confirm = forms.BooleanField(
        required=False, label=_("I have read the warnings and want this pair anyway."), widget=forms.CheckboxInput
    )

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        pool = Application.objects.filter(program=program, status=Application.Status.IN_POOL).select_related(
            "user__profile__association"
        )
        self.fields["mentee"].queryset = pool.filter(role=Application.Role.MENTEE).order_by("user__last_name")
        # Only mentors with a free place are offered (their places taken by active partnerships).
        taken = Coalesce(
            Subquery(
                Partnership.objects.filter(mentor_application=OuterRef("pk"), status=Partnership.Status.ACTIVE)
                .values("mentor_application")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        )
        self.fields["mentor"].queryset = (
            pool.filter(role=Application.Role.MENTOR)
            .annotate(taken=taken)
            .filter(taken__lt=F("capacity"))
            .order_by("user__last_name")
        )


class WeightsForm(forms.Form):
    policy = RunForm.base_fields["policy"]

    def __init__(self, *args, weights, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in words.CRITERIA_LABELS.items():
            self.fields[key] = forms.DecimalField(
                label=label,
                help_text=words.CRITERIA_HELP[key],
                min_value=0,
                max_value=10,
                decimal_places=1,
                initial=weights.get(key, engine.DEFAULT_WEIGHTS[key]),
                widget=forms.NumberInput(attrs={"step": "0.5", "min": 0, "max": 10}),
            )

    def weights(self):
        return {key: float(self.cleaned_data[key]) for key in words.CRITERIA_LABELS}


# --- Members choose their mentor (choosing.py) --------------------------------------------------


class MentorFilterForm(forms.Form):
    """The browse page's filters: an area where the mentor helps, a way to meet, a language."""

    topic = forms.ChoiceField(label=_("Goal area"), required=False)
    mode = forms.ChoiceField(label=_("Way to meet"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, program, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["topic"].choices = any_ + [(t, t) for t in program.topics or ()]
        channels = program.communication_channels
        self.fields["mode"].choices = any_ + [
            (key, label) for key, label in worded(COMMUNICATION_CHANNELS) if not channels or key in channels
        ]
        self.fields["language"].choices = any_ + list(LANGUAGES)
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = _("Please choose one of the list.")

    def filters(self) -> dict:
        """The filters chosen ({} when none, or when the address was altered)."""
        if not self.is_bound or not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}


class AskMentorForm(forms.Form):
    note = forms.CharField(
        label=_("A note to the mentor (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Why you would like them as your mentor, or what you hope to work on. They read it with your request."
        ),
        error_messages={"max_length": TOO_LONG},
    )
