"""What axe cannot decide, measured in a real browser: the contrast of form controls' edges
(WCAG 1.4.11), the skip link skipping side menus (2.4.1), target size (2.5.8), focus not
obscured by the sticky save bar (2.4.11) and sign-in that lets people paste and use password
managers, two-factor codes included (3.3.8). Statement: /accessibility/."""

import pytest
from playwright.sync_api import expect

from conftest import PASSWORD, PHONE, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The edge of every enabled field, select, checkbox and radio against what is behind it.
CONTROL_CONTRAST = """() => {
  const rgba = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = c => (c /= 255) <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  const behind = e => {
    for (let n = e.parentElement; n; n = n.parentElement) {
      const c = rgba(getComputedStyle(n).backgroundColor);
      if (c.length < 4 || c[3] > 0) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const controls = 'input:not([type=hidden]):not([type=submit]):not(.btn-check):not(:disabled),'
    + 'select:not(:disabled), textarea:not(:disabled)';
  return [...document.querySelectorAll(controls)]
    .filter(e => e.getClientRects().length)
    .map(e => [e.type + '#' + (e.id || e.name),
               Math.round(ratio(rgba(getComputedStyle(e).borderTopColor), behind(e)) * 100) / 100]);
}"""

# WCAG 2.5.8: a target smaller than 24x24 px passes only if a 24 px circle on its centre touches
# no other target (nor another small target's circle), or if it is a link inside a sentence.
SMALL_TARGETS = """() => {
  const hidden = e => e.closest('.visually-hidden, .visually-hidden-focusable:not(:focus-within)');
  const interactive = 'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button],'
    + '[tabindex]:not([tabindex="-1"])';
  const targets = [...document.querySelectorAll(interactive)]
    .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0 && !hidden(e)
                   && getComputedStyle(e).visibility !== 'hidden'; });
  const inSentence = e => getComputedStyle(e).display === 'inline'
    && [...e.parentElement.childNodes].some(n => n !== e && n.textContent.trim());
  const rects = targets.map(e => e.getBoundingClientRect());
  const small = targets.map((e, i) => (rects[i].width < 24 || rects[i].height < 24) && !inSentence(e));
  const centre = r => [r.left + r.width / 2, r.top + r.height / 2];
  const toRect = ([x, y], r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
  return targets.flatMap((e, i) => {
    if (!small[i]) return [];
    const c = centre(rects[i]);
    const apart = j => Math.hypot(c[0] - centre(rects[j])[0], c[1] - centre(rects[j])[1]);
    const near = targets.find((o, j) => j !== i && !o.contains(e) && !e.contains(o)
      && (toRect(c, rects[j]) < 12 || (small[j] && apart(j) < 24)));
    const name = n => `${n.tagName}#${n.id} "${n.textContent.trim().slice(0, 30)}"`;
    const size = `${Math.round(rects[i].width)}x${Math.round(rects[i].height)}`;
    return near ? [`${name(e)} ${size} near ${name(near)}`] : [];
  });
}"""

# WCAG 2.4.11: the focused element is not hidden by anything (the sticky save bar): what is drawn
# at its centre is the element itself (or its label).
FOCUS_HIDDEN = """() => {
  const e = document.activeElement;
  const r = e.getBoundingClientRect();
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (hit && (hit === e || e.contains(hit) || (hit.tagName === 'LABEL' && hit.control === e))) return null;
  return `${e.tagName}#${e.id || e.name} under ${hit ? hit.tagName + '.' + hit.className : 'nothing (off screen)'}`;
}"""


def test_form_controls_edges_have_3_to_1_contrast(page, live_server, world):
    page.goto(live_server.url + "/accounts/login/")
    pages = {"/accounts/login/": page.evaluate(CONTROL_CONTRAST)}
    sign_in(page, live_server, world["people"]["chair"].email)
    program = world["program"]
    for path in ["/profile/", f"/programs/{program.pk}/apply/mentor/", f"/committee/{program.pk}/matching/"]:
        page.goto(live_server.url + path)
        pages[path] = page.evaluate(CONTROL_CONTRAST)
    kinds = {control.split("#")[0] for found in pages.values() for control, _ in found}
    assert {"email", "password", "text", "select-one", "textarea", "checkbox", "radio"} <= kinds
    assert {path: [c for c in found if c[1] < 3] for path, found in pages.items()} == dict.fromkeys(pages, [])


def test_one_tab_after_the_skip_link_is_in_the_page_not_the_side_menu(page, live_server, world):
    program = world["program"]
    sign_in(page, live_server, world["people"]["chair"].email)
    for path in [f"/committee/{program.pk}/", f"/committee/{program.pk}/members/", "/accounts/email/"]:
        page.goto(live_server.url + path)
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        first = "document.querySelector('main').querySelector('a[href], button, input:not([type=hidden]), select')"
        assert page.evaluate(f"document.activeElement === {first}"), path
    # The menus are landmarks of their own, named, outside <main>.
    page.goto(f"{live_server.url}/committee/{program.pk}/")
    expect(page.get_by_role("navigation", name="Committee")).to_be_visible()
    assert page.evaluate("document.querySelector('main nav[aria-label=Committee]')") is None
    screenshot(page, "a11y-committee-menu-outside-main")


def test_targets_are_24_px_or_spaced_apart(page, live_server, world):
    program = world["program"]
    sign_in(page, live_server, world["people"]["chair"].email)
    paths = ["/", "/mentoring/", "/profile/", "/accounts/email/", f"/programs/{program.pk}/apply/mentor/"]
    paths += [f"/committee/{program.pk}/{p}" for p in ["", "setup/?section=essentials", "questions/", "surveys/"]]
    paths += [f"/committee/{program.pk}/{p}" for p in ["members/", "applications/", "matching/", "partnerships/"]]
    found = {}
    for width in [1280, PHONE["width"]]:
        for path in paths:
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(live_server.url + path)
            # The whole page in view: a sticky bar sits where it ends and covers nothing.
            page.set_viewport_size({"width": width, "height": page.evaluate("document.body.scrollHeight")})
            if small := page.evaluate(SMALL_TARGETS):
                found[(width, path)] = small
    assert found == {}


def test_the_sticky_save_bar_never_hides_the_focused_field(page, live_server, world):
    path = f"/programs/{world['program'].pk}/apply/mentee/"
    sign_in(page, live_server, world["people"]["member"].email)
    page.emulate_media(reduced_motion="reduce")  # Bootstrap scrolls smoothly: look where the scroll ends
    for size in [{"width": 1280, "height": 600}, {"width": 390, "height": 640}]:
        page.set_viewport_size(size)
        page.goto(live_server.url + path)
        # Redundant entry (3.3.7): what the profile says is not asked again.
        expect(page.get_by_label("Years of experience in the profession*")).to_have_value("5")
        page.locator("#questionnaire").get_by_role("textbox").first.focus()
        hidden, stops = [], 0
        while page.evaluate("document.activeElement.closest('#questionnaire') !== null"):
            stops += 1
            if problem := page.evaluate(FOCUS_HIDDEN):
                hidden.append(problem)
            page.keyboard.press("Tab")
        assert stops > 10
        assert hidden == [], size


def test_sign_in_and_two_factor_codes_can_be_pasted_and_filled_by_a_password_manager(page, live_server, world):
    pasting = """id => { const e = document.getElementById(id);
      return e.dispatchEvent(new ClipboardEvent('paste', {bubbles: true, cancelable: true})); }"""
    page.goto(live_server.url + "/accounts/login/")
    assert page.get_attribute("#id_login", "autocomplete") == "email"
    assert page.get_attribute("#id_password", "autocomplete") == "current-password"
    assert page.evaluate(pasting, "id_login") and page.evaluate(pasting, "id_password")  # nothing blocks it
    page.get_by_label("Email").fill(world["people"]["chair"].email)
    page.get_by_label("Password*", exact=True).fill("wrong")
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_text("password you specified are not correct")).to_be_visible()
    # No puzzle, no "type the characters you see": the two fields are the whole test.
    assert page.locator("form input:not([type=hidden])").count() == 3  # email, password, remember me

    page.get_by_label("Password*", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/2fa/authenticate/**")
    code = page.get_by_label("Code*")
    assert code.get_attribute("autocomplete") == "one-time-code"
    assert page.evaluate(pasting, code.get_attribute("id"))
    screenshot(page, "a11y-two-factor-code")


def test_the_statement_is_linked_from_every_footer_and_open_without_signing_in(page, live_server):
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_role("contentinfo").get_by_role("link", name="Accessibility").click()
    expect(page.get_by_role("heading", name="Accessibility of", exact=False)).to_be_visible()
    for section in ["What is checked", "What does not conform yet", "Tell us about a problem"]:
        expect(page.get_by_role("heading", name=section)).to_be_visible()
    expect(page.get_by_text("Last reviewed on")).to_be_visible()
    screenshot(page, "a11y-statement")
