"""A mentor is recognised, end to end in a real headless Chromium: after a completed partnership
with logged meetings, he finds his mentoring history and the certificate on My mentoring, opens
the printable certificate and downloads the PDF (parsed back here); later he applies to the
region's leadership program as a mentor and its committee sees his history on his questionnaire."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from conftest import APPLICANT_ANSWERS, applicant, approved, give_two_factor, make_member, screenshot, sign_in
from mentoring.models import CommitteeMembership
from mentoring.services import create_program, start_application, submit_application
from partnerships import life
from partnerships.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mentor_downloads_a_certificate_and_a_committee_sees_his_history(page, browser, live_server, world):
    program, chair = world["program"], world["people"]["chair"]
    dana = applicant(program, "dana.reyes@example.org", "mentee", employer="Harbor Mutual")
    oliver = applicant(program, "oliver.grant@example.org", "mentor", years=22, employer="Keystone")
    p = approved(dana, oliver, by=chair)
    p.started_on -= timedelta(days=180)
    p.save(update_fields=["started_on"])
    for days_ago, minutes in ((170, 60), (140, 45), (100, 90), (60, 60), (20, 75)):
        Meeting.objects.create(
            partnership=p, met_on=timezone.localdate() - timedelta(days=days_ago), minutes=minutes, logged_by=dana.user
        )
    life.complete(partnership=p, by=None)

    # --- The mentor finds his history and the certificate on My mentoring.
    sign_in(page, live_server, "oliver.grant@example.org")
    page.goto(f"{live_server.url}/mentoring/")
    history = page.locator("section", has=page.get_by_role("heading", name="My mentoring history"))
    expect(history).to_contain_text("Northport new members")
    expect(history).to_contain_text("5½ hours")
    screenshot(page, "certificate-01-my-history")
    history.get_by_role("link", name="Certificate").click()

    # --- The printable certificate.
    expect(page.get_by_role("heading", name="Certificate of participation")).to_be_visible()
    certificate = page.locator("article.certificate")
    expect(certificate).to_contain_text("Oliver Grant")
    expect(certificate).to_contain_text("5 meetings logged, 5½ hours of mentoring")
    expect(page.get_by_role("button", name="Print this page")).to_be_visible()  # the script is allowed
    screenshot(page, "certificate-02-page")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Download the PDF")).to_be_hidden()  # the sheet holds the certificate only
    screenshot(page, "certificate-03-print")
    page.emulate_media(media="screen")

    # --- The PDF, downloaded and read back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF").click()
    download = download_info.value
    assert download.suggested_filename == "certificate-northport-new-members-oliver-grant.pdf"
    reader = PdfReader(io.BytesIO(open(download.path(), "rb").read()))  # noqa: SIM115 (read at once)
    assert len(reader.pages) == 1
    found = reader.pages[0].extract_text()
    for expected in ("Certificate of participation", "Oliver Grant", "as a mentor", "Northport new members"):
        assert expected in found
    assert "5 meetings logged, 5½ hours of mentoring" in found

    # --- He applies to the region's leadership program as a mentor; its chair reads his history.
    leaders = create_program(
        name="North leaders", kind="leadership", region=world["regions"]["north"], enrollment_open=True
    )
    lee = make_member("lee.chair@example.org", world["associations"]["easton"], first_name="Lee", last_name="Chair")
    CommitteeMembership.objects.create(
        program=leaders,
        user=lee,
        role="chair",
        pledge_accepted_at=timezone.now(),
        pledge_version=leaders.pledge_version,
    )
    give_two_factor(lee)
    application = submit_application(
        application=start_application(program=leaders, user=oliver.user, role="mentor"),
        answers={**APPLICANT_ANSWERS, "capacity": 1},
        extra_answers={},
    )
    committee_page = browser.new_page()
    try:
        sign_in(committee_page, live_server, "lee.chair@example.org")
        committee_page.goto(f"{live_server.url}/committee/{leaders.pk}/applications/{application.pk}/")
        card = committee_page.locator("section", has=committee_page.get_by_role("heading", name="Mentoring history"))
        expect(card).to_contain_text("Northport new members")
        expect(card).to_contain_text("5½ hours of mentoring logged")
        expect(card).to_contain_text("5 meetings, 5½ hours")
        expect(card).not_to_contain_text("Dana")  # dates and hours, not who the partners were
        screenshot(committee_page, "certificate-04-committee-history")
    finally:
        committee_page.close()
