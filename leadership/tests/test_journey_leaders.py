"""Growing leaders in a real headless Chromium: a mentor recommends her mentee from their
partnership page (the form says who reads it); the mentee reads the email, agrees; the region's
vice president sees her in the pipeline and invites her to the leadership program; the mentee's
link opens the leadership questionnaire and she applies; the pipeline shows "Applied"."""

import re

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, applicant, approved, screenshot, sign_in
from leadership.models import LeadershipRecommendation
from mentoring.models import Application
from mentoring.services import create_program
from outbox.emails import send_pending_emails
from recruitment.models import Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECOMMENDATION = re.compile(r"https?://[^/\s]+(/recommendations/\d+/)")
INVITATION = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")
PIPELINE = re.compile(r"https?://[^/\s]+(/regions/\d+/pipeline/)")


def email_to(mailoutbox, address, subject_part):
    (message,) = [m for m in mailoutbox if m.to == [address] and subject_part in m.subject]
    return message


def as_someone_else(page, live_server, link, email):
    """Another person on another computer follows a link from their email and signs in."""
    other = page.context.browser.new_context().new_page()
    other.goto(live_server.url + link)
    other.get_by_label("Email").fill(email)
    other.get_by_label("Password*", exact=True).fill(PASSWORD)
    other.get_by_role("button", name="Sign In").click()
    other.wait_for_url(lambda url: "/accounts/login/" not in url)
    return other


def test_a_mentor_recommends_the_mentee_consents_the_vp_invites_and_she_applies(
    page, live_server, world, mailoutbox, csp_violations
):
    north, vp = world["regions"]["north"], world["people"]["vp"]
    leaders = create_program(
        name="North leaders",
        kind="leadership",
        region=north,
        enrollment_open=True,
        summary="A year beside an experienced leader from another local association.",
    )
    mentee = applicant(world["program"], "priya.patel@example.org", "mentee", employer="Harbor Mutual")
    mentor = applicant(world["program"], "grace.hopper@example.org", "mentor", years=22, employer="Keystone")
    partnership = approved(mentee, mentor, by=world["people"]["chair"])
    priya = partnership.mentee

    # The mentor, on the partnership page.
    sign_in(page, live_server, partnership.mentor.email)
    page.goto(f"{live_server.url}/partnerships/{partnership.pk}/")
    page.get_by_role("link", name="Recommend Priya for leadership").click()
    expect(page.get_by_role("heading", name="Who reads this")).to_be_visible()
    expect(page.get_by_text("Priya Patel is asked first")).to_be_visible()
    expect(page.get_by_text("region's vice president (Vera President) reads it")).to_be_visible()
    page.get_by_label("Why you recommend them (optional)").fill(
        "Priya ran our claims workshop and the room followed her. She is ready to lead."
    )
    screenshot(page, "leaders-01-recommend")
    page.get_by_role("button", name="Recommend Priya").click()
    expect(page.get_by_text("Priya is asked first")).to_be_visible()
    assert LeadershipRecommendation.objects.get().status == "asked"

    # The mentee reads her email and agrees; nobody else has heard of it yet.
    send_pending_emails()
    assert not [m for m in mailoutbox if m.to == [vp.email]]
    asked = email_to(mailoutbox, priya.email, "would like to recommend you for a leadership role")
    mentee_page = as_someone_else(page, live_server, RECOMMENDATION.search(asked.body).group(1), priya.email)
    expect(mentee_page.get_by_role("heading", name="Grace Hopper recommends you for leadership")).to_be_visible()
    expect(mentee_page.get_by_text("the room followed her")).to_be_visible()
    screenshot(mentee_page, "leaders-02-mentee-asked")
    mentee_page.get_by_role("button", name="Yes, pass it on").click()
    expect(mentee_page.get_by_text("The region's vice president can now read it")).to_be_visible()

    # The VP's email leads to the pipeline; she invites Priya.
    send_pending_emails()
    told = email_to(mailoutbox, vp.email, "is recommended for leadership")
    page.context.clear_cookies()
    vp_page = as_someone_else(page, live_server, PIPELINE.search(told.body).group(1), vp.email)
    expect(vp_page.get_by_role("heading", name="Leadership pipeline: North region")).to_be_visible()
    row = vp_page.get_by_role("row", name=re.compile("Priya Patel"))
    expect(row).to_contain_text("Recommended (and agreed)")
    screenshot(vp_page, "leaders-03-pipeline")
    vp_page.get_by_label("Priya Patel").check()
    vp_page.get_by_label("To the leadership program").select_option(label="North leaders")
    vp_page.get_by_role("button", name="Invite the members ticked").click()
    expect(vp_page.get_by_text("Invited: Priya Patel.")).to_be_visible()
    expect(vp_page.get_by_role("row", name=re.compile("Priya Patel"))).to_contain_text("Invited")

    # Priya's invitation opens the leadership questionnaire; she applies.
    send_pending_emails()
    invited = email_to(mailoutbox, priya.email, "invites you to be a mentee in North leaders")
    assert "your regional vice president" in invited.body
    mentee_page.goto(live_server.url + INVITATION.search(invited.body).group(1))
    assert re.search(rf"/programs/{leaders.pk}/apply/mentee/$", mentee_page.url)
    mentee_page.get_by_label("Your goals*").fill("Lead the Northport board within two years")
    mentee_page.get_by_label("Claims", exact=True).first.check()
    mentee_page.get_by_label("Where you are in your career*").select_option("early")
    mentee_page.get_by_label("Years of experience in the profession*").fill("6")
    mentee_page.get_by_label("Video call").check()
    mentee_page.get_by_label("Weekday evenings").check()
    mentee_page.get_by_label("Time you can give*").select_option("2")
    mentee_page.get_by_label("How often you would like to meet*").select_option("monthly")
    mentee_page.get_by_label("Introduce yourself*").fill("Six years in claims; I chair our workshop.")
    screenshot(mentee_page, "leaders-04-leadership-questionnaire")
    mentee_page.get_by_role("button", name="Send my application").click()
    expect(mentee_page.get_by_text("your application is sent")).to_be_visible()
    assert Application.objects.get(program=leaders, user=priya).status == "in_pool"
    assert Invitation.objects.get(program=leaders, user=priya).opened_at is not None

    # The pipeline follows her.
    vp_page.reload()
    expect(vp_page.get_by_role("row", name=re.compile("Priya Patel"))).to_contain_text("Applied")
    screenshot(vp_page, "leaders-05-pipeline-applied")
    assert csp_violations == []
