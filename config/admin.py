from functools import wraps

from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator


class AdminSite(admin.AdminSite):
    """The Django admin for association staff, signed in through allauth.

    Signing in goes through allauth's login (rate limits, verified email, two-factor) rather than
    the admin's own form. A signed-in member who is not staff gets 404: the admin is not theirs,
    and its pages should not announce themselves.
    """

    site_header = "Mentoring administration"
    site_title = "Mentoring administration"
    index_title = "Association staff"

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        if not request.user.is_authenticated:
            return redirect_to_login(request.GET.get("next", reverse("admin:index")))
        if not request.user.is_staff:
            raise Http404
        return redirect("admin:index")

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def wrapper(request, *args, **kwargs):
            if request.user.is_authenticated and not request.user.is_staff:
                raise Http404
            return inner(request, *args, **kwargs)

        return wrapper
