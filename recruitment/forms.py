"""The chair's forms: inviting named members (recruitment.views.recruit) and the orientation's
items and requirement (recruitment.orientation_views)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from mentoring.forms import LinkOrFileFields, TwoLanguages, in_each_language, row
from mentoring.models import Application, OrientationItem, Program

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
                raise ValidationError(_("Please choose people from the list."))
            ids.append(int(item))
        return list(dict.fromkeys(ids))

    def validate(self, value):
        super().validate(value)
        if len(value) > services.MAX_NAMED:
            raise ValidationError(
                _("Please invite at most %(count)s people at a time.") % {"count": services.MAX_NAMED}
            )


class InviteForm(forms.Form):
    role = forms.ChoiceField(
        label=_("Invite them as"),
        choices=[(Application.Role.MENTOR, _("Mentors")), (Application.Role.MENTEE, _("Mentees"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={
            "required": _("Please choose whether you invite them as mentors or as mentees."),
            "invalid_choice": _("Please choose whether you invite them as mentors or as mentees."),
        },
    )
    people = PeopleField(
        label=_("Members to invite"), error_messages={"required": _("Please tick at least one member to invite.")}
    )


Kind = OrientationItem.Kind


class OrientationItemForm(TwoLanguages, LinkOrFileFields, forms.ModelForm):
    texts = {
        "title": (_("Title"), ""),
        "body": (
            _("Text"),
            _(
                "For a page: the text members read. For a statement to tick: the statement, e.g. "
                "“I will keep what my mentee tells me confidential.” Optional for a link or a file."
            ),
        ),
    }
    required_texts = ("title",)
    text_rows = {"body": 6}

    class Meta:
        model = OrientationItem
        fields = ["kind", *in_each_language("title"), *in_each_language("body"), "url", "file", "audience", "required"]
        labels = {
            "kind": _("What kind of item"),
            "required": _("Required: members must complete it"),
        }
        help_texts = {
            "url": _("For a link: its web address, starting with https://."),
            "file": _("For a file: PDF, Word, PowerPoint, Excel, text or image, 10 MB at most."),
        }
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, submit=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_languages()
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's <form> carries the upload encoding and the action
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "kind",
            self.side_by_side("title"),
            self.side_by_side("body"),
            row("url", "file"),
            row("audience", "required"),
            Submit("save", submit or _("Add item")),
        )

    def clean_title_en(self):
        return self.no_markup("title_en")

    def clean_title_fr(self):
        return self.no_markup("title_fr")

    def clean(self):
        data = self.check_written(super().clean())
        kind = data.get("kind")
        if self.errors:
            return data
        written = any((data.get(name) or "").strip() for name in in_each_language("body"))
        if kind == Kind.PAGE and not written:
            self.add_error("body_en", _("Please write the text members will read."))
        elif kind == Kind.ACKNOWLEDGEMENT and not written:
            self.add_error("body_en", _("Please write the statement members will tick."))
        elif kind == Kind.LINK and not data.get("url"):
            self.add_error("url", _("Please give the link's web address."))
        elif kind == Kind.FILE and not data.get("file"):
            self.add_error("file", _("Please choose the file to upload."))
        # Only what the kind uses is kept (a link keeps no file, a page no link).
        if kind != Kind.LINK:
            data["url"] = ""
        if kind != Kind.FILE:
            data["file"] = False if self.instance.file else None
        return data


class RequirementForm(forms.ModelForm):
    class Meta:
        model = Program
        fields = ["orientation_required_before"]
        labels = {"orientation_required_before": _("When must members have finished the required items?")}
        widgets = {"orientation_required_before": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
