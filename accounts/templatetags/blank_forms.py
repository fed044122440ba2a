"""`{{ form|crispy_blank }}`: crispy's `{{ form|crispy }}`, with a blank form's HTML kept; and
`{{ form.field|crispy_blank_field }}`, crispy's `{{ form.field|as_crispy_field }}` likewise.

A form nobody has filled in yet (unbound) renders the same every time from the same fields,
initial values and language, and crispy's rendering cost a good part of the partnership page
(two such forms). Its HTML is kept in this process (never in a shared cache: a form's initial
values may be someone's own words), under everything it is made from: the form's class, prefix
and ids, and for each field its initial value, choices, label, help text, whether it is
required or disabled, its widget and the widget's attributes; the language and the time zone.
A form with a choice read from the database (ModelChoiceField) or long initial values is
rendered every time."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms, template
from django.utils import timezone, translation

register = template.Library()

LONGEST = 200  # characters of initial values, at most, in a kept form's key
KEPT = 256  # forms kept per process; the oldest goes first

_kept = {}


def _key(form, names=None):
    """What a blank form's HTML (or that of its fields `names`) is made from; None for a bound
    form, a choice read from the database, or long initial values."""
    if not isinstance(form, forms.BaseForm) or form.is_bound:
        return None
    parts, initial_length = [type(form).__module__, type(form).__qualname__, form.prefix, form.auto_id], 0
    for name, field in form.fields.items():
        if names is not None and name not in names:
            continue
        if isinstance(field, forms.ModelChoiceField):
            return None
        initial = repr(form.get_initial_for_field(field, name))
        initial_length += len(initial)
        widget = field.widget
        parts.append(
            (name, initial, repr(tuple(getattr(field, "choices", ()))), str(field.label), str(field.help_text))
            + (field.required, field.disabled, type(widget).__qualname__, repr(widget.attrs))
        )
    if initial_length > LONGEST:
        return None
    return repr((parts, translation.get_language(), timezone.get_current_timezone_name()))


def _keep(key, draw):
    if key not in _kept:
        if len(_kept) >= KEPT:
            _kept.pop(next(iter(_kept)))
        _kept[key] = draw()
    return _kept[key]


@register.filter
def crispy_blank(form):
    key = _key(form)
    if key is None:
        return as_crispy_form(form)
    return _keep(key, lambda: as_crispy_form(form))


@register.filter
def crispy_blank_field(bound_field):
    """One field of a blank form, as as_crispy_field draws it (the form's other fields aside)."""
    if not isinstance(bound_field, forms.BoundField):
        return as_crispy_field(bound_field)
    key = _key(bound_field.form, names={bound_field.name})
    if key is None:
        return as_crispy_field(bound_field)
    return _keep(("field", bound_field.name, key), lambda: as_crispy_field(bound_field))
