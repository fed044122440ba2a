import logging
import secrets

from allauth.account.views import SignupView
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import bounces, language
from .forms import EraseForm, LeadershipRoleForm, MemberImportForm, ProfileForm
from .imports import MAX_BYTES, TEMPLATE_CSV, import_members
from .models import LeadershipRole
from .privacy import erase_member, erasure_blockers, export_member_data
from .services import create_profile, remove_leadership_role, save_leadership_role, update_profile

log = logging.getLogger(__name__)


def profile(request):
    """The member's own profile. There is no URL for anyone else's."""
    instance = create_profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        update_profile(user=request.user, data=form.cleaned_data)
        messages.success(request, _("Your profile is saved."))
        return redirect("home")
    return render(request, "accounts/profile.html", {"form": form})


def member_import(request):
    """Association staff bring members' renewal status, join date and local association up to
    date from the association's membership list. Nobody else finds this page."""
    if not request.user.is_staff:
        raise Http404
    if "template" in request.GET:  # a CSV to start from: the columns, one example row
        response = HttpResponse(TEMPLATE_CSV, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="membership-list-template.csv"'
        return response
    posted = request.method == "POST"
    form, result = (MemberImportForm(request.POST, request.FILES) if posted else MemberImportForm()), None
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        # Read at most one byte more than allowed: a larger file is refused without reading it all.
        result = import_members(upload.read(MAX_BYTES + 1), size=upload.size, by=request.user)
        if result.ok:
            log.info("Member import by %s: %s updated, %s unchanged", request.user.pk, result.updated, result.unchanged)
    return render(
        request,
        "accounts/member_import.html",
        {"form": form, "result": result, "max_mb": MAX_BYTES // 1024 // 1024},
    )


@require_GET
@cache_control(no_store=True, private=True)  # the member's own records are never kept in a cache
def my_data(request):
    """Download my data: the member's own records, as a JSON file."""
    response = JsonResponse(export_member_data(request.user), json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="my-mentoring-data-{timezone.localdate()}.json"'
    return response


@cache_control(no_store=True, private=True)
def erase(request):
    """Erase my account: what goes and what stays, the password asked again, then signed out."""
    blockers = erasure_blockers(request.user)
    form = EraseForm(request.POST if request.method == "POST" else None, user=request.user)
    if (
        request.method == "POST"
        and not blockers
        and not ratelimit.consume(request, action="reauthenticate", user=request.user)
    ):
        form.is_valid()
        form.add_error(None, _("Too many tries. Wait a minute, then try again."))
    elif request.method == "POST" and not blockers and form.is_valid():
        user_id = request.user.pk
        try:
            erase_member(request.user)
        except ValidationError as error:
            blockers = error.messages
        else:
            log.info("Member %s erased their account", user_id)
            logout(request)
            messages.success(request, _("Your account is erased. Thank you for taking part."))
            return redirect("home")
    return render(request, "accounts/erase.html", {"form": form, "blockers": blockers})


class EvenSignupView(SignupView):
    """allauth's sign-up, answering an address that has an account exactly as a new one, in the
    same time too: a new account costs a password hash (hundreds of milliseconds, by design), so
    a sign-up that creates none pays for one as well, on a throwaway password."""

    def form_valid(self, form):
        if form.account_already_exists:
            make_password(secrets.token_urlsafe(16))
        return super().form_valid(form)


signup = EvenSignupView.as_view()


def roles(request):
    """The member's leadership roles, with their dates: add one, or change one (?edit=<id>)."""
    own = LeadershipRole.objects.filter(user=request.user)
    editing = get_object_or_404(own, pk=request.GET["edit"]) if request.GET.get("edit", "").isdigit() else None
    form = LeadershipRoleForm(request.POST or None, instance=editing)
    if request.method == "POST" and form.is_valid():
        save_leadership_role(user=request.user, data=form.cleaned_data, role=editing)
        messages.success(request, _("The role is saved on your profile."))
        return redirect("accounts:roles")
    profile = create_profile(user=request.user)
    return render(request, "accounts/roles.html", {"form": form, "roles": own, "editing": editing, "profile": profile})


@require_POST
def role_remove(request, role_id):
    role = get_object_or_404(LeadershipRole.objects.filter(user=request.user), pk=role_id)
    remove_leadership_role(user=request.user, role=role)
    messages.success(request, _("“%(role)s” is removed from your profile.") % {"role": role})
    return redirect("accounts:roles")


@login_not_required
@require_POST
def set_language(request):
    """The footer's language switch: the cookie for everyone, the account too when signed in;
    back to the page it was on (the Referer: the page itself holds no copy of its own address,
    so a missing page and a forbidden one stay byte for byte the same), never to another site."""
    target = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        target = "/"
    try:
        code = language.choose(user=request.user, language=request.POST.get("language", ""))
    except ValueError:
        messages.error(request, _("That language is not offered here. Choose English or French."))
        return redirect(target)
    translation.activate(code)
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=True,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_POST
def address_check(request):
    """The home page's "Send me a check email" (their address bounced): its link says it works."""
    if bounces.send_address_check(user=request.user):
        messages.success(
            request,
            _("We sent an email to %(address)s. Follow its link to tell us your address works.")
            % {"address": request.user.email},
        )
    return redirect("home")


@login_not_required
@require_http_methods(["GET", "POST"])
@never_cache
def address_works(request, token):
    """The check email's link, signed in or not: GET shows a button and changes nothing (link
    scanners open links); POST lifts the suppression. Altered, expired or used: 404."""
    found = bounces.read_address_check(token)
    if found is None:
        return render(request, "accounts/address_works.html", {"problem": True}, status=404)
    if request.method == "POST":
        address = found.address
        bounces.confirm_address_works(found=found)
        return render(request, "accounts/address_works.html", {"done": True, "address": address})
    return render(request, "accounts/address_works.html", {"address": found.address})
