"""Each email is written in its reader's language, whoever sends it (issue 26): a French member
reads hers in French, subject and body, though the one who set it off reads the site in English;
an English member reads his in English, though the sender reads the site in French. Each email
is set off through the service that sends it."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from conftest import APPLICANT_ANSWERS, applicant, make_member, partnership_for, propose
from leadership import officers
from leadership import services as leadership
from matching import services as matching
from matching import waiting
from matching.models import MatchRun
from mentoring import services as mentoring
from mentoring.models import Application, AssociationOfficer, CommitteeMembership
from outbox.emails import compose, in_doubt_note
from outbox.models import OutgoingEmail
from recruitment import services as recruitment
from retention import services as retention
from retention.models import RecordExpiry

pytestmark = [pytest.mark.django_db, pytest.mark.french]


def speaking(user, language):
    user.language = language
    user.save(update_fields=["language"])
    return user


def newcomer(world, language, email="newcomer@example.org"):
    return speaking(make_member(email, world["associations"]["northport"], first_name="Noa"), language)


def email_to(user, key_prefix):
    return OutgoingEmail.objects.get(to=user.email, key__startswith=key_prefix)


def mentor_candidate(world, language):
    """A mentor's application waiting for the committee's decision."""
    user = newcomer(world, language, "candidate@example.org")
    application = mentoring.start_application(program=world["program"], user=user, role="mentor")
    answers = {**APPLICANT_ANSWERS, "years_experience": 20, "capacity": 1}
    return mentoring.submit_application(application=application, answers=answers, extra_answers={})


# Each email: (who it goes to, in `language`) after the service that sends it ran.


def announcement(world, language):
    member = speaking(world["people"]["member"], language)
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])
    return email_to(member, "announcement:")


def invitation(world, language):
    member = speaking(world["people"]["member"], language)
    member = type(member).objects.select_related("profile").get(pk=member.pk)
    recruitment.invite(program=world["program"], users=[member], role="mentor", by=world["people"]["chair"])
    return email_to(member, "invitation:")


def application_received(world, language):
    program = world["program"]
    user = newcomer(world, language)
    application = mentoring.start_application(program=program, user=user, role="mentee")
    mentoring.submit_application(application=application, answers=APPLICANT_ANSWERS, extra_answers={})
    return email_to(user, "application-received:")


def chair_appointed(world, language):
    user = newcomer(world, language)
    mentoring.appoint_chair(program=world["program"], user=user, by=world["people"]["officer"])
    return email_to(user, "chair-appointed:")


def committee_added(world, language):
    user = newcomer(world, language)
    mentoring.add_committee_member(
        program=world["program"], user=user, role=CommitteeMembership.Role.MEMBER, by=world["people"]["chair"]
    )
    return email_to(user, "committee-added:")


def officer_appointed(world, language):
    user = newcomer(world, language)
    officers.appoint_officer(
        association=world["associations"]["northport"],
        user=user,
        role=AssociationOfficer.Role.MEMBERSHIP,
        by=world["people"]["vp"],
    )
    return email_to(user, "officer-appointed:")


def leadership_asked(world, language):
    p = partnership_for(world["program"], world["people"]["chair"], "lead")
    speaking(p.mentee, language)
    leadership.recommend(partnership=p, by=p.mentor, note="Ready to lead")
    return email_to(p.mentee, "leadership-asked:")


def leadership_consented(world, language):
    vp = speaking(world["people"]["vp"], language)
    p = partnership_for(world["program"], world["people"]["chair"], "lead")
    recommendation = leadership.recommend(partnership=p, by=p.mentor, note="Ready to lead")
    leadership.answer_recommendation(recommendation=recommendation, by=p.mentee, consent=True)
    return email_to(vp, "leadership-consented:")


def mentor_ask(world, language):
    program = world["program"]
    program.mentor_accepts_first = True
    program.save(update_fields=["mentor_accepts_first"])
    mentee = applicant(program, "asked.mentee@example.org", "mentee")
    mentor = applicant(program, "asked.mentor@example.org", "mentor", years=20, employer="Other Co")
    speaking(mentor.user, language)
    matching.approve(proposal=propose(mentee, mentor), by=world["people"]["chair"])
    return email_to(mentor.user, "mentor-ask:")


def not_matched_yet(world, language):
    mentee = applicant(world["program"], "unmatched.mentee@example.org", "mentee")
    speaking(mentee.user, language)
    run = MatchRun.objects.create(program=world["program"], status="done", unmatched=[{"application": mentee.pk}])
    matching.notify_unmatched(run=run, by=world["people"]["chair"])
    return email_to(mentee.user, "unmatched:")


def still_waiting(world, language):
    mentee = applicant(world["program"], "waiting.mentee@example.org", "mentee")
    speaking(mentee.user, language)
    waiting.notify_waiting_mentees(now=timezone.now() + timedelta(days=31))
    return email_to(mentee.user, "still-waiting:")


def record_expiry_warning(world, language):
    mentee = applicant(world["program"], "gone.mentee@example.org", "mentee")
    Application.objects.filter(pk=mentee.pk).update(status=Application.Status.WITHDRAWN)
    speaking(mentee.user, language)
    today = timezone.localdate()
    RecordExpiry.objects.create(user=mentee.user, application=mentee, expires_on=today + timedelta(days=31))
    retention.warn_members(today=today)
    return email_to(mentee.user, "record-expiry-warning:")


def vetting(decision):
    def send(world, language):
        application = mentor_candidate(world, language)
        mentoring.vet_mentor(
            application=application, by=world["people"]["chair"], decision=decision, message="Tell us more"
        )
        return email_to(application.user, "vetting-decision:")

    send.__name__ = f"vetting_{decision}"
    return send


# (the email, words of its subject and of its body in French, the same in English)
EMAILS = [
    (
        announcement,
        ("est ouvert aux candidatures", "Pour poser votre candidature comme personne mentorée"),
        ("is open for applications", "To apply to be mentored"),
    ),
    (
        invitation,
        ("vous invite à participer à Northport new members comme mentor", "Comme mentor, vous accompagneriez"),
        ("invites you to be a mentor in", "As a mentor you would be beside"),
    ),
    (
        application_received,
        ("est bien arrivée", "Merci d’avoir posé votre candidature comme personne mentorée"),
        ("has arrived", "Thank you for applying to Northport new members as mentee."),
    ),
    (
        chair_appointed,
        ("Vous assurez maintenant la présidence", "l’engagement de confidentialité du comité"),
        ("You now chair", "confidentiality pledge"),
    ),
    (
        committee_added,
        ("Vous faites maintenant partie du comité", "vous a ajouté comme membre du comité de Northport"),
        ("You have joined the committee", "as committee member."),
    ),
    (
        officer_appointed,
        ("responsable du recrutement des membres de Northport", "Comme membre du bureau"),
        ("You are now membership officer of Northport", "As an officer"),
    ),
    (
        leadership_asked,
        ("aimerait vous recommander pour un rôle de leadership", "Rien n’est transmis sans votre accord"),
        ("would like to recommend you for a leadership role", "Nothing is passed on unless you agree"),
    ),
    (
        leadership_consented,
        ("est recommandé pour le leadership", "La relève en leadership de la région"),
        ("is recommended for leadership", "leadership pipeline"),
    ),
    (
        mentor_ask,
        ("Accepteriez-vous d’être le mentor", "aucun mot de passe requis"),
        ("Will you mentor", "no password needed"),
    ),
    (
        not_matched_yet,
        ("nous cherchons toujours votre mentor", "Merci de votre patience"),
        ("we are still looking for your mentor", "Thank you for your patience"),
    ),
    (
        still_waiting,
        ("nous cherchons toujours un mentor pour vous", "Nous vous écrirons de nouveau dans 30 jours"),
        ("we are still looking for a mentor for you", "We will write again in 30 days"),
    ),
    (
        record_expiry_warning,
        ("Vos anciens dossiers de mentorat seront supprimés", "Souhaitez-vous garder votre historique"),
        ("Your old mentoring records will be removed", "Would you like to keep your history"),
    ),
    (
        vetting("approve"),
        ("Bienvenue comme mentor", "Un mot du comité"),
        ("Welcome as a mentor", "A word from the committee"),
    ),
    (
        vetting("decline"),
        ("Votre candidature de mentor", "Le comité ne peut pas retenir votre candidature"),
        ("Your mentor application", "not able to accept"),
    ),
    (
        vetting("more_info"),
        ("le comité a une question", "Veuillez mettre votre candidature à jour ici"),
        ("the committee has a question", "Please update your application here"),
    ),
]


@pytest.mark.parametrize(("send", "french", "english"), EMAILS, ids=[e[0].__name__ for e in EMAILS])
def test_a_french_member_reads_the_email_in_french_though_the_sender_reads_english(world, send, french, english):
    with translation.override("en"):
        email = send(world, "fr")
    assert french[0] in email.subject and english[0] not in email.subject, email.subject
    assert french[1] in email.body and english[1] not in email.body, email.body
    assert "Bonjour" in email.body and "Hello" not in email.body and "Dear" not in email.body
    assert email.language == "fr"


@pytest.mark.parametrize(("send", "french", "english"), EMAILS, ids=[e[0].__name__ for e in EMAILS])
def test_an_english_member_reads_the_email_in_english_though_the_sender_reads_french(world, send, french, english):
    with translation.override("fr"):
        email = send(world, "en")
    assert english[0] in email.subject and french[0] not in email.subject, email.subject
    assert english[1] in email.body and french[1] not in email.body, email.body
    assert "Bonjour" not in email.body


def test_the_words_built_in_python_for_a_french_email_are_french(world):
    """The invitation's role and its words to a mentor, the warning's records: built by the
    service for the reader, not the sender."""
    with translation.override("en"):
        invited = invitation(world, "fr")
        warned = record_expiry_warning(world, "fr")
    assert "Comme mentor, vous accompagneriez un nouveau membre de Northport pendant 12 mois" in invited.body
    assert "en vous rencontrant chaque mois" in invited.body and "every month" not in invited.body
    assert "Votre candidature à Northport new members comme personne mentorée" in warned.body
    assert "mentee" not in warned.body


def test_a_french_invitation_names_the_closing_date_in_french(world):
    program = world["program"]
    program.enrollment_closes_on = timezone.localdate().replace(month=12, day=3) + timedelta(days=365)
    program.save(update_fields=["enrollment_closes_on"])
    email = invitation(world, "fr")
    assert f"les candidatures sont ouvertes jusqu’au 3 décembre {program.enrollment_closes_on.year}." in email.body


def test_the_in_doubt_note_of_a_second_sending_is_in_the_recipients_language():
    again = compose(to="p@example.org", subject="Objet", body="Corps", in_doubt=True, language="fr")
    assert again.body.startswith("(Notre serveur de courriel a été interrompu")
    assert again.body.endswith(")\n\nCorps")
    assert in_doubt_note().startswith("(Our mail server was interrupted")
