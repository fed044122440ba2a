"""What will expire (the chair's and staff's pages) and the "keep my history" link."""

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mentoring.access import committee_view, no_store

from . import services as retention


@committee_view(chair=True, confidential=True)
def committee_expiry(request, seat):
    program = seat.program
    return _overview(request, program=program, seat=seat)


def staff_expiry(request):
    if not request.user.is_staff:
        raise Http404
    return _overview(request, program=None, seat=None)


def _overview(request, *, program, seat):
    rows = retention.upcoming(program=program)
    context = {
        "program": program,
        "seat": seat,
        "rows": rows,
        "partnerships": sum(1 for r in rows if r.kind == "partnership"),
        "applications": sum(1 for r in rows if r.kind == "application"),
        "removed": retention.removed_count(program=program),
        "months": retention.keep_months(),
    }
    return no_store(render(request, "retention/retention_overview.html", context))


@login_not_required  # the signed link is the credential, as for unsubscribing
@require_http_methods(["GET", "POST"])
@never_cache
def keep_history(request, token):
    """GET shows what will be kept and changes nothing (link scanners open links); POST keeps it,
    and again changes nothing more."""
    user = retention.read_token(token)
    if user is None:
        return render(request, "retention/keep_history.html", {"problem": True}, status=404)
    kept_now = retention.keep_history(user=user) if request.method == "POST" else 0
    records = list(retention.history_of(user))
    context = {
        "done": request.method == "POST",
        "kept_now": kept_now,
        "pending": [r for r in records if r.state == "warned"],
        "kept": [r for r in records if r.state == "kept"],
        "removed": [r for r in records if r.state == "removed"],
        "records": [(r, retention.describe(r, user)) for r in records],
    }
    return render(request, "retention/keep_history.html", context)
