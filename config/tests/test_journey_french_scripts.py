"""The scripts speak the reader's language (issue 26): in a real headless Chromium, a French
member's questionnaire says "Enregistrement…" while a draft is saved, and in French when it could
not be saved, from the catalogue base.html loads before the scripts (/jsi18n/fr/)."""

import pytest
from playwright.sync_api import expect

from conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.french, pytest.mark.django_db(transaction=True)]


def test_a_french_members_questionnaire_says_in_french_that_the_draft_is_saving(page, live_server, world):
    member, program = world["people"]["member"], world["program"]
    member.language = "fr"
    member.save(update_fields=["language"])
    sign_in(page, live_server, member.email)
    page.goto(f"{live_server.url}/programs/{program.pk}/apply/mentee/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")

    page.locator("#id_goals").fill("Trouver mes repères")
    expect(page.locator("#draft-status")).to_have_text("Enregistrement…")
    expect(page.locator("#draft-status")).not_to_have_text("Enregistrement…")

    # The server does not answer: the member is told, in French, how to be sure.
    page.route("**/autosave", lambda route: route.fulfill(status=503, body=""))
    page.locator("#id_goals").fill("Trouver mes repères et des collègues")
    expect(page.locator("#draft-status")).to_have_text(
        "Votre brouillon n’a pas pu être enregistré à l’instant. "
        "Utilisez « Enregistrer le brouillon et quitter » pour en être sûr."
    )
    screenshot(page, "questionnaire-draft-not-saved-fr")
