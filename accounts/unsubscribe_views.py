"""The unsubscribe link of announcement and invitation emails: works without signing in."""

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .unsubscribe import read_token
from .unsubscribe import unsubscribe as turn_off


@login_not_required
# RFC 8058: a mail client's one-click unsubscribe is a POST of "List-Unsubscribe=One-Click" to
# this address, without cookies or a CSRF token. The signed link is the credential, and all it
# can do is turn one email preference off for its own member.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request, token):
    """GET shows what the button will change and changes nothing (link scanners open links);
    POST turns that one preference off, and again changes nothing more."""
    found = read_token(token)
    if found is None:
        return render(request, "accounts/unsubscribe.html", {"problem": True}, status=404)
    profile, field, words = found
    done = False
    if request.method == "POST":
        turn_off(user=profile.user, preference=field)
        done = True
    context = {
        "words": words,
        "done": done,
        "already_off": not getattr(profile, field),
        "field": field,
        "email": profile.user.email,
    }
    return render(request, "accounts/unsubscribe.html", context)
