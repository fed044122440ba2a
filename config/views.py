"""The pages that stitch the apps together: the home page, the health check, and (in
development) the emails the site sent."""

from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.services import create_profile
from feedback.services import waiting_for as feedback_waiting_for
from matching.services import asks_for_mentor
from mentoring.models import Application, AssociationOfficer, CommitteeMembership, LocalAssociation, Program
from outbox import devmail

from .celery import app as celery_app


@login_not_required
def home(request):
    if not request.user.is_authenticated:
        return render(request, "mentoring/landing.html")
    profile = create_profile(user=request.user)
    applications = Application.objects.filter(user=request.user).select_related("program")
    if request.user.is_staff:
        appointable = Program.objects.all()
    else:
        # The region's VP appoints its leadership programs' chairs; an association's officers
        # its new-member programs' chairs.
        offices = AssociationOfficer.objects.current().filter(user=request.user).values("association_id")
        appointable = Program.objects.filter(
            Q(kind=Program.Kind.LEADERSHIP, region__vice_president=request.user)
            | Q(kind=Program.Kind.NEW_MEMBER, association__in=offices)
        )
    chairs = {
        seat.program_id: seat.user
        for seat in CommitteeMembership.objects.filter(
            program__in=appointable, role=CommitteeMembership.Role.CHAIR
        ).select_related("user")
    }
    context = {
        "mentor_asks": asks_for_mentor(request.user),
        "feedback_waiting": feedback_waiting_for(request.user),
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


CHECK_SECONDS = 1.0  # each dependency gets this long; a probe is answered within ~2 s whatever hangs
_checks = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


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


def _within(check):
    """The check's answer, or False if it takes longer than CHECK_SECONDS (it is left to finish
    in the background: a hanging Redis must not hold a web worker)."""
    try:
        return _checks.submit(check).result(timeout=CHECK_SECONDS)
    except FutureTimeout:
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """For load balancers and uptime checks: 200 when the database and the broker answer, each
    within a second. Answered whatever the Host header (see HealthCheckMiddleware)."""
    state = {"database": _within(_database_ok), "broker": _within(_broker_ok)}
    healthy = all(state.values())
    body = {"status": "ok" if healthy else "unavailable"} | {k: "ok" if v else "down" for k, v in state.items()}
    return JsonResponse(body, status=200 if healthy else 503)


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
    if not devmail.enabled() or request.META.get("REMOTE_ADDR") not in LOCAL_ADDRESSES:
        raise Http404
    return render(request, "dev_emails.html", {"emails": devmail.recent()})
