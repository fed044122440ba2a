from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from mentoring.forms import MAX_CHOICES, TEXT_LANGUAGES, TwoLanguages, in_each_language, lines, row
from mentoring.models import Partnership

from .models import Response, SurveyQuestion
from .surveys import TEXT_MAX

SATISFACTION = [(5, _("5 · Very satisfied")), (4, "4"), (3, "3"), (2, "2"), (1, _("1 · Not at all satisfied"))]


class ResponseForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with your partnership?"),
        choices=SATISFACTION,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Choose a number from 1 to 5.")},
    )
    met = forms.ChoiceField(
        label=_("How often have you actually met?"), choices=Response.Met.choices, widget=forms.RadioSelect
    )
    progress = forms.ChoiceField(
        label=_("How much progress toward the goals?"), choices=Response.Progress.choices, widget=forms.RadioSelect
    )
    working = forms.ChoiceField(
        label=_("Is this partnership working?"), choices=Response.Working.choices, widget=forms.RadioSelect
    )
    wants_new_partner = forms.BooleanField(label=_("I would like a new partner"), required=False)
    concerns = forms.CharField(
        label=_("Anything the committee should know?"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. Only the committee reads this; your partner never does."),
    )
    recommends_for_leadership = forms.BooleanField(
        label=_("I recommend my mentee for a leadership role"),
        required=False,
        # The answer stays with the committee; the recommendation itself is a separate step that
        # the mentee agrees to before the region's vice president sees it.
        help_text=_(
            "Your committee sees this answer. Next you may recommend your mentee to the region's vice "
            "president: your mentee is asked first, and the vice president reads it only if they agree."
        ),
    )

    def __init__(self, *args, leadership_mentor=False, survey=(), **kwargs):
        super().__init__(*args, **kwargs)
        if not leadership_mentor:
            del self.fields["recommends_for_leadership"]
        # The chair's own questions for this round and role, after the default ones.
        self.survey = list(survey)
        for question, version in self.survey:
            self.fields[question.field_name] = survey_field(question, version)


class ConcernForm(forms.Form):
    text = forms.CharField(
        label=_("What would you like the committee to know?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the program's committee reads this. Your partner is not told."),
    )


class SendAgainForm(forms.Form):
    solicitation = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class FollowUpForm(forms.Form):
    note = forms.CharField(label=_("Follow-up note"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    months = forms.IntegerField(label=_("Extend by (months)"), min_value=1, max_value=12, initial=3)
    note = forms.CharField(label=_("Why (optional)"), required=False, max_length=1000)


class CompleteForm(forms.Form):
    note = forms.CharField(label=_("A note (optional)"), required=False, max_length=2000)


class DissolveForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why does it end?"),
        # No reason is preselected: the chair chooses one (the reports count them).
        choices=[("", _("Choose a reason"))]
        + [c for c in Partnership.EndReason.choices if c[0] != Partnership.EndReason.COMPLETED],
    )
    note = forms.CharField(
        label=_("What happened (the committee only)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rematch = forms.BooleanField(
        label=_("Find the mentee a new mentor (they go back to the matching pool, first in line)"),
        required=False,
        initial=True,
    )
    confirm = forms.BooleanField(
        label=_("Yes, end this partnership"), error_messages={"required": _("Tick the box to confirm.")}
    )


# --- Surveys the chair designs ------------------------------------------------------------------


class SurveyQuestionForm(TwoLanguages, forms.Form):
    """The chair's question, in English, French or both. The wording goes to a version (see
    feedback.surveys.edit_question)."""

    texts = {
        "text": (_("Question"), ""),
        "help_text": (_("Hint (optional)"), ""),
        "choices": (_("Answers to choose from"), _("For single and multiple choice: one answer per line.")),
    }
    required_texts = ("text",)
    text_rows = {"choices": 4}

    text_en = forms.CharField(max_length=300, required=False)
    text_fr = forms.CharField(max_length=300, required=False)
    help_text_en = forms.CharField(max_length=300, required=False)
    help_text_fr = forms.CharField(max_length=300, required=False)
    survey = forms.ChoiceField(label=_("Asked in"), choices=SurveyQuestion.Survey.choices)
    audience = forms.ChoiceField(label=_("Asked of"), choices=SurveyQuestion.Audience.choices)
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=SurveyQuestion.Kind.choices)
    choices_en = forms.CharField(required=False, widget=forms.Textarea)
    choices_fr = forms.CharField(required=False, widget=forms.Textarea)
    required = forms.BooleanField(label=_("An answer is required"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_languages()
        for name in ("survey", "audience", "kind"):
            self.fields[name].error_messages["required"] = _("Please choose one.")
            self.fields[name].error_messages["invalid_choice"] = _("Please choose one of the options offered.")
        for name in (*in_each_language("text"), *in_each_language("help_text")):
            self.fields[name].error_messages["max_length"] = _("Please keep it to 300 characters or fewer.")
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            self.side_by_side("text"),
            self.side_by_side("help_text"),
            row("survey", "audience"),
            "kind",
            self.side_by_side("choices"),
            "required",
        )

    def clean_text_en(self):
        return self.no_markup("text_en")

    def clean_text_fr(self):
        return self.no_markup("text_fr")

    def clean_help_text_en(self):
        return self.no_markup("help_text_en")

    def clean_help_text_fr(self):
        return self.no_markup("help_text_fr")

    def clean(self):
        data = super().clean()
        if any(self.has_error(name) for name in in_each_language("text")):
            return data
        if not any(data.get(name) for name in in_each_language("text")):
            self.add_error("text_en", _("Please write the question."))
        for name in in_each_language("choices"):
            try:
                data[name] = lines(data.get(name) or "", max_lines=MAX_CHOICES, max_length=100, what="answer")
            except forms.ValidationError as error:
                self.add_error(name, error)
                return data
        written = [len(data[name]) for name in in_each_language("choices") if data[name]]
        choice_kind = data.get("kind") in SurveyQuestion.CHOICE_KINDS
        if choice_kind and len(set(written)) > 1:
            self.add_error(
                "choices_fr",
                _("The English and French answers are the same answers: one per line, as many, in the same order."),
            )
        elif choice_kind and (not written or min(written) < 2):
            self.add_error("choices_en", _("A choice question needs at least two answers, one per line."))
        return data

    def wording(self):
        """What feedback.surveys.add_question and edit_question take: each text in each language."""
        return {
            name: {code: self.cleaned_data[f"{name}_{code}"] for code in TEXT_LANGUAGES}
            for name in ("text", "help_text", "choices")
        }


NO_MARKUP = _("Please leave out the < > signs.")


def survey_field(question, version):
    """The form field partners answer a survey question with; plain messages for wrong values."""
    Kind = SurveyQuestion.Kind
    common = {"label": version.text, "required": question.required, "help_text": escape(version.help_text)}
    choose = _("Please choose one of the answers offered.")
    if question.kind == Kind.SINGLE:
        f = forms.ChoiceField(choices=version.options, widget=forms.RadioSelect, **common)
    elif question.kind == Kind.MULTIPLE:
        f = forms.MultipleChoiceField(choices=version.options, widget=forms.CheckboxSelectMultiple, **common)
        f.error_messages["invalid_list"] = choose
    elif question.kind == Kind.SCALE:
        common["help_text"] = escape(version.help_text or _("1: not at all · 5: very much"))
        f = forms.TypedChoiceField(
            choices=[(n, str(n)) for n in range(1, 6)],
            coerce=int,
            widget=forms.RadioSelect(attrs={"data-scale": "true"}),  # on one line (see the css)
            **common,
        )
        choose = _("Choose a number from 1 to 5.")
    elif question.kind == Kind.NPS:
        common["help_text"] = escape(version.help_text or _("0: not at all likely · 10: extremely likely"))
        f = forms.TypedChoiceField(
            choices=[(n, str(n)) for n in range(0, 11)],
            coerce=int,
            widget=forms.RadioSelect(attrs={"data-scale": "true"}),
            **common,
        )
        choose = _("Choose a number from 0 to 10.")
    else:
        f = forms.CharField(max_length=TEXT_MAX, validators=[_no_markup], **common)
        f.error_messages["max_length"] = _("Please keep it to %(limit)s characters or fewer.") % {"limit": TEXT_MAX}
        f.error_messages["null_characters_not_allowed"] = _("Please remove the unusual characters.")
        f.help_text = common["help_text"] or _("Only the committee reads this.")
    f.error_messages["invalid_choice"] = choose
    f.error_messages["required"] = (
        _("Please answer this one.") if question.kind == Kind.TEXT else _("Please choose an answer.")
    )
    return f


def _no_markup(value):
    if "<" in value or ">" in value:
        raise forms.ValidationError(NO_MARKUP)
