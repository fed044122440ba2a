"""Surveys the chair designs: questions in the periodic feedback and the close-out survey,
their versions, the partners' answers, and the report's figures (suppressed below k)."""

import re
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from conftest import ask, link, partnership_for
from feedback import services, surveys
from feedback.models import Response, Solicitation, SurveyAnswer, SurveyQuestion, SurveyQuestionVersion
from mentoring.models import ConfidentialAccess, SiteSettings
from partnerships import life

pytestmark = pytest.mark.django_db

FINE = {"satisfaction": "4", "met": "monthly", "progress": "some", "working": "yes"}
CLOSEOUT, PERIODIC = SurveyQuestion.Survey.CLOSEOUT, SurveyQuestion.Survey.PERIODIC


def add(program, kind="single", *, survey=CLOSEOUT, audience="both", text=None, choices=(), required=False):
    if kind in ("single", "multiple") and not choices:
        choices = ["Yes", "No", "Not sure"]
    return surveys.add_question(
        program=program,
        survey=survey,
        audience=audience,
        kind=kind,
        text=text or f"A {kind} question?",
        choices=choices,
        required=required,
    )


def final_round(partnership, chair, role="mentee"):
    """The partnership completed by the chair: the close-out survey went out to both partners."""
    life.complete(partnership=partnership, by=chair)
    services.create_due_solicitations()  # the feedback job asks the final round
    services.send_solicitations()
    return Solicitation.objects.get(partnership=partnership, role=role, is_final=True)


def answer(solicitation, **survey_answers):
    """Answers through the service, as the form would pass them (by field name)."""
    program = solicitation.partnership.program
    asked = surveys.questions_for(program=program, final=solicitation.is_final, role=solicitation.role)
    data = {"satisfaction": 4, "met": "monthly", "progress": "some", "working": "yes"}
    data |= {f"survey_{q.pk}": v for q, v in survey_answers_by_id(survey_answers).items()}
    return services.submit_response(solicitation=solicitation, answers=data, survey=asked)


def survey_answers_by_id(answers):
    return {SurveyQuestion.objects.get(pk=int(k[1:])): v for k, v in answers.items()}


@pytest.fixture
def chair_client(client, world):
    client.force_login(world["people"]["chair"])
    return client


# --- The chair's page ---------------------------------------------------------------------------


def test_the_chair_adds_a_question_to_the_close_out_survey(chair_client, world):
    program = world["program"]
    url = reverse("committee:surveys", args=[program.pk])
    page = chair_client.post(
        url,
        {"text_en": "Would you recommend the program?", "survey": CLOSEOUT, "audience": "both", "kind": "nps"},
    )
    assert page.status_code == 302
    question = SurveyQuestion.objects.get(program=program)
    assert (question.kind, question.survey, question.active) == ("nps", CLOSEOUT, True)
    assert question.versions.get().text == "Would you recommend the program?"
    assert "Would you recommend the program?" in chair_client.get(url).content.decode()


@pytest.mark.parametrize(
    ("text", "choices", "message"),
    [
        ("", "Yes\nNo", "Please write the question."),
        ("x" * 3000, "Yes\nNo", "Please keep it to 300 characters or fewer."),
        ("<script>alert(1)</script>", "Yes\nNo", "Please remove the &lt; &gt; signs"),
        ("Nul\x00byte", "Yes\nNo", "Null characters are not allowed"),
        ("One choice only?", "Yes", "A choice question needs at least two answers"),
        ("Markup in an answer?", "Yes\n<b>No</b>", "Please remove the &lt; &gt; signs"),
    ],
)
def test_hostile_questions_are_refused_in_words_and_kept(chair_client, world, text, choices, message):
    program = world["program"]
    url = reverse("committee:surveys", args=[program.pk])
    page = chair_client.post(
        url, {"text_en": text, "survey": CLOSEOUT, "audience": "both", "kind": "single", "choices_en": choices}
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert message in body
    assert "What you wrote is still here" in body
    if text and "\x00" not in text and len(text) < 300:
        assert "Yes" in body  # the answers typed come back
    assert not SurveyQuestion.objects.exists()


def test_rtl_emoji_and_sql_ish_wording_is_kept_as_typed(chair_client, world):
    program = world["program"]
    text = "هل تنصح بالبرنامج؟ 👍 '; DROP TABLE feedback_response; --"
    chair_client.post(
        reverse("committee:surveys", args=[program.pk]),
        {"text_en": text, "survey": PERIODIC, "audience": "mentee", "kind": "text"},
    )
    assert SurveyQuestion.objects.get().versions.get().text == text
    assert Response.objects.count() == 0  # the table is still there


def test_editing_the_wording_of_an_answered_question_makes_a_new_version(world):
    program, chair = world["program"], world["people"]["chair"]
    question = add(program, "single", text="Was it useful?", choices=["Yes", "No"])
    surveys.edit_question(  # nobody answered yet: corrected in place
        question=question,
        survey=CLOSEOUT,
        audience="both",
        kind="single",
        text="Was it helpful?",
        choices=["Yes", "No"],
    )
    assert list(question.versions.values_list("text", flat=True)) == ["Was it helpful?"]
    answer(final_round(partnership_for(program, chair), chair), **{f"s{question.pk}": "Yes"})
    surveys.edit_question(
        question=question,
        survey=CLOSEOUT,
        audience="both",
        kind="single",
        text="How helpful was it?",
        choices=["Very", "Somewhat", "Not"],
    )
    assert list(question.versions.values_list("number", "text")) == [(1, "Was it helpful?"), (2, "How helpful was it?")]
    kept = SurveyAnswer.objects.get()
    assert (kept.version.text, kept.choice) == ("Was it helpful?", "Yes")
    # The next partner is asked the new wording, and their answer keeps it.
    second = final_round(partnership_for(program, chair, "b"), chair)
    (_, version), *_ = surveys.questions_for(program=program, final=True, role="mentee")
    assert version.text == "How helpful was it?"
    answer(second, **{f"s{question.pk}": "Somewhat"})
    assert SurveyAnswer.objects.get(choice="Somewhat").version.number == 2


def test_the_kind_of_an_answered_question_cannot_change(chair_client, world):
    program, chair = world["program"], world["people"]["chair"]
    question = add(program, "nps", text="Recommend?")
    answer(final_round(partnership_for(program, chair), chair), **{f"s{question.pk}": 9})
    page = chair_client.post(
        reverse("committee:survey_edit", args=[program.pk, question.pk]),
        {"text_en": "Recommend?", "survey": CLOSEOUT, "audience": "both", "kind": "scale"},
    )
    assert page.status_code == 200
    assert "its kind cannot change" in page.content.decode()
    question.refresh_from_db()
    assert question.kind == "nps"


def test_retire_and_reorder(chair_client, world):
    program = world["program"]
    first, second = add(program, text="First?"), add(program, text="Second?")
    chair_client.post(reverse("committee:survey_move", args=[program.pk, second.pk]), {"direction": "up"})
    assert [q for q, _ in surveys.questions_for(program=program, final=True, role="mentee")] == [second, first]
    chair_client.post(reverse("committee:survey_retire", args=[program.pk, first.pk]))
    assert [q for q, _ in surveys.questions_for(program=program, final=True, role="mentee")] == [second]
    chair_client.post(reverse("committee:survey_retire", args=[program.pk, first.pk]))  # asked again
    assert len(surveys.questions_for(program=program, final=True, role="mentee")) == 2
    bad = chair_client.post(reverse("committee:survey_move", args=[program.pk, first.pk]), {"direction": "x"})
    assert bad.status_code == 404


def test_the_preview_shows_what_each_partner_sees(chair_client, world):
    program = world["program"]
    add(program, text="For mentees <only>?", audience="mentee", choices=["A", "B"])
    url = reverse("committee:survey_preview", args=[program.pk])
    mentee = chair_client.get(url, {"survey": CLOSEOUT, "role": "mentee"}).content.decode()
    mentor = chair_client.get(url, {"survey": CLOSEOUT, "role": "mentor"}).content.decode()
    assert "For mentees &lt;only&gt;?" in mentee and "For mentees" not in mentor
    assert "How satisfied are you" in mentee  # the default questions come first
    # The partner's own words, with the name left out; not "Their partner never sees them",
    # which reads as if the committee's partner were meant.
    assert "(Their partner's first name)</strong> never sees them." in mentee
    assert "Their partner never sees them" not in mentee
    assert chair_client.get(url, {"survey": "nope", "role": "mentee"}).status_code == 404


def test_another_programs_question_is_404(client, world):
    """Ids in addresses are checked against the chair's own program."""
    theirs = add(world["other_program"], text="Theirs?")
    client.force_login(world["people"]["chair"])
    program = world["program"]
    for name in ("survey_edit", "survey_retire", "survey_move"):
        url = reverse(f"committee:{name}", args=[program.pk, theirs.pk])
        page = client.post(url, {"direction": "up", "text_en": "Mine now", "survey": CLOSEOUT, "audience": "both"})
        assert page.status_code == 404
    assert theirs.versions.get().text == "Theirs?" and theirs.active


def test_the_chairs_page_takes_a_constant_number_of_queries(chair_client, world, django_assert_max_num_queries):
    program = world["program"]
    url = reverse("committee:surveys", args=[program.pk])
    add(program, "nps", text="First?")
    with django_assert_max_num_queries(20) as few:
        assert chair_client.get(url).status_code == 200
    for n in range(12):
        add(program, "multiple" if n % 2 else "nps", survey=CLOSEOUT if n % 3 else PERIODIC, text=f"Question {n}?")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert chair_client.get(url).status_code == 200


# --- The partners' form -------------------------------------------------------------------------


def test_the_close_out_form_asks_the_chairs_questions_for_the_role(client, world):
    program, chair = world["program"], world["people"]["chair"]
    add(program, "nps", text="Would you recommend it?")
    add(program, "single", text="Mentors only?", audience="mentor")
    add(program, "single", text="Asked every round?", survey=PERIODIC)
    partnership = partnership_for(program, chair)
    body = client.get(link(final_round(partnership, chair))).content.decode()
    assert "Would you recommend it?" in body
    assert "Mentors only?" not in body and "Asked every round?" not in body
    periodic = client.get(link(ask(partnership_for(program, chair, "b")))).content.decode()
    assert "Asked every round?" in periodic and "Would you recommend it?" not in periodic


def test_answers_are_saved_with_the_response(client, world):
    program, chair = world["program"], world["people"]["chair"]
    nps = add(program, "nps", text="Recommend?", required=True)
    several = add(program, "multiple", text="What helped?", choices=["Meetings", "Goals", "Contacts"])
    words = add(program, "text", text="One thing to change?")
    solicitation = final_round(partnership_for(program, chair), chair)
    page = client.post(
        link(solicitation),
        {
            **FINE,
            nps.field_name: "10",
            several.field_name: ["Meetings", "Contacts"],
            words.field_name: "More time 👍",
        },
    )
    assert "Thank you" in page.content.decode()
    response = Response.objects.get(solicitation=solicitation)
    rows = list(response.survey_answers.order_by("id").values_list("question__kind", "choice", "number"))
    assert rows == [("nps", "", 10), ("multiple", "Meetings", None), ("multiple", "Contacts", None), ("text", "", None)]
    assert response.survey_answers.get(question=words).text == "More time 👍"


def test_a_required_question_left_empty_is_asked_again_and_nothing_is_saved(client, world):
    program, chair = world["program"], world["people"]["chair"]
    nps = add(program, "nps", text="Recommend?", required=True)
    optional = add(program, "single", text="Optional?")
    solicitation = final_round(partnership_for(program, chair), chair)
    page = client.post(link(solicitation), {**FINE, optional.field_name: "Yes"})
    body = page.content.decode()
    assert "Please choose an answer." in body
    assert re.search(rf'name="{optional.field_name}" value="Yes"\s+id="[^"]+"\s+checked', body)  # kept
    assert not Response.objects.exists() and not SurveyAnswer.objects.exists()
    # Optional ones may be left out.
    client.post(link(solicitation), {**FINE, nps.field_name: "7"})
    assert SurveyAnswer.objects.get().number == 7


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("single", "Maybe", "Please choose one of the answers offered."),
        ("multiple", "Maybe", "Please choose one of the answers offered."),
        ("nps", "11", "Choose a number from 0 to 10."),
        ("nps", "-1", "Choose a number from 0 to 10."),
        ("scale", "0", "Choose a number from 1 to 5."),
        ("scale", "6", "Choose a number from 1 to 5."),
        ("text", "x" * 5000, "Please keep it to 500 characters or fewer."),
        ("text", "Nul\x00", "Please remove the unusual characters."),
        ("text", "<script>alert(1)</script>", "Please leave out the &lt; &gt; signs."),
    ],
)
def test_wrong_values_are_refused_in_words_with_nothing_lost(client, world, kind, value, message):
    program, chair = world["program"], world["people"]["chair"]
    question = add(program, kind)
    solicitation = final_round(partnership_for(program, chair), chair)
    page = client.post(link(solicitation), {**FINE, "concerns": "Keep this note", question.field_name: value})
    body = page.content.decode()
    assert page.status_code == 200
    assert message in body
    assert "Keep this note" in body  # what was typed elsewhere comes back
    assert not Response.objects.exists() and not SurveyAnswer.objects.exists()
    solicitation.refresh_from_db()
    assert solicitation.status == Solicitation.Status.SENT  # the link still works


def test_sql_ish_rtl_and_emoji_text_is_kept_as_typed(client, world):
    program, chair = world["program"], world["people"]["chair"]
    question = add(program, "text")
    solicitation = final_round(partnership_for(program, chair), chair)
    text = "'; DROP TABLE feedback_surveyanswer; -- شكرا 🙏"
    client.post(link(solicitation), {**FINE, question.field_name: text})
    assert SurveyAnswer.objects.get().text == text


def test_the_committee_reads_free_text_on_the_record_and_the_read_is_recorded(client, world):
    program, chair = world["program"], world["people"]["chair"]
    question = add(program, "text", text="One thing to change?")
    partnership = partnership_for(program, chair)
    answer(final_round(partnership, chair), **{f"s{question.pk}": "Shorter meetings please"})
    client.force_login(chair)
    page = client.get(reverse("committee:partnership", args=[program.pk, partnership.pk]))
    body = page.content.decode()
    assert "One thing to change?" in body and "Shorter meetings please" in body
    read = ConfidentialAccess.objects.filter(partnership=partnership).latest("id")
    assert read.items["survey answer"] == [SurveyAnswer.objects.get().pk]


# --- The reports --------------------------------------------------------------------------------


def this_year():
    today = timezone.localdate()
    return SimpleNamespace(start=today - timedelta(days=365), end=today)  # as reports.figures.Period


def test_nps_arithmetic():
    assert surveys.nps(Counter({10: 3, 9: 2, 8: 2, 7: 1, 6: 1, 0: 1})) == 30  # (5 - 2) / 10
    assert surveys.nps(Counter({0: 4})) == -100
    assert surveys.nps(Counter({9: 1, 10: 1})) == 100
    assert surveys.nps(Counter({7: 2, 8: 2})) == 0
    assert surveys.nps(Counter({10: 1, 5: 2})) == -33  # (1 - 2) / 3, rounded
    assert surveys.nps(Counter()) is None


def test_results_count_choices_mean_and_nps(world):
    program, chair = world["program"], world["people"]["chair"]
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 3})
    nps = add(program, "nps")
    scale = add(program, "scale")
    pick = add(program, "multiple", choices=["Meetings", "Goals"])
    for tag, (n, s, picks) in enumerate([(10, 5, ["Meetings"]), (9, 4, ["Meetings", "Goals"]), (3, 3, ["Goals"])]):
        role_round = final_round(partnership_for(program, chair, str(tag)), chair)
        answer(role_round, **{f"s{nps.pk}": n, f"s{scale.pk}": s, f"s{pick.pk}": picks})
    by_question = {r.question.pk: r for r in surveys.results([program], this_year(), 3)}
    assert by_question[nps.pk].nps == 33 and by_question[nps.pk].respondents == 3
    assert by_question[nps.pk].nps_groups == (66.7, 0.0, 33.3)
    assert [n for _, n, _ in by_question[nps.pk].rows] == [0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1]
    assert by_question[scale.pk].mean == 4.0
    assert by_question[pick.pk].respondents == 3  # partners, not ticks
    assert by_question[pick.pk].rows == [("Meetings", 2, 66.7), ("Goals", 2, 66.7)]


def test_results_read_the_questions_with_their_wordings_in_one_query(world, django_assert_num_queries):
    """Two queries for any number of questions, wordings and answers: the questions with their
    wordings and the partners who answered each, and the answers counted; in the questions'
    order, each with its latest wording."""
    program, other, chair = world["program"], world["other_program"], world["people"]["chair"]
    first, second = add(program, "scale", text="First?"), add(program, "nps", text="Second?")
    add(other, "scale", text="Not this program's?")
    SurveyQuestionVersion.objects.create(question=first, number=2, text="First, reworded?")
    answer(final_round(partnership_for(program, chair), chair), **{f"s{first.pk}": 4, f"s{second.pk}": 9})
    with django_assert_num_queries(2):
        results = surveys.results([program], this_year(), 1)
    assert [(r.question.pk, r.text, r.program.pk) for r in results] == [
        (first.pk, "First, reworded?", program.pk),
        (second.pk, "Second?", program.pk),
    ]


@pytest.mark.french
def test_results_say_the_answers_in_the_readers_language_with_the_same_figures(world):
    program, chair = world["program"], world["people"]["chair"]
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 1})
    pick = add(program, "multiple", choices={"en": ["Meetings", "Goals"], "fr": ["Rencontres", "Objectifs"]})
    meetings, goals = SurveyQuestionVersion.objects.get(question=pick).choices
    answer(final_round(partnership_for(program, chair), chair), **{f"s{pick.pk}": [meetings, goals]})
    (english,) = surveys.results([program], this_year(), 1)
    with translation.override("fr"):
        (french,) = surveys.results([program], this_year(), 1)
    assert english.rows == [("Meetings", 1, 100.0), ("Goals", 1, 100.0)]
    assert french.rows == [("Rencontres", 1, 100.0), ("Objectifs", 1, 100.0)]


def test_results_below_k_are_suppressed(world):
    program, chair = world["program"], world["people"]["chair"]
    nps = add(program, "nps")
    answer(final_round(partnership_for(program, chair), chair), **{f"s{nps.pk}": 10})
    (result,) = surveys.results([program], this_year(), 5)
    assert result.suppressed and result.nps is None and result.nps_groups is None
    assert all(n is None for _, n, _ in result.rows)


def test_a_hidden_wording_cannot_be_found_by_subtraction(world):
    """Two wordings: the one below k is hidden, and so is the other, since the total is shown."""
    program, chair = world["program"], world["people"]["chair"]
    question = add(program, "single", text="Useful?", choices=["Yes", "No"])
    for tag in "abcd":
        answer(final_round(partnership_for(program, chair, tag), chair), **{f"s{question.pk}": "Yes"})
    surveys.edit_question(
        question=question, survey=CLOSEOUT, audience="both", kind="single", text="Helpful?", choices=["Yes", "No"]
    )
    answer(final_round(partnership_for(program, chair, "e"), chair), **{f"s{question.pk}": "No"})
    (result,) = surveys.results([program], this_year(), 3)
    assert not result.suppressed and result.respondents == 5
    assert [(w.label, w.respondents, w.shown) for w in result.wordings] == [
        ("Useful?", 4, False),
        ("Helpful?", 1, False),
    ]
    # With a third wording of k answers or more, what is hidden is k or more: the others show.
    surveys.edit_question(
        question=question, survey=CLOSEOUT, audience="both", kind="single", text="Worth it?", choices=["Yes", "No"]
    )
    for tag in "fgh":
        answer(final_round(partnership_for(program, chair, tag), chair), **{f"s{question.pk}": "Yes"})
    (result,) = surveys.results([program], this_year(), 3)
    assert [(w.respondents, w.shown) for w in result.wordings] == [(4, True), (1, False), (3, False)]


def test_free_text_is_never_in_a_report(client, world):
    program, chair = world["program"], world["people"]["chair"]
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 1})
    question = add(program, "text", text="Anything else?")
    answer(final_round(partnership_for(program, chair), chair), **{f"s{question.pk}": "zq-secret-words"})
    client.force_login(chair)
    page = client.get(reverse("committee:report", args=[program.pk]))
    assert "Anything else?" in page.content.decode()
    assert "zq-secret-words" not in page.content.decode()
    assert (
        client.get(reverse("committee:report", args=[program.pk]), {"export": f"survey-{question.pk}"}).status_code
        == 404
    )


def test_the_report_shows_results_and_too_few_and_exports_csv(client, world):
    program, chair = world["program"], world["people"]["chair"]
    SiteSettings.objects.update_or_create(pk=1, defaults={"report_min_responses": 3})
    nps = add(program, "nps", text="Would you recommend it?")
    few = add(program, "single", text="=HYPERLINK(1)?", choices=["-bad", "+ok"], audience="mentor")
    for tag, score in zip("abc", (10, 9, 2), strict=True):
        partnership = partnership_for(program, chair, tag)
        answer(final_round(partnership, chair), **{f"s{nps.pk}": score})
    answer(Solicitation.objects.get(partnership=partnership, role="mentor", is_final=True), **{f"s{few.pk}": "-bad"})
    client.force_login(chair)
    url = reverse("committee:report", args=[program.pk])
    body = client.get(url).content.decode()
    assert "Would you recommend it?" in body and "Net promoter score <strong>33</strong>" in body
    assert "Too few to report: fewer than 3 partners answered." in body
    csv = client.get(url, {"export": f"survey-{nps.pk}"}).content.decode()
    assert "Net promoter score" in csv and ",33," in csv and "10,1,33.3" in csv
    assert "Promoters (%),66.7," in csv and "Detractors (%),33.3," in csv
    hidden = client.get(url, {"export": f"survey-{few.pk}"}).content.decode()
    assert hidden.splitlines()[0].startswith("Northport new members: =HYPERLINK")  # not a cell's start
    assert "'-bad,too few to report" in hidden and "'+ok,too few to report" in hidden


def test_the_region_report_shows_each_programs_questions(client, world):
    program = world["program"]
    add(program, "nps", text="Would you recommend it?")
    client.force_login(world["people"]["vp"])
    body = client.get(reverse("region_report", args=[world["regions"]["north"].pk])).content.decode()
    assert "Would you recommend it?" in body
    theirs = add(world["other_program"], "nps", text="Southbury only?")
    assert (
        "Southbury only?"
        not in client.get(reverse("region_report", args=[world["regions"]["north"].pk])).content.decode()
    )
    assert theirs


def test_the_report_takes_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    program, chair = world["program"], world["people"]["chair"]
    questions = [add(program, kind) for kind in ("nps", "scale", "single", "multiple", "text")]
    client.force_login(chair)
    url = reverse("committee:report", args=[program.pk])
    client.get(url)  # the snapshot is taken once

    def answered(tags):
        for tag in tags:
            values = {"nps": 8, "scale": 3, "single": "Yes", "multiple": ["Yes", "No"], "text": "words"}
            answer(
                final_round(partnership_for(program, chair, tag), chair),
                **{f"s{q.pk}": values[q.kind] for q in questions},
            )

    answered("ab")
    with django_assert_max_num_queries(80) as few:
        client.get(url)
    answered("cdefg")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_versions_keep_their_wording_when_the_question_moves_survey(world):
    program = world["program"]
    question = add(program, text="Moving?")
    surveys.edit_question(
        question=question,
        survey=PERIODIC,
        audience="mentor",
        kind="single",
        text="Moving?",
        choices=["Yes", "No", "Not sure"],
    )
    question.refresh_from_db()
    assert (question.survey, question.audience) == (PERIODIC, "mentor")
    assert SurveyQuestionVersion.objects.filter(question=question).count() == 1


def test_a_wording_changed_while_the_form_was_open_keeps_the_wording_shown(client, world):
    program, chair = world["program"], world["people"]["chair"]
    question = add(program, "nps", text="Recommend it?")
    shown = question.versions.get()
    solicitation = final_round(partnership_for(program, chair), chair)
    assert f'name="wording" value="{shown.pk}"' in client.get(link(solicitation)).content.decode()
    answer(final_round(partnership_for(program, chair, "b"), chair), **{f"s{question.pk}": 7})  # now it has answers
    surveys.edit_question(
        question=question, survey=CLOSEOUT, audience="both", kind="nps", text="Would you recommend it?"
    )
    theirs = add(world["other_program"], "nps", text="Theirs?").versions.get()
    client.post(link(solicitation), {**FINE, question.field_name: "9", "wording": [str(shown.pk), str(theirs.pk), "x"]})
    assert SurveyAnswer.objects.get(number=9).version == shown


def test_hostile_edits_are_refused_in_words_and_the_question_is_unchanged(chair_client, world):
    program = world["program"]
    question = add(program, "single", text="Useful?", choices=["Yes", "No"])
    url = reverse("committee:survey_edit", args=[program.pk, question.pk])
    for text, message in (("x" * 3000, "300 characters or fewer"), ("<b>Bold</b>", "Please remove the &lt; &gt;")):
        page = chair_client.post(url, {"text_en": text, "survey": CLOSEOUT, "audience": "both", "kind": "single"})
        assert page.status_code == 200 and message in page.content.decode()
    page = chair_client.post(url, {"text_en": "Useful?", "survey": "nope", "audience": "both", "kind": "single"})
    assert "Please choose one of the options offered." in page.content.decode()
    assert list(question.versions.values_list("text", flat=True)) == ["Useful?"]
