from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mentoring.roles import roles_of
from outbox import devmail

CONFIDENTIALITY_STATEMENT = _(
    "What you share in feedback is read only by your program's committee, "
    "who have each pledged to keep it confidential. Your partner never sees it."
)


def site(request):
    return {
        "SITE_NAME": settings.SITE_NAME,
        "ASSOCIATION_NAME": settings.ASSOCIATION_NAME,
        "CONFIDENTIALITY_STATEMENT": CONFIDENTIALITY_STATEMENT,
        # Development: a banner points at the page where the emails are (they are not sent).
        "DEV_EMAILS": devmail.enabled(),
        # Lazily: pages that never show the navigation pay nothing.
        "roles": _LazyRoles(request),
    }


class _LazyRoles:
    def __init__(self, request):
        self._request = request
        self._roles = None

    def __getattr__(self, name):
        if self._roles is None:
            self._roles = roles_of(self._request)
        return getattr(self._roles, name)
