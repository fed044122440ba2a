import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Letters of any script (including accents and marks), joined by spaces, hyphens, apostrophes
# or full stops: "María-José", "O’Brien", "J. R.", "محمد", "李".
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’.\-]+[^\W\d_]+)*\.?$")


def validate_person_name(value):
    if not _NAME.match(value):
        raise ValidationError(
            _("Please use letters only, with spaces, hyphens or apostrophes between them."),
            code="invalid_name",
        )


_PHONE = re.compile(r"^\+?[0-9 ().\-]{7,25}(?:\s*(?:x|ext\.?)\s*[0-9]{1,6})?$", re.IGNORECASE)


def validate_phone(value):
    if not _PHONE.match(value):
        raise ValidationError(
            _("Please enter a phone number with digits, spaces or dashes, e.g. +1 555 123 4567."),
            code="invalid_phone",
        )


def validate_no_markup(value):
    """For one-line fields like a job title: text, not HTML."""
    if re.search(r"[<>]", value) or re.search(r"[\x00-\x1f\x7f]", value):
        raise ValidationError(_("Please remove the < > signs and any control characters."), code="markup")
