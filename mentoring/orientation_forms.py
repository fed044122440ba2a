"""The chair's orientation forms (mentoring/orientation_views.py)."""

from pathlib import Path

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms

from accounts.validators import validate_no_markup

from .forms import MAX_UPLOAD_BYTES, UPLOAD_TYPES, row
from .models import OrientationItem, Program

Kind = OrientationItem.Kind


class OrientationItemForm(forms.ModelForm):
    class Meta:
        model = OrientationItem
        fields = ["kind", "title", "body", "url", "file", "audience", "required"]
        labels = {
            "kind": "What kind of item",
            "body": "Text",
            "required": "Required: members must complete it",
        }
        help_texts = {
            "body": "For a page: the text members read. For a statement to tick: the statement, e.g. "
            "“I will keep what my mentee tells me confidential.” Optional for a link or a file.",
            "url": "For a link: its web address, starting with https://.",
            "file": "For a file: PDF, Word, PowerPoint, Excel, text or image, 10 MB at most.",
        }
        widgets = {"body": forms.Textarea(attrs={"rows": 6}), "kind": forms.RadioSelect}

    def __init__(self, *args, submit="Add item", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False  # the page's <form> carries the upload encoding and the action
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            "kind",
            "title",
            "body",
            row("url", "file"),
            row("audience", "required"),
            Submit("save", submit),
        )

    def clean_title(self):
        value = self.cleaned_data["title"]
        validate_no_markup(value)
        return value

    def clean_url(self):
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("https://", "http://")):
            raise forms.ValidationError("Links start with https:// or http://.")
        return url

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or upload == self.instance.file:
            return upload
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(f"The file is {upload.size // (1024 * 1024)} MB; the limit is 10 MB.")
        if Path(upload.name).suffix.lower() not in UPLOAD_TYPES:
            raise forms.ValidationError("Please upload a PDF, Word, PowerPoint, Excel, text or image file.")
        return upload

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if self.errors:
            return data
        if kind == Kind.PAGE and not data.get("body", "").strip():
            self.add_error("body", "Please write the text members will read.")
        elif kind == Kind.ACKNOWLEDGEMENT and not data.get("body", "").strip():
            self.add_error("body", "Please write the statement members will tick.")
        elif kind == Kind.LINK and not data.get("url"):
            self.add_error("url", "Please give the link's web address.")
        elif kind == Kind.FILE and not data.get("file"):
            self.add_error("file", "Please choose the file to upload.")
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
        labels = {"orientation_required_before": "When must members have finished the required items?"}
        widgets = {"orientation_required_before": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
