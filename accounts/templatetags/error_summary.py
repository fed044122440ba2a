"""The error summary at the top of a form that came back with errors (the GOV.UK pattern):
"There is a problem", then one link per error that takes the reader to its field."""

from django import template
from django.forms.widgets import CheckboxSelectMultiple, RadioSelect

register = template.Library()


@register.inclusion_tag("partials/error_summary.html")
def error_summary(*forms, intro=""):
    """``forms``: one form or several (a form and its formsets); only those with errors count."""
    errors = []
    for form in forms:
        if not form:
            continue
        for subform in getattr(form, "forms", [form]):
            errors += [("", message) for message in subform.non_field_errors()]
            for field in subform:
                widget = field.field.widget
                anchor = field.auto_id
                if isinstance(widget, RadioSelect | CheckboxSelectMultiple):
                    anchor = f"{anchor}_0"  # the first choice: the label's own id has none
                errors += [(anchor, f"{field.label}: {message}") for message in field.errors]
        errors += [("", message) for message in getattr(form, "non_form_errors", list)()]
    return {"errors": errors, "intro": intro}
