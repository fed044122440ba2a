"""The feedback's part of a program's next cycle (mentoring/cycles.py): the chair's survey
questions, each with its current wording in every language. Retired questions are not asked any
more and stay behind; earlier wordings belong to the answers given under them, and no answer,
concern or ask is ever copied: they are this cycle's partners', read by this cycle's committee."""

from django.utils.translation import gettext_lazy

from mentoring.cycles import copyable_row

from .models import SurveyQuestion
from .surveys import with_current_versions

WORDS = gettext_lazy("Survey questions")


def _asked(program):
    return SurveyQuestion.objects.filter(program=program, active=True).order_by("survey", "position", "id")


def describe(program):
    return [(WORDS, _asked(program).count())]


def copy(*, source, copy):
    for question, version in with_current_versions(_asked(source)):
        new = copyable_row(question, program=copy)
        new.save()
        copyable_row(version, question=new, number=1).save()
