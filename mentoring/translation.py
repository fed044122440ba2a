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


def answer_values(question, labels):
    """The stored values of the answers offered, given their new words in each language
    (`labels`: {"en": [...], "fr": [...]}, one list empty or both as long). `question`: what held
    them so far (a program's question, a survey question's version), or None.

    What members answered and matching compares is a value, never its wording: an answer keeps
    its value while its words in either language are unchanged (the chair adds the French words,
    or corrects the English ones), so earlier answers still count. A new answer's value is its
    English words (its French ones when it has no English)."""
    old = list(question.choices) if question is not None else []
    before = {code: (getattr(question, f"choice_labels_{code}", None) or []) if old else [] for code in labels}
    words = labels["en"] or labels["fr"]
    values = []
    for i, own in enumerate(words):
        kept = next(
            (
                old[i]
                for code, new in labels.items()
                if i < len(old) and len(before[code]) == len(old) and i < len(new) and before[code][i] == new[i]
            ),
            None,
        )
        value = kept or own
        while value in values:  # two answers never share a value
            value = f"{value} ({i + 1})"
        values.append(value)
    return values
