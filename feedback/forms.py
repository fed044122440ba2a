from django import forms

from mentoring.models import Partnership

from .models import Response

SATISFACTION = [(5, "5 · Very satisfied"), (4, "4"), (3, "3"), (2, "2"), (1, "1 · Not at all satisfied")]


class ResponseForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label="How satisfied are you with your partnership?",
        choices=SATISFACTION,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a number from 1 to 5."},
    )
    met = forms.ChoiceField(
        label="How often have you actually met?", choices=Response.Met.choices, widget=forms.RadioSelect
    )
    progress = forms.ChoiceField(
        label="How much progress toward the goals?", choices=Response.Progress.choices, widget=forms.RadioSelect
    )
    working = forms.ChoiceField(
        label="Is this partnership working?", choices=Response.Working.choices, widget=forms.RadioSelect
    )
    wants_new_partner = forms.BooleanField(label="I would like a new partner", required=False)
    concerns = forms.CharField(
        label="Anything the committee should know?",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional. Only the committee reads this; your partner never does.",
    )
    recommends_for_leadership = forms.BooleanField(
        label="I recommend my mentee for a leadership role",
        required=False,
        # The answer stays with the committee; the recommendation itself is a separate step that
        # the mentee agrees to before the region's vice president sees it.
        help_text="Your committee sees this answer. Next you may recommend your mentee to the region's vice "
        "president: your mentee is asked first, and the vice president reads it only if they agree.",
    )

    def __init__(self, *args, leadership_mentor=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not leadership_mentor:
            del self.fields["recommends_for_leadership"]


class ConcernForm(forms.Form):
    text = forms.CharField(
        label="What would you like the committee to know?",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only the program's committee reads this. Your partner is not told.",
    )


class SendAgainForm(forms.Form):
    solicitation = forms.IntegerField(min_value=1, max_value=2**31 - 1)


class FollowUpForm(forms.Form):
    note = forms.CharField(label="Follow-up note", max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    months = forms.IntegerField(label="Extend by (months)", min_value=1, max_value=12, initial=3)
    note = forms.CharField(label="Why (optional)", required=False, max_length=1000)


class CompleteForm(forms.Form):
    note = forms.CharField(label="A note (optional)", required=False, max_length=2000)


class DissolveForm(forms.Form):
    reason = forms.ChoiceField(
        label="Why does it end?",
        # No reason is preselected: the chair chooses one (the reports count them).
        choices=[("", "Choose a reason")]
        + [c for c in Partnership.EndReason.choices if c[0] != Partnership.EndReason.COMPLETED],
    )
    note = forms.CharField(
        label="What happened (the committee only)",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    rematch = forms.BooleanField(
        label="Find the mentee a new mentor (they go back to the matching pool, first in line)",
        required=False,
        initial=True,
    )
    confirm = forms.BooleanField(
        label="Yes, end this partnership", error_messages={"required": "Tick the box to confirm."}
    )
