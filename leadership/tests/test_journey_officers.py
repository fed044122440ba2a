"""A local association's officers, in a real headless Chromium: the region's VP makes a member
president of Northport; the president signs in, finds the association on the home page, appoints
the chair of its new-member program, then reads the association's report (also on a phone)."""

import re

import pytest
from playwright.sync_api import expect

from conftest import partnership_for, screenshot, sign_in
from mentoring.models import AssociationOfficer, CommitteeMembership
from outbox.models import OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_vp_appoints_a_president_who_appoints_the_chair_and_reads_the_report(page, live_server, world):
    program, people = world["program"], world["people"]
    AssociationOfficer.objects.all().delete()  # Northport has no officer yet
    partnership_for(program, people["chair"])  # something for the report to count

    # The VP: from the home page to Northport's officers.
    sign_in(page, live_server, people["vp"].email)
    screenshot(page, "officers-00-vp-home")
    page.get_by_role("link", name="officers of Northport").click()
    expect(page.get_by_role("heading", name="Officers of Northport")).to_be_visible()
    expect(page.get_by_text("Northport has no officer yet.")).to_be_visible()
    page.get_by_label("The member").select_option(label="Mia Member (Northport, Account manager)")
    page.get_by_label("President").check()
    screenshot(page, "officers-01-vp-chooses")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Make Mia Member president of Northport?")).to_be_visible()
    screenshot(page, "officers-02-vp-confirms")
    page.get_by_role("button", name="Yes, make Mia Member president").click()
    expect(page.get_by_text("Mia Member is now president of Northport. We emailed them.")).to_be_visible()
    screenshot(page, "officers-03-appointed")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "officers-03-appointed-phone")
    page.set_viewport_size({"width": 1280, "height": 720})
    assert AssociationOfficer.objects.get(association=program.association).user == people["member"]
    assert OutgoingEmail.objects.filter(to=people["member"].email, key__startswith="officer-appointed:").count() == 1

    # The president: their association on the home page.
    page.context.clear_cookies()
    sign_in(page, live_server, people["member"].email)
    card = page.get_by_role("region", name="Northport")
    expect(card).to_contain_text("President")
    chairs = page.get_by_role("region", name="Program chairs you appoint")
    expect(chairs).to_contain_text("Northport new members")
    screenshot(page, "officers-04-president-home")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "officers-04-president-home-phone")
    page.set_viewport_size({"width": 1280, "height": 720})

    # ...appoints the new-member program's chair...
    chairs.get_by_role("link", name=re.compile("Appoint a chair")).click()
    page.get_by_label("The new chair").select_option(label="Cora Committee (Northport, Account manager)")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Yes, appoint Cora Committee").click()
    expect(page.get_by_text("Cora Committee now chairs Northport new members. We emailed them.")).to_be_visible()
    assert CommitteeMembership.objects.get(program=program, role="chair").user == people["committee_member"]

    # ...and reads the association's report: totals only.
    page.get_by_role("link", name="Read Northport's report").click()
    expect(page.get_by_role("heading", name="Northport", exact=True)).to_be_visible()
    expect(page.get_by_role("region", name="Programs", exact=True)).to_contain_text("Northport new members")
    body = page.content()
    assert "mentee.a@example.org" not in body and "Mentee Firm" not in body
    screenshot(page, "officers-05-report")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()  # the charts take the phone's width as the page is drawn
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "officers-05-report-phone")
