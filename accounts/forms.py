import datetime

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import LeadershipRole, Profile
from .services import time_zone_choices
from .validators import validate_no_markup, validate_person_name, validate_phone

# accounts sits below mentoring (it imports nothing from it): the local association model is
# reached through the profile's foreign key.
LocalAssociation = Profile.association.field.related_model


class NameFields(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        validators=[validate_person_name],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[validate_person_name],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )


class SignupForm(NameFields):
    """Extra fields for allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    field_order = ["first_name", "last_name", "email", "password1", "password2"]

    def signup(self, request, user):
        """allauth's adapter has already copied first_name and last_name onto the saved user."""


class AssociationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.region.name})"


class ProfileForm(forms.ModelForm):
    first_name = NameFields.base_fields["first_name"]
    last_name = NameFields.base_fields["last_name"]
    association = AssociationChoiceField(
        queryset=LocalAssociation.objects.select_related("region"),
        label=_("Local association"),
        empty_label=_("Choose your local association"),
        help_text=_("New-member programs pair you with someone from this association."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        required=False,
        help_text=_("Meeting times in calendar invitations are shown in this time zone."),
    )
    member_since = forms.DateField(
        label=_("Member since"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date you joined the association."),
    )

    class Meta:
        model = Profile
        fields = [
            "association",
            "employer",
            "job_title",
            "years_in_profession",
            "member_since",
            "phone",
            "bio",
            "time_zone",
            "email_announcements",
            "email_invitations",
        ]
        labels = {
            "years_in_profession": _("Years in the profession"),
            "job_title": _("Job title"),
            "employer": _("Employer"),
            "phone": _("Phone"),
            "bio": _("Short bio"),
            "email_announcements": _("News from programs"),
            "email_invitations": _("Personal invitations"),
        }
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 5}),
            "employer": forms.TextInput(attrs={"autocomplete": "organization"}),
            "job_title": forms.TextInput(attrs={"autocomplete": "organization-title"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }
        help_texts = {
            "bio": _("A few sentences about your work and interests. Your partner reads this when you are matched."),
            "phone": _("Optional. Shared only with the partner you are matched with."),
            "email_announcements": _(
                "Announcements when a program of your association or region opens for applications."
            ),
            "email_invitations": _(
                "A program's chair or your regional vice president invites you by name to take part."
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].initial = user.first_name
        self.fields["last_name"].initial = user.last_name
        self.fields["job_title"].required = True
        self.fields["years_in_profession"].widget.attrs.update({"min": 0, "max": 70})
        for name in ("employer", "job_title"):
            self.fields[name].validators.append(validate_no_markup)
        self.fields["phone"].validators.append(validate_phone)
        saved = self.instance.time_zone if self.instance and self.instance.pk else ""
        self.fields["time_zone"].choices = [
            ("", _("The association's (%(zone)s)") % {"zone": settings.TIME_ZONE})
        ] + time_zone_choices(saved)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("About you"),
                Div(Div("first_name", css_class="col-md-6"), Div("last_name", css_class="col-md-6"), css_class="row"),
                "phone",
                "bio",
            ),
            Fieldset(
                _("Your membership and work"),
                "association",
                Div(Div("employer", css_class="col-md-6"), Div("job_title", css_class="col-md-6"), css_class="row"),
                Div(
                    Div(Field("years_in_profession"), css_class="col-md-6"),
                    Div("member_since", css_class="col-md-6"),
                    css_class="row",
                ),
                HTML(
                    format_html(
                        '<p class="small">{}</p>',
                        format_html(
                            _('Your leadership roles, with their dates: <a href="{url}">add or change them</a>.'),
                            url=reverse("accounts:roles"),
                        ),
                    )
                ),
            ),
            Fieldset(
                _("Emails and calendar"),
                HTML(
                    format_html(
                        '<p class="small text-body-secondary">{}</p>',
                        _(
                            "Emails about your own questionnaires and partnerships always reach you. "
                            "These you may turn off at any time."
                        ),
                    )
                ),
                "email_announcements",
                "email_invitations",
                "time_zone",
            ),
            Submit("save", _("Save profile")),
        )

    def clean_member_since(self):
        value = self.cleaned_data["member_since"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date you joined can't be in the future."))
        if value < datetime.date(1900, 1, 1):
            raise forms.ValidationError(_("Please check the year: it should be 1900 or later."))
        return value


class MemberImportForm(forms.Form):
    file = forms.FileField(
        label=_("Membership list (CSV)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=_("Exported from the association's member database, saved as CSV (UTF-8)."),
    )


class EraseForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_(
            "I understand that my name, email address, profile and what I wrote are erased, "
            "and that this cannot be undone."
        ),
        error_messages={"required": _("Tick the box to say you understand.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.has_usable_password() or not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


# The roles' names as the member reads them (the model keeps the English ones).
ROLE_TITLES = {
    "president": _("President"),
    "vice_president": _("Vice president"),
    "secretary": _("Secretary"),
    "treasurer": _("Treasurer"),
    "director": _("Director / board member"),
    "committee_chair": _("Committee chair"),
    "other": _("Other"),
}


class LeadershipRoleForm(forms.ModelForm):
    """One dated leadership role (the profile's list of roles held)."""

    class Meta:
        model = LeadershipRole
        fields = ["title", "other_title", "organisation", "started_on", "ended_on"]
        labels = {
            "title": _("Role"),
            "other_title": _("The role, in words"),
            "organisation": _("Where"),
            "started_on": _("From"),
            "ended_on": _("Until"),
        }
        widgets = {
            "started_on": forms.DateInput(attrs={"type": "date"}),
            "ended_on": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "other_title": _("Only if you chose “Other”, e.g. “Conference organiser”."),
            "organisation": _("The local association, region or body, e.g. “Northport local association”."),
            "ended_on": _("Leave it empty if you hold the role today."),
        }
        error_messages = {
            "title": {
                "required": _("Please choose the role."),
                "invalid_choice": _("Please choose a role of the list."),
            },
            "organisation": {"required": _("Please say where you held the role.")},
            "started_on": {"required": _("Please give the date you started."), "invalid": _("Please enter a date.")},
            "ended_on": {"invalid": _("Please enter a date.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].choices = [("", _("Choose a role"))] + [
            (value, ROLE_TITLES.get(value, label)) for value, label in LeadershipRole.Title.choices
        ]
        for name in ("other_title", "organisation"):
            self.fields[name].validators.append(validate_no_markup)
            self.fields[name].error_messages["max_length"] = _(
                "Please keep it to %(limit_value)d characters (it has %(show_value)d)."
            )
            self.fields[name].error_messages["null_characters_not_allowed"] = _(
                "Please remove the < > signs and any control characters."
            )

    def clean(self):
        data = super().clean()
        if data.get("title") == LeadershipRole.Title.OTHER and not data.get("other_title"):
            self.add_error("other_title", _("Please name the role in words."))
        started, ended = data.get("started_on"), data.get("ended_on")
        today = timezone.localdate()
        if started and started > today:
            self.add_error("started_on", _("Please give a start date that has come: roles are recorded once taken."))
        if started and ended and ended < started:
            self.add_error("ended_on", _("Please give an end date after the start date."))
        if started and started.year < 1900:
            self.add_error("started_on", _("Please check the year."))
        return data
