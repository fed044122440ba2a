"""A partnership's agreement keeps the program's guidelines in each language they were written
in (mentoring/translation.py): each partner reads their own language, or the other one when the
chair wrote only that one."""

from modeltranslation.translator import TranslationOptions, register

from .models import Agreement


@register(Agreement)
class AgreementTexts(TranslationOptions):
    fields = ("expectations", "confidentiality", "ending_early")
    fallback_undefined = ""
    empty_values = ""
