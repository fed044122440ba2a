"""A program's own texts, written by its chair in English, in French or in both
(django-modeltranslation: a column per language on the same row, e.g. summary_en and summary_fr).
Reading `program.summary` gives the reader's language, or the other one when only that one is
written. A question's stored answers (`choices`) are not translated: only their words are."""

from modeltranslation.translator import TranslationOptions, register

from .models import OrientationItem, Program, Question

# An empty text is "not written", whatever the field's default: a guideline left at its English
# default is still the English version, and a French reader falls back to it.
NOT_WRITTEN = ""


@register(Program)
class ProgramTexts(TranslationOptions):
    fields = ("summary", "expectations", "confidentiality", "ending_early")
    fallback_undefined = NOT_WRITTEN
    empty_values = ""
    # The guidelines' defaults are the English version: a new program's French version is not
    # written until the chair writes it, and French readers read the English default meanwhile.
    field_options = {name: {"fr": {"default": ""}} for name in ("expectations", "confidentiality", "ending_early")}


@register(Question)
class QuestionTexts(TranslationOptions):
    fields = ("text", "help_text", "choice_labels")
    fallback_undefined = {"text": NOT_WRITTEN, "help_text": NOT_WRITTEN, "choice_labels": []}
    empty_values = {"text": "", "help_text": ""}


@register(OrientationItem)
class OrientationItemTexts(TranslationOptions):
    fields = ("title", "body")
    fallback_undefined = NOT_WRITTEN
    empty_values = ""
