"""The pages that stitch the apps together: the home page, the health check, the accessibility
statement, the translations the scripts read, and (in development) the emails the site sent."""

import email
import email.policy
import re
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from datetime import date
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Q, Subquery
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.csp import CSP
from django.utils.http import content_disposition_header
from django.views.decorators.cache import cache_page, never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_GET
from django.views.i18n import JavaScriptCatalog

from accounts.language import CODES as LANGUAGES
from accounts.models import Profile
from accounts.services import create_profile
from feedback.services import waiting_for as feedback_waiting_for
from matching.services import asks_for_mentor
from mentoring import compiled
from mentoring.models import Application, CommitteeMembership, LocalAssociation, Program
from mentoring.roles import roles_of
from outbox import devmail
from outbox.models import Suppression
from partnerships import meetings

from .celery import app as celery_app


class _Catalog(JavaScriptCatalog):
    """The djangojs catalogue of the language in the URL (not the reader's): each language has an
    address of its own, so that a browser or the server's cache never hands one language's
    words to a reader of the other."""

    domain = "djangojs"

    def get(self, request, *args, language, **kwargs):
        if language not in LANGUAGES:
            raise Http404
        with translation.override(language):
            return super().get(request, *args, **kwargs)


# Before the scripts of every page (base.html): gettext() and interpolate() for static/js. Public
# (the sign-in page has scripts too); no query; kept an hour in the cache and in the browser.
javascript_catalog = login_not_required(require_GET(cache_page(60 * 60)(_Catalog.as_view())))


@login_not_required
def home(request):
    if not request.user.is_authenticated:
        return render(request, "mentoring/landing.html")
    profile = _profile_with_bounce(request.user)
    applications = compiled.objects("home-applications", _applications_of, user_id=request.user.pk)
    roles = roles_of(request)
    if request.user.is_staff:
        appointable = Program.objects.all()
    elif roles.vp_regions or roles.offices:
        # The region's VP appoints its leadership programs' chairs; an association's officers
        # its new-member programs' chairs.
        appointable = Program.objects.filter(
            Q(kind=Program.Kind.LEADERSHIP, region_id__in=[region.pk for region in roles.vp_regions])
            | Q(kind=Program.Kind.NEW_MEMBER, association_id__in=[office.association_id for office in roles.offices])
        )
    else:
        appointable = Program.objects.none()  # and no query for it or its chairs
    chairs = {
        seat.program_id: seat.user
        for seat in CommitteeMembership.objects.filter(
            program__in=appointable, role=CommitteeMembership.Role.CHAIR
        ).select_related("user")
    }
    context = {
        "mentor_asks": asks_for_mentor(request.user),
        "feedback_waiting": feedback_waiting_for(request.user),
        "partnership_waiting": meetings.waiting_for(request.user, zone=profile.zone),
        "profile": profile,
        "applications": applications,
        "appointable": [
            (program, chairs.get(program.pk)) for program in appointable.select_related("region", "association")
        ],
        # For a VP: their region's local associations, to appoint officers (read only if shown).
        "region_associations": LocalAssociation.objects.filter(region__vice_president=request.user).select_related(
            "region"
        ),
    }
    return render(request, "mentoring/dashboard.html", context)


def _profile_with_bounce(user):
    """The member's profile, with `bounced_at` and `bounce` (the reason) when the email provider
    reported that their address bounced (nothing reaches them until they fix it): read in the
    profile's own query, so the home page costs no query more (compiled once per process)."""
    found = compiled.objects("home-profile", _profile_of, user_id=user.pk)
    return found[0] if found else create_profile(user=user)


def _profile_of(user_id):
    found = Suppression.objects.of_address("user__email")
    return (
        Profile.objects.select_related("association")
        .annotate(bounced_at=Subquery(found.values("occurred_at")[:1]), bounce=Subquery(found.values("reason")[:1]))
        .filter(user=user_id)
        .order_by("pk")[:1]
    )


def _applications_of(user_id):
    return Application.objects.filter(user=user_id).select_related("program")


# Change it with the statement, when the checks it describes are run again by a person.
ACCESSIBILITY_REVIEWED = date(2026, 12, 2)


@login_not_required
@require_GET
def accessibility(request):
    """The accessibility statement: public, since it is also for people who cannot sign in."""
    context = {"contact": parseaddr(settings.DEFAULT_FROM_EMAIL)[1], "reviewed": ACCESSIBILITY_REVIEWED}
    return render(request, "accessibility.html", context)


CHECK_SECONDS = 1.0  # each dependency gets this long, all at once: a probe is answered within ~1 s
MOST_HUNG_CHECKS = 4  # per dependency: past this many still hanging, it is "down" without a new try


def _database_ok():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False
    finally:
        connection.close()  # this thread's own connection


def _broker_ok():
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=CHECK_SECONDS)
        return True
    except Exception:
        return False


class _Check:
    """One dependency's check, run in a thread of its own on every probe: it never waits behind
    another dependency's check (no shared pool a hanging Redis could fill). A check that hangs is
    left to finish in the background; while MOST_HUNG_CHECKS of it still hang, the dependency is
    reported down at once, so hanging threads cannot pile up."""

    def __init__(self, name):
        self.name = name  # the module's function, looked up on each run
        self.slots = threading.BoundedSemaphore(MOST_HUNG_CHECKS)

    def start(self):
        """A Future of the check's answer (True/False), already False if too many still hang."""
        future = Future()
        if not self.slots.acquire(blocking=False):
            future.set_result(False)
            return future

        def run():
            try:
                future.set_result(bool(globals()[self.name]()))
            except Exception:
                future.set_result(False)
            finally:
                self.slots.release()

        threading.Thread(target=run, name=f"healthz{self.name}", daemon=True).start()
        return future


_CHECKS = {"database": _Check("_database_ok"), "broker": _Check("_broker_ok")}


def _check_all():
    """{"database": bool, "broker": bool}: the checks run side by side, each within CHECK_SECONDS."""
    running = {name: check.start() for name, check in _CHECKS.items()}
    deadline = time.monotonic() + CHECK_SECONDS
    state = {}
    for name, future in running.items():
        try:
            state[name] = future.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            state[name] = False
    return state


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and uptime checks. The HTTP status says whether the site can serve:
    200 while the database answers (pages and sign-in work without Redis), 503 when it does not.
    The JSON adds the broker: when it is down, jobs (emails, reminders) are delayed and the status
    reads "degraded", still 200. Answered whatever the Host header (see HealthCheckMiddleware)."""
    state = _check_all()
    if not state["database"]:
        status = "unavailable"
    else:
        status = "ok" if state["broker"] else "degraded"
    body = {"status": status} | {name: "ok" if up else "down" for name, up in state.items()}
    body["jobs"] = "on time" if state["broker"] else "delayed"
    return JsonResponse(body, status=503 if status == "unavailable" else 200)


class HealthCheckMiddleware:
    """First in MIDDLEWARE: /healthz is answered before anything reads the Host header, since load
    balancers probe by address, not by the site's name. Only this path; every other request still
    goes through ALLOWED_HOSTS."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == "/healthz":
            return healthz(request)
        return self.get_response(request)


LOCAL_ADDRESSES = {"127.0.0.1", "::1"}


@login_not_required
@never_cache
@require_GET
def dev_emails(request):
    """Development only: the emails the site "sent", newest first (outbox.devmail). 404 when
    emails really go out, and to any request from another machine."""
    _dev_only(request)
    emails = devmail.recent()
    for item in emails:
        item["attachments"] = [
            {"index": k, "filename": part.get_filename() or f"attachment-{k}", "type": part.get_content_type()}
            for k, part in enumerate(_attachments_of(item["id"]))
        ]
    return render(request, "dev_emails.html", {"emails": emails})


@login_not_required
@never_cache
@require_GET
def dev_email_attachment(request, email_id, index):
    """Development only: one attachment of a kept email, downloaded as it was sent (the meeting
    invitation's calendar file: its email says "the attached invitation adds it to your calendar",
    and the page showed no attachment)."""
    _dev_only(request)
    parts = _attachments_of(email_id)
    if index >= len(parts):
        raise Http404
    part = parts[index]
    response = HttpResponse(part.get_payload(decode=True), content_type=part.get_content_type())
    response["Content-Disposition"] = content_disposition_header(True, part.get_filename() or f"attachment-{index}")
    return response


def _dev_only(request):
    if not devmail.enabled() or request.META.get("REMOTE_ADDR") not in LOCAL_ADDRESSES:
        raise Http404


DEV_EMAIL_ID = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9]{6}-[0-9a-f]{8}")  # devmail's file names, nothing else


@login_not_required
@never_cache
@require_GET
@xframe_options_sameorigin
@csp_override({"default-src": [CSP.NONE], "style-src": [CSP.UNSAFE_INLINE], "frame-ancestors": [CSP.SELF]})
def dev_email_html(request, email_id):
    """Development only: the HTML part of one kept email, as a mail client shows it, in a frame
    on the emails page beside its text. Its styles are inline (as in every email), so this one
    page allows inline styles and nothing else: no script, no image, no request."""
    _dev_only(request)
    path = devmail.folder() / f"{email_id}.eml"
    if not DEV_EMAIL_ID.fullmatch(email_id) or not path.is_file():
        raise Http404
    part = email.message_from_bytes(path.read_bytes(), policy=email.policy.default).get_body(preferencelist=("html",))
    if part is None:
        raise Http404
    return HttpResponse(part.get_content(), content_type="text/html; charset=utf-8")


def _attachments_of(email_id) -> list:
    """The attachments of one kept email (outbox.devmail's file), [] for a name it never wrote."""
    path = devmail.folder() / f"{email_id}.eml"
    if not DEV_EMAIL_ID.fullmatch(email_id) or not path.is_file():
        return []
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    return list(message.iter_attachments())
