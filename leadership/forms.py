"""The forms of leadership: the mentor's recommendation, the mentee's answer, the VP's invitation
of recommended members, and an officer chosen by name."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _

from mentoring.forms import AppointChairForm, MemberChoiceField
from mentoring.models import AssociationOfficer
from outbox import brands

from .models import NOTE_MAX, LeadershipRecommendation


def _plain(value):
    if "<" in value or ">" in value:
        raise forms.ValidationError(_("Please write the note as plain text, without the < > signs."))
    if any(ord(c) < 32 and c not in "\r\n\t" for c in value):
        raise forms.ValidationError(_("Please remove the control characters from the note."))
    return value


class RecommendForm(forms.Form):
    note = forms.CharField(
        label=_("Why you recommend them (optional)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Read by your mentee and, if they agree, by the region's vice president. Nobody else."),
        error_messages={"max_length": _("Please keep the note to %(limit_value)d characters (it has %(show_value)d).")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = self.fields["note"]
        note.validators = [
            ProhibitNullCharactersValidator(_("Please remove the control characters from the note."))
            if isinstance(v, ProhibitNullCharactersValidator)
            else v
            for v in note.validators
        ]

    def clean_note(self):
        return _plain(self.cleaned_data["note"].strip())


class AnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("yes", _("Yes, pass it on")), ("no", _("No, thank you"))],
        error_messages={"required": _("Please choose yes or no."), "invalid_choice": _("Please choose yes or no.")},
    )


class InviteRecommendedForm(forms.Form):
    """The VP picks members among the consented recommendations of the region, and a program."""

    recommendations = forms.ModelMultipleChoiceField(
        queryset=LeadershipRecommendation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Please tick at least one member to invite."),
            "invalid_choice": _("Please choose among the members listed; one of them is no longer there."),
            "invalid_pk_value": _("Please choose among the members listed."),
        },
    )
    program = forms.ModelChoiceField(
        queryset=None,
        empty_label=None,
        label=_("To the leadership program"),
        error_messages={
            "required": _("Please choose the leadership program."),
            "invalid_choice": _("Please choose one of the region's leadership programs."),
        },
    )

    def __init__(self, *args, region, programs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommendations"].queryset = LeadershipRecommendation.objects.filter(
            region=region, status=LeadershipRecommendation.Status.CONSENTED
        )
        self.fields["program"].queryset = programs


class AppointOfficerForm(AppointChairForm):
    """An officer is chosen by name among the association's members, then confirmed."""

    field_order = ["person", "role", "confirm"]

    person = MemberChoiceField(
        queryset=None,
        label=_("The member"),
        empty_label=_("Choose a member"),
        error_messages={
            "required": _("Choose the member who will hold the role."),
            "invalid_choice": _("Choose a member of the list; that one is no longer there."),
        },
    )
    role = forms.ChoiceField(
        label=_("Their role"),
        choices=AssociationOfficer.Role.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose president or membership officer."),
            "invalid_choice": _("Choose president or membership officer."),
        },
    )


class BrandForm(forms.Form):
    """An association's or a region's look in emails. The checks are the email engine's
    (outbox.brands): the logo is read from its bytes and drawn again."""

    sender_name = forms.CharField(
        label=_("Sender’s name"),
        max_length=200,  # longer is refused by clean_sender_name, in its own words
        help_text=_("The name emails come from, such as “Ottawa Chapter Mentoring”."),
    )
    reply_to = forms.CharField(
        label=_("Reply-to address (optional)"),
        required=False,
        max_length=400,
        help_text=_("Where replies go: the program chair’s address or a committee address."),
    )
    colour = forms.CharField(
        label=_("Colour"),
        max_length=50,
        help_text=_("Used for the button and the accents, as # and six digits or letters, such as #0b5cad."),
    )
    logo = forms.FileField(
        label=_("Logo (optional)"),
        required=False,
        help_text=_("A PNG or JPEG image of at most 1 MB. Emails show it at most 200 × 60 pixels."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)

    def clean_sender_name(self):
        return _checked(brands.clean_sender_name, self.cleaned_data["sender_name"])

    def clean_reply_to(self):
        return _checked(brands.clean_reply_to, self.cleaned_data["reply_to"])

    def clean_colour(self):
        return _checked(brands.clean_colour, self.cleaned_data["colour"])

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        # Read no more than the limit and one byte: enough to know a file is too large.
        return _checked(brands.clean_logo, upload.read(brands.LOGO_MAX_BYTES + 1))


def _checked(clean, value):
    try:
        return clean(value)
    except ValidationError as error:
        raise forms.ValidationError(error.messages) from None
