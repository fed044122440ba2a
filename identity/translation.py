"""The sign-in button's words, in English and in French (a column per language,
django-modeltranslation): members read it in their language, or in the other one when staff
wrote only that one."""

from modeltranslation.translator import TranslationOptions, register

from .models import IdentityProvider


@register(IdentityProvider)
class ProviderTexts(TranslationOptions):
    fields = ("button_label",)
    fallback_undefined = ""
    empty_values = ""
