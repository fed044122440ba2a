"""The access-control matrix: every URL of the project × every role → the expected answer.

URLs come from Django's resolver, not from a hand-kept list, so a new URL without a row here
fails `test_every_url_has_a_row`. A page that a role may not see answers 404, so that its
existence is not revealed either.

Expectations:
    200, 404, 405 ...   that status code
    LOGIN               a redirect to the sign-in page (anonymous visitors)
    AWAY                a redirect somewhere other than the sign-in page
    PLEDGE              a redirect to the pledge of the same program (a committee member who
                        has not accepted it yet; nothing of the page is shown)
"""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from config.tests.factories import ALL_URLS, is_admin, make_things, url_for
from conftest import ROLES
from feedback.models import SurveyQuestionVersion
from mentoring.models import Program, Question

LOGIN = "login"
AWAY = "away"
PLEDGE = "pledge"

ALL_SIGNED_IN = {role: 200 for role in ROLES if role != "anonymous"}


def everyone(status):
    return dict.fromkeys(ROLES, status)


def signed_in(status, anonymous=LOGIN):
    return {**dict.fromkeys(ROLES, status), "anonymous": anonymous}


def only(*roles, others=404):
    """200 for these roles, `others` for every other signed-in role, sign-in for visitors."""
    return {**signed_in(others), **dict.fromkeys(roles, 200)}


WITH_TWO_FACTOR = ("committee_member", "chair", "other_chair")
PROGRAM_PAGE = only("member", "committee_member", "unpledged_member", "chair", "officer", "staff")
COMMITTEE = only("committee_member", "unpledged_member", "chair")
CONFIDENTIAL = {**only("committee_member", "chair"), "unpledged_member": PLEDGE}  # to the pledge first


# The rows. Keys are URL names (namespace:name); kwargs for patterns with parameters are in
# SAMPLE_KWARGS. The admin has one rule for all its pages, below.
MATRIX = {
    "home": everyone(200),
    "set_language": everyone(405),  # POST only (accounts/tests/test_language.py)
    "healthz": everyone(200),
    "accessibility": everyone(200),  # the statement: also for people who cannot sign in
    "javascript_catalog": everyone(200),  # the scripts' words, on every page (sign-in included)
    # Development only (DEBUG, no EMAIL_URL, from this machine): tests run as production does.
    "dev_emails": everyone(404),
    "dev_email_attachment": everyone(404),
    "dev_email_html": everyone(404),
    "accounts:profile": signed_in(200),
    "accounts:my_data": signed_in(200),
    "accounts:erase": signed_in(200),
    "accounts:address_check": signed_in(405),  # POST only (accounts/tests/test_bounces.py)
    # The check email's link works signed in or not; a made-up token is 404 (test_bounces.py).
    "accounts:address_works": everyone(404),
    # allauth: entrance pages are for visitors; signed-in members are sent on.
    "account_login": {**signed_in(AWAY), "anonymous": 200},
    "account_signup": {**signed_in(AWAY), "anonymous": 200},
    "account_logout": {**signed_in(200), "anonymous": AWAY},
    "account_inactive": everyone(200),
    "account_email_verification_sent": everyone(200),
    "account_confirm_email": everyone(200),  # an unknown key: the kind "link expired" page
    "account_reset_password": everyone(200),
    "account_reset_password_done": everyone(200),
    "account_reset_password_from_key": everyone(200),  # a bad key: the kind "link expired" page
    "account_reset_password_from_key_done": everyone(200),
    "account_confirm_login_code": signed_in(AWAY),  # sign-in by code is off
    "account_reauthenticate": signed_in(200),
    "account_email": signed_in(200),
    "account_change_password": signed_in(200),
    "account_set_password": signed_in(AWAY),  # they have a password: sent to "change password"
    # Sign-in through the association's identity provider (identity/). Not turned on here: the
    # button's addresses do not exist (identity/tests cover them turned on, against a real one).
    "openid_connect_login": everyone(404),
    "openid_connect_callback": everyone(404),
    "socialaccount_login_cancelled": everyone(200),
    # allauth's "sign-in failed" page (401) is shown by the callback itself; opened on its own,
    # visitors are sent to sign in first.
    "socialaccount_login_error": signed_in(401),
    "socialaccount_signup": everyone(LOGIN),  # only while a sign-in through the provider is under way
    "socialaccount_connections": signed_in(200),  # the member's linked association login
    # allauth's old addresses for the same pages, sent on to the new ones (visitors: sign in first).
    "accounts/social/connections/": signed_in(AWAY),
    "accounts/social/login/cancelled/": signed_in(AWAY),
    "accounts/social/login/error/": signed_in(AWAY),
    "accounts/social/signup/": signed_in(AWAY),
    "identity:staff_sign_in": only("staff"),
    # The email provider's tracking webhook: not a page. With SMTP (the default, and here) it does
    # not exist; with a provider a GET answers 405 and a POST needs its credentials
    # (accounts/tests/test_bounces.py), whoever is signed in.
    "outbox:provider_events": everyone(404),
    "mfa_index": signed_in(200),
    "mfa_authenticate": signed_in(AWAY),  # only during a sign-in
    # Pledged committee members have an authenticator app (the world fixture); others don't.
    "mfa_reauthenticate": {**signed_in(AWAY), **dict.fromkeys(WITH_TWO_FACTOR, 200)},
    "mfa_activate_totp": signed_in(AWAY),  # asks to re-enter the password first
    "mfa_deactivate_totp": {**signed_in(404), **dict.fromkeys(WITH_TWO_FACTOR, AWAY)},  # re-enter the code first
    "mfa_view_recovery_codes": signed_in(404),
    "mfa_generate_recovery_codes": signed_in(AWAY),
    "mfa_download_recovery_codes": signed_in(404),
    # Programs and questionnaires (the Northport new-member program). A program's pages are
    # for members of its local association, its committee and staff; others get 404.
    "my_mentoring": signed_in(200),
    "program": PROGRAM_PAGE,
    "apply": PROGRAM_PAGE,  # staff and Easton's committee member see "you can't apply" (200)
    "resource_file": PROGRAM_PAGE,
    "autosave": signed_in(405),  # POST only
    "withdraw": signed_in(405),  # POST only; another member's application is 404 (test_questionnaire)
    # The orientation: members who applied see theirs (others of the area and staff are told it
    # opens once they apply); its files are for the members they are for and the committee.
    "orientation": PROGRAM_PAGE,
    "orientation_done": signed_in(405),  # POST only (test_orientation)
    "orientation_file": only("member", "committee_member", "unpledged_member", "chair"),
    # A new-member program: staff, the association's officers, or the chair hands over.
    "appoint_chair": only("chair", "officer", "staff"),
    # The next cycle: those who set the program up, its chair (the set-up pages) and staff (the admin).
    "next_cycle": only("chair", "staff"),
    # A local association's officers (Northport): appointed by staff and the region's VP.
    "association_officers": only("vp", "staff"),
    "officer_remove": signed_in(405),  # POST only (who may: test_officers)
    # The committee's pages: its committee only. Confidential ones need the pledge (and 2FA).
    "committee:home": signed_in(200),
    "committee:dashboard": COMMITTEE,
    "committee:pledge": COMMITTEE,
    "committee:members": COMMITTEE,
    "committee:setup": only("chair"),
    "committee:questions": only("chair"),
    "committee:question_edit": only("chair"),
    "committee:resources": only("chair"),
    "committee:orientation": only("chair"),
    "committee:orientation_edit": only("chair"),
    "committee:orientation_delete": signed_in(405),  # POST only (chair: test_orientation)
    "committee:orientation_move": signed_in(405),
    "committee:question_delete": signed_in(405),  # POST only (chair: test_committee)
    "committee:resource_delete": signed_in(405),
    "committee:member_remove": signed_in(405),
    "committee:applications": CONFIDENTIAL,
    "committee:application": CONFIDENTIAL,
    "committee:vetting": CONFIDENTIAL,
    "committee:recruit": only("chair"),  # announcing and inviting (POSTs: test_recruitment)
    # The personal link of an announcement or invitation (the member's own): signed in, on to the
    # questionnaire; visitors sign in first (test_recruitment tries altered ones: the kind 404).
    "invitation": {**signed_in(AWAY), "anonymous": LOGIN},
    # One-click unsubscribe: the link is the credential; a GET only asks (test_unsubscribe).
    "unsubscribe": everyone(200),
    # Records kept no longer than needed: the chair's program, staff for all; the keep-my-history
    # link is its member's credential, and a GET only asks (test_retention tries altered ones).
    "committee:expiry": only("chair"),
    "staff_expiry": only("staff"),
    "keep_history": everyone(200),
    # The matching queue shows questionnaire answers: confidential; decisions are the chair's.
    "committee:matching": CONFIDENTIAL,
    "committee:matching_progress": CONFIDENTIAL,
    "committee:proposal": CONFIDENTIAL,
    "committee:matching_manual": only("chair"),
    "committee:matching_weights": only("chair"),
    "committee:matching_run": signed_in(405),  # POST only (who may: test_queue)
    "committee:matching_decide": signed_in(405),
    "committee:notify_unmatched": signed_in(405),
    # The partnership page is its two partners' (here the member is the mentee; the mentor
    # is not one of the roles). Everything they post is POST only.
    "partnership": only("member"),
    "feedback:concern": only("member"),
    "goal_add": signed_in(405),
    "goal_progress": signed_in(405),
    "meeting_add": signed_in(405),
    "meeting_new": only("member"),
    "meeting_other_time": only("member"),
    "meeting_accept": signed_in(405),
    "meeting_cancel": signed_in(405),
    "meeting_log": signed_in(405),
    "recognition": signed_in(405),
    "agreement_confirm": signed_in(405),  # POST only; someone else's partnership: test_agreement
    "agreement_terms": signed_in(405),
    "milestone_done": signed_in(405),
    "milestone_undo": signed_in(405),
    "recognition_page": PROGRAM_PAGE,
    # Certificates: the partners of a completed partnership (the member was a mentee in one).
    "certificate": only("member"),
    "certificate_pdf": only("member"),
    # Leadership: the member is the mentee, so the mentor's form is not theirs (404); the mentee
    # answers a recommendation of her; the region's pipeline (names) is its VP's only.
    "recommend": signed_in(404),
    "recommendation": only("member"),
    "recommendation_withdraw": signed_in(405),  # POST only; the mentor's (test_leadership)
    "leadership_pipeline": only("vp"),
    "pipeline_invite": signed_in(405),  # POST only (who may: test_leadership)
    "accounts:roles": signed_in(200),
    "accounts:role_remove": signed_in(405),  # POST only; someone else's role is 404 (test_roles)
    # The emailed feedback link is its own credential: it opens for whoever holds it, signed in
    # or not (test_feedback_links tries wrong, used, expired and tampered ones).
    "feedback:answer": everyone(200),
    # The link is the credential: whoever has it sees this one proposal (the mentor's email).
    "mentor_answer": everyone(200),
    # The committee's partnership pages: confidential; the audit of reads is the chair's.
    "committee:partnerships": CONFIDENTIAL,
    "committee:partnership": CONFIDENTIAL,
    "committee:audit": only("chair"),
    "committee:act": signed_in(405),
    "committee:resolve_concern": signed_in(405),
    # The chair's surveys (feedback.survey_views): the chair only; the changes are POST only.
    "committee:surveys": only("chair"),
    "committee:survey_preview": only("chair"),
    "committee:survey_edit": only("chair"),
    "committee:survey_retire": signed_in(405),
    "committee:survey_move": signed_in(405),
    # Flash conversations (a program setting, on in the Northport program): its pages are the
    # program's (members of other areas, VPs: 404); someone offering or booking needs the rules
    # (flash/tests). The feedback link is its own credential, like feedback:answer; what both
    # sides said is the committee's (confidential).
    "flash:slots": PROGRAM_PAGE,
    "flash:book": PROGRAM_PAGE,
    "flash:withdraw": signed_in(405),  # POST only; someone else's slot is 404 (test_flash)
    "flash:feedback": everyone(200),
    "committee:flash": CONFIDENTIAL,
    # Mentoring circles (a program setting, on in the Northport program; the member is a mentee of
    # its circle, led by the vetted candidate). The program's list is a program page; a circle's
    # page is for its members and the committee, its meetings are organised by its mentors and the
    # committee (circles/tests); the feedback link is its own credential; what members said is
    # the committee's (confidential).
    "circles:program": PROGRAM_PAGE,
    "circles:circle": only("member", "committee_member", "unpledged_member", "chair"),
    "circles:join": signed_in(405),  # POST only
    "circles:leave": signed_in(405),  # POST only
    "circles:meeting": COMMITTEE,
    "circles:meeting_cancel": signed_in(405),  # POST only
    "circles:feedback": everyone(200),
    "committee:circles": COMMITTEE,
    "committee:circle": COMMITTEE,
    "committee:circle_add": signed_in(405),  # POST only; another program's circle is 404 (circles/tests)
    "committee:circle_remove": signed_in(405),
    "committee:circle_end": signed_in(405),
    "committee:circle_feedback": CONFIDENTIAL,
    # Members choose their mentor (a program setting, on in the Northport program): the page is the
    # program's (members of other areas, VPs: 404), and says to those without an accepted mentee
    # application why they can't choose. Asking is for a mentee who may ask that mentor now (the
    # member here has a mentor already: 404 like everyone's; matching/tests/test_choosing_views).
    "choose_mentor": PROGRAM_PAGE,
    "ask_mentor": signed_in(404),
    "withdraw_request": signed_in(405),  # POST only; someone else's request is 404 (test_choosing_views)
    # Reports: totals only. A VP sees their region's (sent there from /reports/), staff every
    # region; a chair the program's. Everyone else: 404.
    "member_import": only("staff"),
    # The member sync: its staff page; a key's revoke is POST only (staff get 405 for a GET, others 404).
    # The API is signed with a key, not a session: without one, everybody gets 405 for a GET (it
    # answers POST only) and 401 for a POST (sync/tests/test_api.py); its description is public.
    "sync:staff": only("staff"),
    "sync:revoke": {**only("staff"), "staff": 405},
    "sync:api_members": everyone(405),
    "sync:openapi": everyone(200),
    "reports": {**signed_in(404), "vp": AWAY, "other_vp": AWAY, "officer": AWAY, "staff": 200},
    "region_report": only("vp", "staff"),  # region North
    "association_report": only("officer", "vp", "staff"),  # Northport: its officers, its region's VP
    "committee:report": only("chair"),
    # Email branding (issue 28): staff everywhere, an association's officers, a region's VP (North).
    "branding_home": only("vp", "other_vp", "officer", "staff"),
    "association_branding": only("officer", "staff"),  # Northport: not its region's VP
    "association_branding_preview": only("officer", "staff"),
    "region_branding": only("vp", "staff"),
    "region_branding_preview": only("vp", "staff"),
    "brand_logo": everyone(200),  # the logo in emails: mail clients fetch it without signing in
}

# The Django admin is for association staff only. Visitors are sent to sign in; signed-in
# members who are not staff get 404 (the admin does not announce itself).
ADMIN_RULE = {**signed_in(404), "staff": 200}
ADMIN_EXCEPTIONS = {
    "admin:login": {"staff": AWAY},  # already signed in: on to the admin
    "admin:logout": {"staff": 405},  # POST only
    "admin:autocomplete": {"staff": 403},  # needs its query parameters
    "admin/(?P<url>.*)$": {"staff": 404},  # the admin's own "no such page"
    "admin:outbox_outgoingemail_add": {"staff": 403},  # the outbox is read-only
    "admin:outbox_outgoingemail_send_again": {"staff": 405},  # ... but a failed email: POST, "Send again"
    "admin:mentoring_partnership_add": {"staff": 403},  # partnerships come from approved matches
    "admin:mentoring_partnership_delete": {"staff": 403},  # ... and end through the committee, kept
    "admin:auditlog_logentry_add": {"staff": 403},  # the change log is written by the app only
    "admin:auditlog_logentry_delete": {"staff": 403},
    "admin:mentoring_sitesettings_delete": {"staff": 403},  # one row, kept
    "admin:retention_recordexpiry_add": {"staff": 403},  # written by the retention job only
    "admin:retention_recordexpiry_delete": {"staff": 403},
}


@pytest.fixture
def things(world, settings, tmp_path):
    """One of each object the URLs point at, in the Northport program."""
    settings.MEDIA_ROOT = tmp_path
    return make_things(world)


def expectations_for(name, route):
    if is_admin(name, route):
        return ADMIN_RULE | ADMIN_EXCEPTIONS.get(name, {})
    return MATRIX.get(name)


def test_every_url_has_a_row():
    missing = [name for name, route in ALL_URLS if expectations_for(name, route) is None]
    assert not missing, f"These URLs have no row in the access-control matrix: {missing}"


def test_every_row_covers_every_role():
    incomplete = {name: sorted(set(ROLES) - set(row)) for name, row in MATRIX.items() if set(row) != set(ROLES)}
    assert not incomplete, incomplete


def test_no_row_for_a_url_that_is_gone():
    names = {name for name, _ in ALL_URLS}
    assert not set(MATRIX) - names


def admin_url(name, route, world):
    """Build a real URL for an admin pattern, pointing at real objects."""
    if not name.startswith("admin:"):
        # Unnamed admin patterns (e.g. the redirect from <object_id>/ to its change page).
        path = re.sub(r"<path:object_id>", str(world["people"]["member"].pk), route)
        path = re.sub(r"\(\?P<url>\.\*\)\$", "nowhere/", path)
        return "/" + path
    kwargs = {}
    if "<path:content_type_id>" in route:
        profile = world["people"]["member"].profile  # a model with get_absolute_url
        kwargs["content_type_id"] = ContentType.objects.get_for_model(profile).pk
        kwargs["object_id"] = profile.pk
    elif "<path:object_id>" in route or "<id>" in route:
        # admin/<app_label>/<model>/<object_id>/...: point at the first real object of that model.
        app_label, model_name = route.split("/")[1:3]
        model = ContentType.objects.get(app_label=app_label, model=model_name).model_class()
        obj = model._default_manager.order_by("pk").first()
        kwargs["object_id" if "<path:object_id>" in route else "id"] = obj.pk if obj else 1
    if "app_label" in route:
        kwargs["app_label"] = "accounts"
    return reverse(name, kwargs=kwargs)


def answer(response):
    if response.status_code in (301, 302):
        # The admin sends visitors to its own login URL first, which forwards to allauth's.
        to_login = response.url.startswith((reverse("account_login"), reverse("admin:login")))
        if re.fullmatch(r"/committee/\d+/pledge/", response.url):
            return PLEDGE
        return LOGIN if to_login else AWAY
    return response.status_code


@pytest.mark.parametrize(("name", "route"), ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_access(client, world, things, name, route):
    expected = expectations_for(name, route)
    if expected is None:
        pytest.fail(f"{name} has no row in the matrix")
    if is_admin(name, route):
        url = admin_url(name, route, world)
    else:
        url = url_for(name, route, things)
    wrong = {}
    for role in ROLES:
        client.logout()
        if role != "anonymous":
            client.force_login(world["people"][role])
        got = answer(client.get(url))
        want = expected[role]
        # The admin sends staff on (302) from pages that only redirect, and for missing objects.
        if role == "staff" and want == 200 and is_admin(name, route) and got == AWAY:
            continue
        if got != want:
            wrong[role] = f"expected {want}, got {got}"
    assert not wrong, f"{url}: {wrong}"


# --- Stored input: whatever a person typed is shown escaped, on every page ----------------------

MARKUP = "<i zq>"  # what a hostile chair, member or committee member might type into any text field
SKIPPED_FIELDS = {"email", "key", "path", "pledge_version", "token", "password", "file"}


def _fill_every_text_field_with_markup():
    """Every free-text column of every row of the project's models (encrypted ones included), and
    the lists people type (topics, question choices), now hold markup."""
    from django.apps import apps
    from django.db import models

    for config in apps.get_app_configs():
        if config.name not in ("accounts", "mentoring", "matching", "feedback", "flash", "circles"):
            continue
        for model in config.get_models():
            fields = [
                f
                for f in model._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not f.choices
                and not isinstance(f, models.URLField | models.EmailField)
                and not f.unique
                and f.name not in SKIPPED_FIELDS
                and (f.max_length or 100) >= len(MARKUP) + 1
            ]
            for row in model._default_manager.all():
                for f in fields:
                    setattr(row, f.attname, MARKUP + "a")
                if fields:
                    row.save(update_fields=[f.name for f in fields])
    Program.objects.update(topics=[MARKUP + "topic"])
    Question.objects.update(choices=[MARKUP + "one", MARKUP + "two"])
    SurveyQuestionVersion.objects.update(choices=[MARKUP + "one", MARKUP + "two"])


def test_markup_typed_anywhere_is_shown_escaped_on_every_page(client, world, things):
    _fill_every_text_field_with_markup()
    raw = {}
    for name, route in ALL_URLS:
        if is_admin(name, route) or name.startswith(("account_", "mfa_")) or name in ("healthz",):
            continue
        url = url_for(name, route, things)
        for role in ("member", "chair", "committee_member", "vp", "officer", "staff"):
            client.force_login(world["people"][role])
            response = client.get(url)
            if not response.get("Content-Type", "").startswith("text/html"):
                continue  # JSON, CSV and files are not read as HTML
            body = response.content.decode(errors="replace")
            if MARKUP in body:
                raw[(role, name)] = body[max(0, body.index(MARKUP) - 80) : body.index(MARKUP) + 20]
    assert raw == {}
