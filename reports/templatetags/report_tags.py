from django import template
from django.utils.html import format_html
from django.utils.translation import gettext

from reports.figures import SUPPRESSED_TEXT, SUPPRESSIBLE

register = template.Library()


@register.filter
def figure(value, name=None):
    """{{ figures|figure:"matched" }} (a figure chosen by a column name) or {{ value|figure }}:
    the figure, "too few to report" where it is suppressed, "–" where there is nothing to measure."""
    if name is not None:
        value = value.get(name) if isinstance(value, dict) else getattr(value, name, None)
        if value is None and name not in SUPPRESSIBLE:
            return "–"  # nothing to measure (no match yet, nobody waiting), not hidden
    if value is None:  # drawn here, in the reader's language
        return format_html('<span class="text-body-secondary fst-italic">{}</span>', gettext(SUPPRESSED_TEXT))
    return value
