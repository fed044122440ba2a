"""A blank form's HTML kept per process (accounts/templatetags/blank_forms.py) is crispy's HTML
for that very form: never a filled-in form's, never another member's words, never another
language's."""

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.utils import translation

from accounts.templatetags import blank_forms
from accounts.templatetags.blank_forms import crispy_blank, crispy_blank_field


class Terms(forms.Form):
    terms = forms.CharField(label="Your own terms", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    mode = forms.ChoiceField(choices=[("video", "Video"), ("phone", "Phone")])


def test_a_blank_form_is_rendered_once_and_reads_as_crispy_renders_it(monkeypatch):
    calls = []
    real = blank_forms.as_crispy_form
    monkeypatch.setattr(blank_forms, "as_crispy_form", lambda form: calls.append(form) or real(form))
    first = crispy_blank(Terms(initial={"terms": "Tuesdays"}))
    again = crispy_blank(Terms(initial={"terms": "Tuesdays"}))
    assert first == again == as_crispy_form(Terms(initial={"terms": "Tuesdays"}))
    assert len(calls) == 1


def test_other_words_another_language_or_a_filled_in_form_are_never_read_from_another(monkeypatch):
    calls = []
    real = blank_forms.as_crispy_form
    monkeypatch.setattr(blank_forms, "as_crispy_form", lambda form: calls.append(form) or real(form))
    mine = crispy_blank(Terms(initial={"terms": "No calls after 8 pm"}))
    theirs = crispy_blank(Terms(initial={"terms": "<b>Only Mondays</b>"}))
    assert "No calls after 8 pm" in mine and "Only Mondays" not in mine
    assert "&lt;b&gt;Only Mondays&lt;/b&gt;" in theirs and "No calls" not in theirs
    with translation.override("fr"):
        crispy_blank(Terms(initial={"terms": "No calls after 8 pm"}))
    filled = Terms(data={"terms": "x" * 3, "mode": "nothing"})
    assert crispy_blank(filled) == as_crispy_form(filled) and "Select a valid choice" in crispy_blank(filled)
    narrowed = Terms(initial={"terms": "No calls after 8 pm"})
    narrowed.fields["mode"].choices = [("video", "Video")]
    assert "Phone" not in crispy_blank(narrowed)
    long = Terms(initial={"terms": "y" * 500})
    crispy_blank(long)
    crispy_blank(long)
    # Rendered each time: mine, theirs, French, the filled-in form (twice), the narrowed choices,
    # the long words (twice).
    assert len(calls) == 8


def test_a_blank_forms_field_is_drawn_once_as_crispy_draws_it_and_a_filled_in_ones_each_time(monkeypatch):
    calls = []
    real = blank_forms.as_crispy_field
    monkeypatch.setattr(blank_forms, "as_crispy_field", lambda field: calls.append(field) or real(field))
    form = Terms(initial={"terms": "Tuesdays"})
    first = crispy_blank_field(form["terms"])
    assert crispy_blank_field(Terms(initial={"terms": "Tuesdays"})["terms"]) == first == as_crispy_field(form["terms"])
    assert len(calls) == 1
    assert "Fridays" in crispy_blank_field(Terms(initial={"terms": "Fridays"})["terms"])  # other words: drawn
    assert 'name="mode"' in crispy_blank_field(form["mode"]) and 'name="mode"' not in first  # each field its own
    filled = Terms(data={"terms": "Mine", "mode": "nothing"})
    assert "Select a valid choice" in crispy_blank_field(filled["mode"])
    assert "Select a valid choice" in crispy_blank_field(filled["mode"])
    assert len(calls) == 5
