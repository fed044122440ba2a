"""A mentoring year in French, end to end in a real headless Chromium (issue 26).

A member who has never chosen a language switches the site to French on the sign-in page, signs
in, applies as a mentee and does the orientation; a French chair vets a mentor, proposes matches
and approves the pair; the member confirms the agreement, accepts a meeting (its calendar file's
summary is French), answers the feedback link of the email, and at the end downloads the
certificate; the chair reads the program's report. Every page says French words, and the
language stays French from page to page (<html lang="fr">). Before it, a new visitor does the
same from the sign-in page to sign up: the French sign-up page, the French confirmation email and
its link, her profile, her French home page, and an account whose language is French.

The sign-up pages and the confirmation email use allauth's own French catalogue, which writes
"e-mail" (France) where ours says "courriel"; the words asserted are allauth's.

Still English on these pages today, so not asserted here (the lead's list of gaps): the program's
own texts the chair wrote in English only (its topics, the milestones): a member reads the other
language when a text has only one."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.core import mail
from django.utils import formats, timezone, translation
from playwright.sync_api import expect
from pypdf import PdfReader

from accounts.models import Profile, User
from conftest import PASSWORD, applicant, make_member, screenshot, sign_in, totp_code
from feedback.models import Response
from feedback.services import run_feedback_job
from mentoring.models import Application, OrientationItem, Partnership, Program
from outbox.emails import send_pending_emails
from partnerships import agreements, life, meetings
from recruitment import orientation

pytestmark = [pytest.mark.browser, pytest.mark.french, pytest.mark.django_db(transaction=True)]


def in_french(page):
    """The page is French and says so."""
    expect(page.locator("html")).to_have_attribute("lang", "fr")


def no_english(page, *words):
    """None of these English words is left in the page's main part."""
    for word in words:
        expect(page.get_by_role("main")).not_to_contain_text(word)


def sign_in_in_french(page, live_server, email):
    """The sign-in page in French (the language already chosen), the code of the authenticator
    app where the person has one."""
    page.goto(live_server.url + "/accounts/login/")
    in_french(page)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe*", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    for _ in range(2):  # a code typed at the turn of its 30 seconds may be refused: once more
        if "/2fa/authenticate" not in page.url:
            break
        page.get_by_label("Code*").fill(totp_code())
        page.get_by_role("button", name="Connexion").click()
        page.wait_for_load_state()
    in_french(page)


def test_a_mentoring_year_in_french(page, browser, live_server, world, settings):
    settings.SITE_URL = live_server.url  # the links in the emails point at this server
    program, chair = world["program"], world["people"]["chair"]
    Program.objects.filter(pk=program.pk).update(
        orientation_required_before=Program.OrientationRequired.BEFORE_MATCHING
    )
    orientation.add_item(
        item=OrientationItem(
            program=program,
            kind="acknowledgement",
            title="Confidentialité",
            body="Ce que nous nous disons reste entre nous.",
            audience="mentee",
            required=True,
        )
    )
    chair.language = "fr"
    chair.save(update_fields=["language"])
    applicant(
        program,
        "remi.gagnon@example.org",
        "mentor",
        years=20,
        employer="Mutuelle du Port",
        languages=["English", "French"],
    )
    Application.objects.filter(user__email="remi.gagnon@example.org").update(status="awaiting_vetting")
    lea = make_member("lea.tremblay@example.org", program.association, first_name="Léa", last_name="Tremblay", years=1)

    # --- Léa: the site in French from the sign-in page, then signed in, still French.
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Français").click()
    in_french(page)
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    screenshot(page, "french-01-sign-in")
    sign_in_in_french(page, live_server, lea.email)
    # The choice made before signing in is kept on her account at sign-in: what is sent to her
    # is French from the first email.
    assert User.objects.get(pk=lea.pk).language == "fr"
    page.goto(f"{live_server.url}/programs/{program.pk}/apply/mentee/")
    in_french(page)
    page.get_by_label("Vos objectifs*").fill("Trouver mes repères dans le métier")
    page.get_by_label("Claims", exact=True).check()  # the program's topics: its own words
    page.get_by_label("Où vous en êtes dans votre carrière*").select_option("early")
    page.get_by_label("Appel vidéo").check()
    page.get_by_label("En semaine, le soir").check()
    page.get_by_label("Le temps que vous pouvez donner*").select_option("2")
    page.get_by_label("À quelle fréquence vous aimeriez vous rencontrer*").select_option("monthly")
    page.get_by_label("Français", exact=True).check()
    page.get_by_label("Présentez-vous*").fill("Courtière depuis un an à Northport.")
    screenshot(page, "french-02-questionnaire")
    page.get_by_role("button", name="Envoyer ma candidature").click()
    in_french(page)
    expect(page.get_by_text("Merci, votre candidature est envoyée.")).to_be_visible()
    expect(page.get_by_text("Terminé : 0 sur 1")).to_be_visible()
    screenshot(page, "french-03-orientation")
    page.get_by_label("Ce que nous nous disons reste entre nous.").check()
    page.locator("main form button[type=submit]").first.click()  # "I agree": not marked yet (docstring)
    in_french(page)
    expect(page.get_by_text("Terminé : 1 sur 1")).to_be_visible()
    screenshot(page, "french-04-orientation-done")

    # --- The chair, in French: vets the mentor, proposes matches, approves the pair.
    # A new browser: the sign-in page is English, the chair's choice (kept on the account) turns
    # the site French once signed in.
    chair_page = browser.new_page()
    sign_in(chair_page, live_server, chair.email)
    in_french(chair_page)
    chair_page.goto(f"{live_server.url}/committee/{program.pk}/vetting/")
    in_french(chair_page)
    expect(chair_page.get_by_role("heading", name="Mentors en attente de vérification")).to_be_visible()
    screenshot(chair_page, "french-05-vetting-queue")
    chair_page.get_by_role("link", name="Remi Gagnon").click()
    in_french(chair_page)
    expect(chair_page.get_by_role("heading", name="Remi Gagnon comme mentor")).to_be_visible()
    chair_page.get_by_label("Approuver : la candidature entre dans le bassin de jumelage").check()
    chair_page.get_by_label("Note interne (le comité seulement)").fill("Vingt ans de sinistres, très disponible.")
    screenshot(chair_page, "french-06-vetting-decision")
    chair_page.get_by_role("button", name="Enregistrer").click()
    in_french(chair_page)
    screenshot(chair_page, "french-07-vetted")
    chair_page.get_by_role("navigation", name="Comité").get_by_role("link", name="Jumelage", exact=True).click()
    in_french(chair_page)
    expect(chair_page.get_by_role("heading", name="File de jumelage")).to_be_visible()
    chair_page.get_by_role("button", name="Proposer des jumelages").click()
    in_french(chair_page)
    expect(chair_page.get_by_text("1 proposition est prête")).to_be_visible()  # one: singular
    expect(chair_page.get_by_role("columnheader", name="Personne mentorée")).to_be_visible()
    screenshot(chair_page, "french-08-proposals")
    chair_page.locator("table tbody").get_by_role("checkbox").first.check()
    chair_page.get_by_role("button", name="Approuver les jumelages cochés").click()
    in_french(chair_page)
    expect(chair_page.get_by_text("1 jumelage approuvé.")).to_be_visible()
    screenshot(chair_page, "french-09-approved")
    partnership = Partnership.objects.get(mentee=lea)

    # --- Léa: her partnership, its agreement.
    page.goto(f"{live_server.url}/mentoring/")
    in_french(page)
    page.get_by_role("link", name="Remi Gagnon").first.click()
    in_french(page)
    expect(page.get_by_role("heading", name="Votre entente")).to_be_visible()
    expect(page.get_by_text("Vous ne l’avez pas encore confirmée")).to_be_visible()
    page.get_by_role("button", name="Je l’ai lue et je confirme l’entente").click()
    in_french(page)
    expect(page.get_by_text("Merci : vous avez confirmé votre entente.")).to_be_visible()
    expect(page.get_by_text("Remi ne l’a pas encore confirmée")).to_be_visible()
    screenshot(page, "french-10-agreement-confirmed")
    remi = partnership.mentor
    agreements.confirm_agreement(partnership=partnership, user=remi)
    day = timezone.localdate() + timedelta(days=6)
    starts = datetime.combine(day, time(15), tzinfo=timezone.get_current_timezone())
    meetings.propose_meeting(partnership=partnership, by=remi, starts_at=starts, minutes=60, mode="video")
    send_pending_emails()
    with translation.override("fr"):
        le_jour = formats.date_format(day, "MONTH_DAY_FORMAT")  # "9 décembre", whatever today is
    assert [m.subject for m in mail.outbox if m.to == [lea.email]] == [
        "Votre candidature à Northport new members est bien arrivée",
        "Voici votre mentor : Remi Gagnon (Northport new members)",
        f"Remi Gagnon propose une rencontre le {le_jour}",
    ]
    page.goto(f"{live_server.url}/")
    in_french(page)
    waiting = page.get_by_role("status").filter(has_text="propose une rencontre")
    expect(waiting).to_contain_text("Remi Gagnon propose une rencontre le")
    screenshot(page, "french-10b-home-meeting-waiting")
    waiting.get_by_role("link", name=re.compile("^Répondre")).click()
    in_french(page)
    page.get_by_role("button", name=re.compile("^Accepter")).click()
    in_french(page)
    expect(
        page.get_by_text("Acceptée. Vous recevez tous deux une invitation de calendrier par courriel.")
    ).to_be_visible()
    screenshot(page, "french-11-meeting-accepted")
    mail.outbox.clear()
    send_pending_emails()
    [invited] = [m for m in mail.outbox if m.to == [lea.email]]
    assert invited.subject == f"Invitation : rencontre avec Remi Gagnon le {le_jour}"
    assert "Votre rencontre avec Remi Gagnon est confirmée" in invited.body
    [ics] = invited.attachments
    assert ics.get_filename() == "invitation.ics"
    calendar = ics.get_payload(decode=True).decode().replace("\r\n ", "")  # lines unfolded
    assert "SUMMARY:Mentorat : Léa Tremblay et Remi Gagnon" in calendar.splitlines()
    # --- The feedback ask: a month on, by email, in French; she answers without signing in.
    Partnership.objects.filter(pk=partnership.pk).update(
        started_on=partnership.started_on - timedelta(days=program.feedback_first_after_days + 1),
        planned_end_on=partnership.planned_end_on - timedelta(days=program.feedback_first_after_days + 1),
    )
    mail.outbox.clear()
    run_feedback_job()
    [asked] = [m for m in mail.outbox if m.to == [lea.email]]
    assert asked.subject == "Comment se passe votre jumelage de mentorat ? (Northport new members)"
    assert "Vos réponses sont confidentielles" in asked.body
    link = re.search(r"https?://\S+/feedback/\S+/", asked.body).group(0)
    answering = browser.new_page()  # the link in the email, opened where she reads it: not signed in
    answering.goto(link)
    in_french(answering)
    expect(answering.get_by_role("heading", name="Comment cela se passe-t-il ?")).to_be_visible()
    answering.get_by_role("radio", name="4", exact=True).check()
    answering.get_by_role("radio", name="Environ une fois par mois").check()
    answering.get_by_role("radio", name="Quelques progrès").check()
    answering.get_by_role("radio", name="Oui", exact=True).check()
    screenshot(answering, "french-12-feedback")
    answering.get_by_role("button", name="Envoyer mes réponses").click()
    in_french(answering)
    expect(answering.get_by_role("heading", name="Merci")).to_be_visible()
    expect(answering.get_by_text("Vos réponses sont entre les mains du comité")).to_be_visible()
    screenshot(answering, "french-13-feedback-thanks")
    assert Response.objects.get(solicitation__partnership=partnership).satisfaction == 4

    # --- The year is over: the certificate.
    life.complete(partnership=partnership, by=chair)
    page.goto(f"{live_server.url}/mentoring/")
    in_french(page)
    expect(page.get_by_role("heading", name="Mon historique de mentorat")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Attestation")).click()
    in_french(page)
    expect(page.get_by_text("Nous attestons que")).to_be_visible()
    expect(page.get_by_text("a participé en tant que personne mentorée à")).to_be_visible()
    screenshot(page, "french-14-certificate")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Télécharger le PDF")).click()
    pdf = PdfReader(download.value.path())
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "Attestation de participation" in text and "Léa Tremblay" in text and "Certificate" not in text

    # --- The chair reads the program's report.
    chair_page.get_by_role("navigation", name="Comité").get_by_role("link", name="Rapport").click()
    in_french(chair_page)
    expect(chair_page.get_by_role("heading", name="Rapport : Northport new members")).to_be_visible()
    expect(chair_page.get_by_role("heading", name="La charge de travail du comité")).to_be_visible()
    expect(chair_page.get_by_role("heading", name="De la candidature à la fin du jumelage").first).to_be_visible()
    expect(chair_page.get_by_text("trop peu pour être publié").first).to_be_visible()
    screenshot(chair_page, "french-15-report")


def test_a_new_visitor_signs_up_in_french(page, live_server, world, settings, csp_violations):
    """The journey's beginning for someone new: the site turned French on the sign-in page, an
    account made on the French sign-up page, the confirmation email in French, its link, the
    profile completed, the French home page; the language chosen before signing in is the
    account's from the first sign-in."""
    settings.SITE_URL = live_server.url  # the link in the email points at this server
    page.goto(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Français").click()
    in_french(page)
    expect(page.get_by_text("Si vous n'avez pas encore créé de compte")).to_be_visible()
    page.get_by_role("main").get_by_role("link", name="enregistrer", exact=True).click()
    in_french(page)
    expect(page.get_by_role("heading", name="Création de compte")).to_be_visible()
    no_english(page, "Sign Up", "First name", "Password", "Already have an account")
    page.get_by_label("Prénom").fill("Chloé")
    page.get_by_label("Nom*", exact=True).fill("Bouchard")
    page.get_by_label("Courriel").fill("chloe.bouchard@example.org")
    page.get_by_label("Mot de passe*", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    screenshot(page, "french-signup-01-form")
    page.get_by_role("button", name="Création de compte").click()
    in_french(page)
    expect(page.get_by_role("heading", name="Vérifiez votre adresse e-mail")).to_be_visible()
    no_english(page, "Verify", "We have sent")
    screenshot(page, "french-signup-02-verify-email")
    chloe = User.objects.get(email="chloe.bouchard@example.org")

    # The confirmation email that was really sent (by the outbox job), in French.
    mail.outbox.clear()
    assert send_pending_emails() == 1
    [confirm] = mail.outbox
    assert confirm.to == [chloe.email]
    assert confirm.subject == "[Mentoring] Confirmez votre adresse e-mail"
    assert "Pour confirmer que cela est correct, allez sur" in confirm.body
    assert "Please" not in confirm.body and "confirm this is correct" not in confirm.body
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", confirm.body).group(0)
    page.goto(link)
    in_french(page)
    expect(page.get_by_role("heading", name="Confirmer l'adresse e-mail")).to_be_visible()
    no_english(page, "Please confirm", "email address for user")
    screenshot(page, "french-signup-03-confirm")
    page.get_by_role("button", name="Confirmer").click()
    in_french(page)

    sign_in_in_french(page, live_server, chloe.email)
    assert User.objects.get(pk=chloe.pk).language == "fr"
    expect(page.get_by_role("heading", name="Bienvenue, Chloé")).to_be_visible()
    expect(page.get_by_text("Veuillez compléter votre profil")).to_be_visible()
    no_english(page, "Welcome", "complete your profile", "My profile")
    screenshot(page, "french-signup-04-home-incomplete")
    page.get_by_role("link", name="Compléter mon profil").click()
    in_french(page)
    expect(page.get_by_role("heading", name="Mon profil")).to_be_visible()
    no_english(page, "Local association", "Job title", "Save profile")
    page.get_by_label("Association locale").select_option(label="Northport (North)")
    page.get_by_label("Poste").fill("Souscriptrice en assurance des entreprises")
    page.get_by_label("Employeur").fill("Mutuelle du Port")
    page.get_by_label("Années dans la profession").fill("2")
    page.get_by_label("Membre depuis").fill("2026-05-04")
    page.get_by_label("Courte biographie").fill("Deux ans en assurance des entreprises.")
    screenshot(page, "french-signup-05-profile")
    page.get_by_role("button", name="Enregistrer le profil").click()
    in_french(page)
    expect(page.get_by_text("Votre profil est enregistré.")).to_be_visible()
    expect(page.get_by_role("heading", name="Bienvenue, Chloé")).to_be_visible()
    expect(page.get_by_text("Northport · membre depuis mai 2026")).to_be_visible()
    no_english(page, "Welcome", "Your profile is saved", "member since", "Edit my profile")
    screenshot(page, "french-signup-06-home")
    profile = Profile.objects.get(user=chloe)
    assert profile.is_complete and profile.association.name == "Northport"
    assert User.objects.get(pk=chloe.pk).language == "fr"
    assert csp_violations == []
