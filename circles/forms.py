"""The committee's circle (name, topic, open to join), the person it adds, a meeting of the
circle (as partners' meetings are typed, in the reader's own time zone), and the short feedback."""

from django import forms
from django.utils.translation import gettext_lazy as _

from partnerships.forms import TOO_LONG, ScheduleMeetingForm

from .models import NAME_MAX, NOTE_MAX, TOPIC_MAX


class CircleForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=NAME_MAX,
        help_text=_("Members read it, for example “New in claims” or “Thursday leaders”."),
        error_messages={"required": _("Please give the circle a name."), "max_length": TOO_LONG},
    )
    topic = forms.CharField(
        label=_("What the circle is about (optional)"),
        required=False,
        max_length=TOPIC_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": TOO_LONG},
    )
    open_to_join = forms.BooleanField(
        label=_("Open: members who may take part join it themselves"),
        required=False,
        help_text=_("Up to the program's limit. The rules of matching hold for each of them and each mentor."),
    )


class AddMemberForm(forms.Form):
    """`people`: (user id, name) of those who may be added in `role`; what is posted is checked
    again by the service (a changed id is refused, not trusted)."""

    person = forms.TypedChoiceField(
        coerce=int,
        error_messages={
            "required": _("Please choose someone."),
            "invalid_choice": _("Please choose someone from the list."),
        },
    )

    def __init__(self, *args, people, role, **kwargs):
        super().__init__(*args, prefix=role, **kwargs)
        self.fields["person"].choices = [("", "—"), *people]
        self.fields["person"].label = _("Add a mentor") if role == "mentor" else _("Add a mentee")


class CircleMeetingForm(ScheduleMeetingForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agenda"].help_text = _("What the circle will talk about. It goes into every member's calendar.")


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        label=_("How useful was the meeting for you? (1: not at all, 5: very)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please choose a number from 1 to 5."),
            "invalid_choice": _("Please choose a number from 1 to 5."),
        },
    )
    note = forms.CharField(
        label=_("Anything to add (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the program's committee reads it, never the other members of the circle."),
        error_messages={"max_length": TOO_LONG},
    )
