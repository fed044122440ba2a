"""The mentor's slot (date and time in their own zone, as partners' meetings are typed), the
member's question, and the short feedback after."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerships.forms import TOO_LONG, ScheduleMeetingForm

from .models import NOTE_MAX, QUESTION_MAX


class SlotForm(ScheduleMeetingForm):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("What you can help with, or how to reach you. Members read it before they book."),
        error_messages={"max_length": TOO_LONG},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A slot is one hour, and the two agree on the link, number or place once it is booked.
        for name in ("minutes", "place", "video_url", "agenda"):
            del self.fields[name]
        self.fields["mode"].label = _("Way to meet")


class BookForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What you would like to talk about, so that the mentor can prepare."),
        error_messages={
            "required": _("Please write your question: it helps the mentor prepare."),
            "max_length": TOO_LONG,
        },
    )


class FeedbackForm(forms.Form):
    held = forms.TypedChoiceField(
        label=_("Did the conversation take place?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please say whether it took place."),
            "invalid_choice": _("Please answer yes or no."),
        },
    )
    useful = forms.TypedChoiceField(
        label=_("How useful was it? (1: not at all, 5: very)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Please choose a number from 1 to 5.")},
    )
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the program's committee reads it."),
        error_messages={"max_length": TOO_LONG},
    )
