"""The VP's region dashboard in a real headless Chromium: change the period, see the charts,
export a table as CSV, and print."""

import csv
import io

import pytest
from playwright.sync_api import expect

from conftest import axe_violations, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_vp_reads_the_region_dashboard(page, live_server, csp_violations, demo):
    demo.seed(members=120)
    sign_in(page, live_server, "vp.great-lakes@example.org", password=demo.PASSWORD)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Great Lakes region")).to_be_visible()
    expect(page.get_by_text("Figures as of")).to_contain_text("brought up to date every ten minutes")
    # Charts are drawn (canvas with pixels) and each has its table.
    for chart in ("chart-trend", "chart-funnel", "chart-satisfaction"):
        expect(page.locator(f"#{chart}")).to_be_visible()
        # Drawn once the chart library has loaded (the page may show before it has).
        page.wait_for_function(
            f"() => window.Chart !== undefined && Chart.getChart(document.getElementById('{chart}')) !== undefined"
        )
    expect(page.get_by_role("heading", name="Leadership pipeline")).to_be_visible()
    assert axe_violations(page) == []
    screenshot(page, "reports-01-region")

    # A shorter period: the page says so, and the monthly table has those months only.
    page.get_by_label("From", exact=True).fill("2026-09-01")
    page.get_by_label("To", exact=True).fill("2026-10-31")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("September 1, 2026 to October 31, 2026")).to_be_visible()
    months = page.get_by_role("region", name="Month by month table, scrolls sideways").locator("tbody tr")
    expect(months).to_have_count(2)

    # A wrong period: a plain message, the last twelve months instead.
    page.get_by_label("From", exact=True).fill("2026-10-31")
    page.get_by_label("To", exact=True).fill("2026-09-01")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("The end of the period is before its start.")).to_be_visible()

    # CSV of the programs table.
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of the programs table").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text())))
    assert rows[0][:3] == ["Program", "Mentees applied", "Mentors applied"]
    assert {row[0] for row in rows[1:]} == {"Great Lakes leadership mentoring", "Lakeshore new-member mentoring"}

    # On a phone: the page fits the screen; each wide table scrolls in its own box, its first
    # column pinned.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    programs = page.get_by_role("region", name="Programs table, scrolls sideways")
    programs.evaluate("box => box.scrollLeft = box.scrollWidth")
    first = programs.get_by_role("rowheader").first
    box, cell = programs.bounding_box(), first.bounding_box()
    assert abs(cell["x"] - box["x"]) < 2  # still at the left edge after scrolling
    assert axe_violations(page) == []
    screenshot(page, "reports-03-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    # On paper: no menus or buttons, the period printed.
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    screenshot(page, "reports-02-print")
    assert csp_violations == []
