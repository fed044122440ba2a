"""The chair's form to invite named members (recruitment.views.recruit)."""

from django import forms
from django.core.exceptions import ValidationError

from mentoring.models import Application

from . import services


class PeopleField(forms.Field):
    """The ticked members' ids (checkboxes drawn by the page). Anything but whole numbers is refused
    in words; whether each id is a member the chair may invite is checked by the view."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        values = value or []
        if not isinstance(values, list | tuple):
            values = [values]
        ids = []
        for item in values:
            item = str(item).strip()
            if not item.isascii() or not item.isdigit() or len(item) > 12:
                raise ValidationError("Please choose people from the list.")
            ids.append(int(item))
        return list(dict.fromkeys(ids))

    def validate(self, value):
        super().validate(value)
        if len(value) > services.MAX_NAMED:
            raise ValidationError(f"Please invite at most {services.MAX_NAMED} people at a time.")


class InviteForm(forms.Form):
    role = forms.ChoiceField(
        label="Invite them as",
        choices=[(Application.Role.MENTOR, "Mentors"), (Application.Role.MENTEE, "Mentees")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": "Please choose whether you invite them as mentors or as mentees.",
            "invalid_choice": "Please choose whether you invite them as mentors or as mentees.",
        },
    )
    people = PeopleField(
        label="Members to invite", error_messages={"required": "Please tick at least one member to invite."}
    )
