"""The member sync API (JSON, described by openapi.json) and its staff page. The API views
are the only ones exempt from CSRF: they are signed with a key, never with a session cookie."""

import logging
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts.imports import CHANGE_LABELS, _shown

from . import services
from .forms import KeyForm
from .models import IntegrationKey

log = logging.getLogger(__name__)
OPENAPI = Path(__file__).with_name("openapi.json")
NEW_KEY = "sync-new-key"


def _error(status, message, **extra):
    response = JsonResponse({"ok": False, "message": message, **extra}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@login_not_required
@require_POST
def api_members(request):
    """POST a list of members (see openapi.json): each is updated, left as it is, or reported."""
    key = services.key_from_header(request.headers.get("Authorization"))
    if key is None:
        response = _error(401, _("A valid key is needed: send the header “Authorization: Bearer <your key>”."))
        response["WWW-Authenticate"] = 'Bearer realm="member sync"'
        return response
    wait = services.rate_limited(key)
    if wait:
        message = _("Too many requests with this key. Try again in %(seconds)s seconds.") % {"seconds": wait}
        response = _error(429, message)
        response["Retry-After"] = str(wait)
        return response
    services.note_use(key)
    limit = services.max_bytes()
    too_big = _("The body is larger than %(limit)s. Send the members in several requests.") % {
        "limit": filesizeformat(limit)
    }
    try:
        declared = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        services.record_refusal(key=key, problems=[too_big])
        return _error(413, too_big)
    if request.content_type != "application/json":
        message = _("Send the members as JSON, with the header “Content-Type: application/json”.")
        services.record_refusal(key=key, problems=[message])
        return _error(415, message)
    body = request.read(limit + 1)  # never more than the limit, whatever the header said
    if len(body) > limit:
        services.record_refusal(key=key, problems=[too_big])
        return _error(413, too_big)
    push = services.push_members(body=body, key=key)
    if push.problems:
        return _error(400, push.as_json()["message"], problems=push.problems)
    log.info("Member sync by key %s: %s", key.prefix, {n: push.count(n) for n in services.RESULTS})
    response = JsonResponse(push.as_json())
    response["Cache-Control"] = "no-store"
    return response


@login_not_required
@require_GET
def openapi(request):
    """The API's description (OpenAPI 3.1): public, it holds no data."""
    return FileResponse(OPENAPI.open("rb"), content_type="application/json")


@cache_control(no_store=True, private=True)  # a new key is shown once: never from a cache
def staff_page(request):
    """Staff: the last push, the counts, refused pushes in words, recent changes, the keys."""
    if not request.user.is_staff:
        raise Http404
    form = KeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _key, plain = services.create_key(
            name=form.cleaned_data["name"], scope=form.cleaned_data["scope"], by=request.user
        )
        # Shown once, on the page the redirect leads to (a reload must not create another key):
        # held in the session only until that page is shown.
        request.session[NEW_KEY] = plain
        return redirect("sync:staff")
    new_key = request.session.pop(NEW_KEY, None)
    context = services.overview()
    context["changes"] = [
        (change, str(CHANGE_LABELS.get(change.field, change.field)), _shown(change.old), _shown(change.new))
        for change in context["changes"]
    ]
    context |= {
        "form": form,
        "new_key": new_key,
        "keys": IntegrationKey.objects.select_related("created_by"),
    }
    return render(request, "sync/staff.html", context)


def revoke(request, key_id):
    if not request.user.is_staff:
        raise Http404  # checked before the method: nobody else learns the page exists
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    key = get_object_or_404(IntegrationKey, pk=key_id)
    services.revoke_key(key=key, by=request.user)
    messages.success(request, _("The key “%(name)s” is revoked: it is refused from now on.") % {"name": key.name})
    return redirect("sync:staff")
