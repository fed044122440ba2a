"""Recruiting in a real headless Chromium: the chair previews and sends the enrollment
announcement and invites a member by name; an eligible member follows the link in the email,
signs in, lands on the questionnaire and applies, and the chair sees it in the figures. Another
member unsubscribes from announcements with the one button of the email's link."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import Profile
from conftest import PASSWORD, make_member, screenshot, sign_in
from mentoring.models import Application
from outbox.emails import send_pending_emails
from recruitment.models import Invitation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/invitations/[^/\s]+/)")
UNSUBSCRIBE = re.compile(r"https?://[^/\s]+(/unsubscribe/[^/\s]+/)")


def email_to(mailoutbox, address, subject_part):
    (message,) = [m for m in mailoutbox if m.to == [address] and subject_part in m.subject]
    return message


def open_recruit_page(page, live_server, world):
    sign_in(page, live_server, world["people"]["chair"].email)
    page.goto(f"{live_server.url}/committee/{world['program'].pk}/")
    page.get_by_role("link", name="Recruit members").click()
    expect(page.get_by_role("heading", name="Recruit members")).to_be_visible()


def test_a_chair_announces_enrollment_and_an_eligible_member_applies_from_the_email_link(
    page, live_server, world, mailoutbox, csp_violations
):
    northport = world["associations"]["northport"]
    newcomer = make_member("nadia.new@example.org", northport, first_name="Nadia", last_name="Newcomer", years=1)
    make_member("omar.old@example.org", northport, first_name="Omar", last_name="Oldhand", years=20)

    # The chair: the preview with its count, then send.
    open_recruit_page(page, live_server, world)
    announce = page.get_by_role("region", name="Announce enrollment")
    expect(announce).to_contain_text("The announcement goes to 4 members")
    expect(announce).to_contain_text("Subject: Northport new members is open for applications")
    screenshot(page, "recruit-01-preview")
    announce.get_by_role("button", name="Send the announcement to 4 members").click()
    expect(page.get_by_text("The announcement is on its way to 4 members.")).to_be_visible()
    expect(announce).to_contain_text("This enrollment period was announced on")

    # ... and invites Omar by name, to mentor.
    invite = page.get_by_role("region", name="Invite members by name")
    invite.get_by_label("Find members by name or email").fill("omar")
    invite.get_by_role("button", name="Search").click()
    invite.get_by_label(re.compile("^Omar Oldhand")).check()
    invite.get_by_label("Mentors").check()
    invite.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("Invited: Omar Oldhand.")).to_be_visible()
    screenshot(page, "recruit-02-sent-and-invited")

    # The mailer job runs; Nadia reads her announcement.
    assert send_pending_emails() == 5  # the announcement to four members, the invitation to Omar
    message = email_to(mailoutbox, newcomer.email, "is open for applications")
    mentee_link = LINK.findall(message.body)[0]
    assert message.message()["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    chair_page = page
    page = page.context.browser.new_context().new_page()  # another person, on another computer
    page.goto(live_server.url + mentee_link)
    page.get_by_label("Email").fill(newcomer.email)
    page.get_by_label("Password*", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    # Straight to the questionnaire, as a mentee.
    expect(page.get_by_label("Your goals*")).to_be_visible()
    assert re.search(rf"/programs/{world['program'].pk}/apply/mentee/$", page.url)
    page.get_by_label("Your goals*").fill("Find my feet and meet people in the trade")
    page.get_by_label("Claims", exact=True).first.check()
    page.get_by_label("Where you are in your career*").select_option("early")
    page.get_by_label("Years of experience in the profession*").fill("1")
    page.get_by_label("Video call").check()
    page.get_by_label("Weekday evenings").check()
    page.get_by_label("Time you can give*").select_option("2")
    page.get_by_label("How often you would like to meet*").select_option("monthly")
    page.get_by_label("Introduce yourself*").fill("New to Northport after five years in retail.")
    screenshot(page, "recruit-03-questionnaire-from-the-email")
    page.get_by_role("button", name="Send my application").click()
    expect(page.get_by_text("your application is sent")).to_be_visible()
    assert Application.objects.get(user=newcomer).status == "in_pool"
    assert Invitation.objects.get(user=newcomer).opened_at is not None

    page.context.close()

    # The chair sees one opened and one applied.
    page = chair_page
    page.reload()
    figures = page.get_by_role("region", name="Who answered (table)")
    expect(figures.get_by_role("row", name=re.compile("^Reached"))).to_have_text(re.compile(r"Reached\s*4\s*1"))
    expect(figures.get_by_role("row", name=re.compile("^Opened"))).to_have_text(re.compile(r"Opened\s*1\s*0"))
    expect(figures.get_by_role("row", name=re.compile("^Applied"))).to_have_text(re.compile(r"Applied\s*1\s*0"))
    screenshot(page, "recruit-04-figures")
    assert csp_violations == []


def test_a_member_unsubscribes_with_one_click(page, live_server, world, mailoutbox, csp_violations):
    from recruitment import services as recruitment

    member = world["people"]["member"]
    recruitment.announce_enrollment(program=world["program"], by=world["people"]["chair"])
    send_pending_emails()
    message = email_to(mailoutbox, member.email, "is open for applications")
    (link,) = UNSUBSCRIBE.findall(message.body)
    assert message.message()["List-Unsubscribe"] == f"<{UNSUBSCRIBE.search(message.body).group(0)}>"

    page.goto(live_server.url + link)  # not signed in
    expect(page.get_by_role("heading", name="Unsubscribe")).to_be_visible()
    expect(page.get_by_text("Stop emails announcing that a program is open for applications")).to_be_visible()
    screenshot(page, "unsubscribe-01-ask")
    assert Profile.objects.get(user=member).email_announcements is True  # opening it changed nothing

    page.get_by_role("button", name="Unsubscribe").click()
    expect(page.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
    screenshot(page, "unsubscribe-02-done")
    profile = Profile.objects.get(user=member)
    assert (profile.email_announcements, profile.email_invitations) == (False, True)

    page.goto(live_server.url + link)  # the link again, later
    expect(page.get_by_role("heading", name="You are already unsubscribed")).to_be_visible()
    assert csp_violations == []
