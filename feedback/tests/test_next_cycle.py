"""The feedback's part of a program's next cycle (mentoring/cycles.py, issue 29): the chair's
survey questions go with it in each language, in their current wording; nothing any partner
answered or raised goes with it, and this cycle's records stay as they were."""

import pytest
from django.db.models import FileField

from conftest import ask, partnership_for
from feedback import services, surveys
from feedback.models import Concern, Response, Solicitation, SurveyAnswer, SurveyQuestion, SurveyQuestionVersion
from mentoring import cycles

pytestmark = pytest.mark.django_db

TWO_LANGUAGES = {
    "text": {"en": "Would you mentor next year?", "fr": "Seriez-vous mentor l’an prochain?"},
    "help_text": {"en": "Be honest", "fr": "Soyez franc"},
    "choices": {"en": ["Yes", "Maybe"], "fr": ["Oui", "Peut-être"]},
}


def stored(row, *, skip=()):
    left_out = {"id", "question_id", "program_id", "created_at", *skip}
    return {
        f.attname: getattr(row, f.attname)
        for f in type(row)._meta.concrete_fields
        if f.attname not in left_out and not isinstance(f, FileField)
    }


@pytest.fixture
def asked(world):
    program = world["program"]
    periodic = surveys.add_question(
        program=program, survey="periodic", audience="mentee", kind="single", **TWO_LANGUAGES
    )
    closeout = surveys.add_question(
        program=program, survey="closeout", audience="both", kind="text", text="What would you change?", required=True
    )
    # Reworded after someone answered: the copy asks the current wording, as version 1 of its own.
    SurveyQuestionVersion.objects.create(question=closeout, number=2, text_en="What one thing would you change?")
    retired = surveys.add_question(program=program, survey="periodic", audience="both", kind="scale", text="Retired?")
    surveys.set_active(question=retired, active=False)
    return {"periodic": periodic, "closeout": closeout, "retired": retired}


def test_survey_questions_are_copied_in_each_language_in_their_current_wording(world, asked):
    program = world["program"]
    copy = cycles.copy_program(program=program, by=world["people"]["chair"], name="Northport 2027")

    copied = list(SurveyQuestion.objects.filter(program=copy).order_by("survey", "position"))
    assert [stored(q) for q in copied] == [stored(asked["closeout"]), stored(asked["periodic"])]
    for new, old in zip(copied, (asked["closeout"], asked["periodic"]), strict=True):
        (version,) = new.versions.all()
        current = old.versions.order_by("-number").first()
        assert version.number == 1
        assert stored(version, skip={"number"}) == stored(current, skip={"number"})
    periodic = SurveyQuestionVersion.objects.get(question__program=copy, question__survey="periodic")
    assert (periodic.text_fr, periodic.help_text_fr) == ("Seriez-vous mentor l’an prochain?", "Soyez franc")
    assert periodic.choice_labels_fr == ["Oui", "Peut-être"] and periodic.choices == ["Yes", "Maybe"]
    assert SurveyQuestionVersion.objects.get(question__program=copy, question__survey="closeout").text_en == (
        "What one thing would you change?"
    )
    # The retired question is not asked any more: it stays behind with its answers.
    assert not SurveyQuestion.objects.filter(program=copy, active=False).exists()


def test_the_confirmation_counts_the_survey_questions_asked(world, asked):
    assert ("Survey questions", 2) in [(str(words), n) for words, n in cycles.next_cycle(world["program"]).parts]


def test_no_answer_concern_or_ask_crosses_and_this_cycles_stay_as_they_were(world, asked):
    program, chair = world["program"], world["people"]["chair"]
    partnership = partnership_for(program, chair)
    solicitation = ask(partnership)
    question = asked["periodic"]
    services.submit_response(
        solicitation=solicitation,
        answers={
            "satisfaction": 2,
            "met": "monthly",
            "progress": "some",
            "working": "no",
            "wants_new_partner": True,
            "concerns": "Secret-marker concerns",
            f"survey_{question.pk}": "Yes",
        },
        survey=surveys.questions_for(program=program, final=False, role="mentee"),
    )
    services.raise_concern(partnership=partnership, by=partnership.mentee, text="Secret-marker concern")
    records = (Solicitation, Response, Concern, SurveyAnswer)

    def of(model, which):
        field = "partnership__program" if model is not SurveyAnswer else "response__partnership__program"
        return sorted(model.objects.filter(**{field: which}).values_list("pk", flat=True))

    before = {model.__name__: of(model, program) for model in records}
    assert all(before.values()), before

    copy = cycles.copy_program(program=program, by=chair, name="Northport 2027")

    assert {model.__name__: of(model, program) for model in records} == before
    assert {model.__name__: of(model, copy) for model in records} == dict.fromkeys(before, [])
    assert Response.objects.get(solicitation=solicitation).concerns == "Secret-marker concerns"
