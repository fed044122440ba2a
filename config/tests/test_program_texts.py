"""A program's own texts in two languages (issue 26): the chair writes the summary, the
guidelines, the questions and their answers, the orientation items in English, in French or
both, side by side; a member reads their language, or the other one when only that one is
written; matching compares the answers, never their words."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from conftest import applicant, in_french, partnership_for
from conftest import read as page
from matching import engine
from matching.services import build_pool, weights_for
from mentoring.forms import QuestionForm, QuestionnaireForm
from mentoring.models import Application, OrientationItem, Question
from outbox.models import OutgoingEmail
from recruitment.services import announce_enrollment

pytestmark = pytest.mark.django_db

SUMMARY_EN = "New members meet an experienced member of Northport for a year."
SUMMARY_FR = "Les nouveaux membres rencontrent un membre d’expérience de Northport pendant un an."


def setup_url(program):
    return reverse("committee:setup", args=[program.pk])


def questions_url(program):
    return reverse("committee:questions", args=[program.pk])


def essentials(**changes):
    data = {"section": "essentials", "summary_en": SUMMARY_EN, "summary_fr": SUMMARY_FR, "topics": "Claims"}
    return data | {"length_months": "12", "enrollment_open": "on"} | changes


def question_post(**changes):
    data = {
        "text_en": "Which line of business?",
        "text_fr": "Dans quel secteur travaillez-vous ?",
        "help_text_en": "Your main one.",
        "help_text_fr": "Le principal.",
        "kind": "single",
        "choice_labels_en": "Personal lines\nCommercial lines",
        "choice_labels_fr": "Assurance des particuliers\nAssurance des entreprises",
        "audience": "both",
        "weight": "3",
        "position": "1",
    }
    return data | changes


@pytest.fixture
def chair_client(client, world):
    """The test client signed in as the chair (the same client: a test signs someone else in on it)."""
    client.force_login(world["people"]["chair"])
    return client


def test_the_chair_writes_the_summary_and_a_question_in_both_languages(chair_client, program):
    form = page(chair_client.get(setup_url(program) + "?section=essentials"))
    assert 'name="summary_en"' in form and 'name="summary_fr"' in form
    assert 'for="id_summary_en"' in form and 'for="id_summary_fr"' in form
    assert "English" in form and "Français" in form and 'lang="fr"' in form

    assert chair_client.post(setup_url(program), essentials()).status_code == 302
    assert chair_client.post(questions_url(program), question_post()).status_code == 302

    program.refresh_from_db()
    assert (program.summary_en, program.summary_fr) == (SUMMARY_EN, SUMMARY_FR)
    question = Question.objects.get(program=program)
    assert (question.text_en, question.text_fr) == ("Which line of business?", "Dans quel secteur travaillez-vous ?")
    # What members' answers hold: the English words; the French ones are only shown.
    assert question.choices == ["Personal lines", "Commercial lines"]
    assert question.choice_labels_fr == ["Assurance des particuliers", "Assurance des entreprises"]
    edit = page(chair_client.get(reverse("committee:question_edit", args=[program.pk, question.pk])))
    assert "Assurance des particuliers\nAssurance des entreprises" in edit  # both shown again, side by side


@pytest.mark.french
def test_a_french_member_reads_french_and_an_english_member_english(client, chair_client, world, program):
    chair_client.post(setup_url(program), essentials())
    chair_client.post(questions_url(program), question_post())
    french, english = world["people"]["member"], world["people"]["officer"]
    client.logout()

    in_french(client, french)
    shown = page(client.get(reverse("program", args=[program.pk])))
    assert SUMMARY_FR in shown and SUMMARY_EN not in shown
    form = page(client.get(reverse("apply", args=[program.pk, "mentee"])))
    assert "Dans quel secteur travaillez-vous ?" in form and "Le principal." in form
    assert "Assurance des particuliers" in form and "Which line of business?" not in form
    assert 'value="Personal lines"' in form  # the stored answer, whatever the words

    client.force_login(english)
    shown = page(client.get(reverse("program", args=[program.pk])))
    assert SUMMARY_EN in shown and SUMMARY_FR not in shown
    form = page(client.get(reverse("apply", args=[program.pk, "mentee"])))
    assert "Which line of business?" in form and "Personal lines" in form
    assert "Dans quel secteur" not in form and "Assurance des particuliers" not in form


def test_a_text_written_only_in_french_is_shown_in_french_to_an_english_member(client, chair_client, world, program):
    chair_client.post(setup_url(program), essentials(summary_en=""))
    chair_client.post(
        questions_url(program),
        question_post(text_en="", help_text_en="", choice_labels_en=""),
    )
    question = Question.objects.get(program=program)
    assert question.choices == ["Assurance des particuliers", "Assurance des entreprises"]  # its only words
    client.force_login(world["people"]["officer"])  # English

    shown = page(client.get(reverse("program", args=[program.pk])))
    assert SUMMARY_FR in shown
    form = page(client.get(reverse("apply", args=[program.pk, "mentee"])))
    assert "Dans quel secteur travaillez-vous ?" in form and "Assurance des entreprises" in form


def test_the_guidelines_and_orientation_items_follow_the_readers_language(program):
    program.expectations_fr = "Les partenaires conviennent de leurs objectifs à la première rencontre."
    program.save()
    item = OrientationItem.objects.create(
        program=program, kind="page", title_en="How it works", title_fr="Comment ça marche", body_en="Meet monthly."
    )
    with translation.override("fr"):
        assert program.expectations.startswith("Les partenaires conviennent")
        assert program.confidentiality.startswith("What partners say")  # the English default: not written in French
        assert (item.title, item.body) == ("Comment ça marche", "Meet monthly.")
    with translation.override("en"):
        assert program.expectations.startswith("Partners agree on goals")
        assert item.title == "How it works"


def test_the_partners_agreement_keeps_the_guidelines_in_each_language(client, world, program):
    program.expectations_fr = "Les partenaires conviennent de leurs objectifs à la première rencontre."
    program.ending_early_en = "Tell the chair, who tells your partner kindly."
    program.save()
    partnership = partnership_for(program, world["people"]["chair"], agreed=False)
    program.expectations_fr = "Changed later: partners keep what they agreed to."
    program.save()
    url = reverse("partnership", args=[partnership.pk])

    french = page(in_french(client, partnership.mentee).get(url))
    assert "Les partenaires conviennent de leurs objectifs" in french
    assert "Tell the chair, who tells your partner kindly." in french  # written in English only
    assert "Changed later" not in french

    client.force_login(partnership.mentor)  # English
    english = page(client.get(url))
    assert "Partners agree on goals at the first meeting" in english
    assert "Les partenaires conviennent" not in english


def test_the_announcement_reaches_each_member_in_their_language(chair_client, world, program):
    chair_client.post(setup_url(program), essentials())
    french = world["people"]["member"]
    french.language = "fr"
    french.save(update_fields=["language"])

    announce_enrollment(program=program, by=world["people"]["chair"])

    assert SUMMARY_FR in OutgoingEmail.objects.get(to=french.email).body
    english = OutgoingEmail.objects.get(to=world["people"]["officer"].email).body
    assert SUMMARY_EN in english and SUMMARY_FR not in english


# --- Matching compares answers, never their words -----------------------------------------------


def scores(program):
    pool = build_pool(program)
    result = engine.propose(
        pool.mentees, pool.mentors, rules=pool.rules, weights=weights_for(program), questions=pool.questions
    )
    return sorted((p.mentee_id, p.mentor_id, p.score, [row["points"] for row in p.breakdown]) for p in result.proposals)


def test_matching_gives_the_same_pairs_and_scores_whatever_the_languages_of_the_words(chair_client, program):
    chair_client.post(questions_url(program), question_post(text_fr="", help_text_fr="", choice_labels_fr=""))
    question = Question.objects.get(program=program)
    people = [
        ("ann@example.org", "mentee", "Personal lines"),
        ("bob@example.org", "mentee", "Commercial lines"),
        ("max@example.org", "mentor", "Commercial lines"),
        ("liz@example.org", "mentor", "Personal lines"),
    ]
    for email, role, answer in people:
        years, employer = (1, "Acme Mutual") if role == "mentee" else (12, f"{email} Insurance")
        application = applicant(program, email, role, years=years, employer=employer)
        Application.objects.filter(pk=application.pk).update(extra_answers={str(question.pk): answer})
    english_only = scores(program)
    assert len(english_only) == 2

    # The chair adds the French words, then corrects the English ones: the answers keep their values.
    edit = reverse("committee:question_edit", args=[program.pk, question.pk])
    assert chair_client.post(edit, question_post()).status_code == 302
    question.refresh_from_db()
    assert question.choices == ["Personal lines", "Commercial lines"]
    with translation.override("fr"):
        assert scores(program) == english_only
    corrected = question_post(choice_labels_en="Personal insurance\nCommercial insurance")
    assert chair_client.post(edit, corrected).status_code == 302
    question.refresh_from_db()
    assert question.choices == ["Personal lines", "Commercial lines"]
    assert question.choice_labels_en == ["Personal insurance", "Commercial insurance"]
    assert scores(program) == english_only

    # A French and an English member choosing the same answer send the same value.
    offered = {}
    for language in ("en", "fr"):
        with translation.override(language):
            member = Application.objects.filter(role="mentee").first().user
            form = QuestionnaireForm(program=program, role="mentee", questions=[question], user=member)
            offered[language] = form.fields[question.field_name].choices
    assert offered["en"] == [("Personal lines", "Personal insurance"), ("Commercial lines", "Commercial insurance")]
    assert offered["fr"] == [
        ("Personal lines", "Assurance des particuliers"),
        ("Commercial lines", "Assurance des entreprises"),
    ]


def test_an_answer_keeps_its_value_while_its_words_in_one_language_are_unchanged(program):
    question = Question.objects.create(program=program, text="Line?", kind="single")
    Question.objects.filter(pk=question.pk).update(
        choices=["Personal lines", "Commercial lines"],
        choice_labels_en=["Personal lines", "Commercial lines"],
        choice_labels_fr=["Particuliers", "Entreprises"],
    )
    question.refresh_from_db()
    form = QuestionForm(
        question_post(
            choice_labels_en="Personal insurance\nBusiness lines\nLife",
            choice_labels_fr="Particuliers\nSociétés\nVie",
        ),
        instance=question,
    )
    assert form.is_valid(), form.errors
    form.save()
    question.refresh_from_db()
    # The first is unchanged in French; the second changed in both (a new answer); the third is new.
    assert question.choices == ["Personal lines", "Business lines", "Life"]


# --- Hostile and oversized input in the new boxes -----------------------------------------------

HOSTILE_QUESTIONS = {
    "script-in-french": ({"text_fr": "<script>alert(1)</script>"}, "text_fr", "Please remove the < > signs"),
    "oversized-french": ({"text_fr": "q" * 3_000}, "text_fr", "at most 300 characters (it has 3000)"),
    "oversized-french-hint": ({"help_text_fr": "h" * 3_000}, "help_text_fr", "at most 300 characters"),
    "nul-in-french": ({"text_fr": "Quel\x00secteur ?"}, "text_fr", "Null characters are not allowed."),
    "markup-in-a-french-answer": (
        {"choice_labels_fr": "Oui\n<img src=x onerror=alert(1)>"},
        "choice_labels_fr",
        "Please remove the < > signs",
    ),
    "oversized-french-answer": (
        {"choice_labels_fr": "Oui\n" + "n" * 500},
        "choice_labels_fr",
        "Each answer can be at most 100 characters",
    ),
    "too-many-french-answers": (
        {"choice_labels_fr": "\n".join(f"Réponse {i}" for i in range(21))},
        "choice_labels_fr",
        "20 answers or fewer",
    ),
    "not-as-many-answers": (
        {"choice_labels_fr": "Particuliers\nEntreprises\nVie"},
        "choice_labels_fr",
        "The English and French answers are the same answers",
    ),
    "written-in-neither": (
        {"text_en": " ", "text_fr": ""},
        "text_en",
        "Please write it in English, in French or in both.",
    ),
}


@pytest.mark.parametrize(("changes", "field", "message"), HOSTILE_QUESTIONS.values(), ids=HOSTILE_QUESTIONS.keys())
def test_hostile_words_in_a_question_are_refused_in_words(chair_client, program, changes, field, message):
    response = chair_client.post(questions_url(program), question_post(**changes))

    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field]), response.context["form"].errors
    assert not Question.objects.exists()


HOSTILE_SETUP = {
    "oversized-french-summary": ({"summary_fr": "s" * 20_000}, "summary_fr", "at most 2000 characters (it has 20000)"),
    "nul-in-french-summary": ({"summary_fr": "Un an\x00"}, "summary_fr", "Null characters are not allowed."),
}


@pytest.mark.parametrize(("changes", "field", "message"), HOSTILE_SETUP.values(), ids=HOSTILE_SETUP.keys())
def test_hostile_words_in_the_summary_are_refused_and_nothing_changes(chair_client, program, changes, field, message):
    before = (program.summary_en, program.summary_fr)
    response = chair_client.post(setup_url(program), essentials(**changes))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field][0]
    program.refresh_from_db()
    assert (program.summary_en, program.summary_fr) == before


def test_markup_in_the_french_summary_is_kept_as_typed_and_shown_escaped(client, chair_client, world, program):
    chair_client.post(setup_url(program), essentials(summary_fr="<script>alert(1)</script> Bienvenue 😀 مرحبا"))
    in_french(client, world["people"]["member"])

    shown = client.get(reverse("program", args=[program.pk])).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Bienvenue 😀 مرحبا" in shown
    assert "<script>alert(1)" not in shown


def test_an_orientation_item_needs_a_title_in_one_language(chair_client, program):
    url = reverse("committee:orientation", args=[program.pk])
    post = {"action": "add", "kind": "page", "audience": "mentor", "required": "on", "body_fr": "Rencontrez-vous."}

    refused = chair_client.post(url, {**post, "title_en": "", "title_fr": ""})
    assert "Please write it in English, in French or in both." in refused.content.decode()
    assert chair_client.post(url, {**post, "title_fr": "<b>Accueil</b>"}).status_code == 200
    assert chair_client.post(url, {**post, "title_fr": "x" * 1500}).status_code == 200
    assert not OrientationItem.objects.exists()

    assert chair_client.post(url, {**post, "title_fr": "Comment ça marche"}).status_code == 302
    item = OrientationItem.objects.get()
    assert (item.title_fr, item.body_fr, item.title_en or "") == ("Comment ça marche", "Rencontrez-vous.", "")


@pytest.mark.french
def test_the_committee_reads_a_members_answers_in_its_own_language(client, chair_client, world, program):
    chair_client.post(questions_url(program), question_post(kind="multiple"))
    question = Question.objects.get(program=program)
    mentee = applicant(program, "ann@example.org", "mentee")
    Application.objects.filter(pk=mentee.pk).update(extra_answers={str(question.pk): ["Commercial lines"]})
    url = reverse("committee:application", args=[program.pk, mentee.pk])

    english = page(chair_client.get(url))
    assert "Which line of business?" in english and "Commercial lines" in english

    french = page(in_french(client, world["people"]["chair"]).get(url))
    assert "Dans quel secteur travaillez-vous ?" in french and "Assurance des entreprises" in french
    assert "Commercial lines" not in french


@pytest.mark.french
def test_a_french_chair_reads_the_form_in_french_and_each_language_in_its_own_words(client, world, program):
    in_french(client, world["people"]["chair"])

    refused = page(client.post(questions_url(program), question_post(text_en="", text_fr="")))

    assert "Veuillez l’écrire en anglais, en français ou dans les deux langues." in refused
    assert re.search(r'<label\s+for="id_text_en"[^>]*>\s*English\s*<', refused)
    assert re.search(r'<label\s+for="id_text_fr"[^>]*>\s*Français\s*<', refused)
    assert "Please write it" not in refused


def test_staff_edit_each_language_of_a_programs_texts_in_the_admin(client, world, program):
    client.force_login(world["people"]["staff"])
    url = reverse("admin:mentoring_program_change", args=[program.pk])

    form = client.get(url).content.decode()

    assert 'name="summary_en"' in form and 'name="summary_fr"' in form
    assert 'name="summary"' not in form  # the untranslated column: an edit there would be lost
