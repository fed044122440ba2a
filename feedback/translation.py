"""The chair's survey questions in English, French or both, like the program's own texts
(mentoring/translation.py): each version's wording has a column per language. The answers'
stored values (`choices`) are not translated: only their words are."""

from modeltranslation.translator import TranslationOptions, register

from .models import SurveyQuestionVersion


@register(SurveyQuestionVersion)
class SurveyQuestionTexts(TranslationOptions):
    fields = ("text", "help_text", "choice_labels")
    fallback_undefined = {"text": "", "help_text": "", "choice_labels": []}
    empty_values = {"text": "", "help_text": ""}
