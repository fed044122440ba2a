"""Who may open what. Every view fetches its objects through these, so a page a person may not
see answers 404 (exactly like a page that does not exist) and its existence is not revealed.
"""

from functools import wraps

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.models import Profile

from . import compiled
from .models import (
    AssociationOfficer,
    CommitteeMembership,
    ConfidentialAccess,
    Partnership,
    Program,
)


def with_area(user):
    """`user` with their profile and its local association read in one query (the member's pages
    read both: who may apply where), instead of one query each when first used; compiled once per
    process (mentoring.compiled)."""
    if user.is_authenticated:
        found = compiled.objects("profile-with-area", _profile_with_area, user_id=user.pk)
        if found:
            user.profile = found[0]
    return user


def _profile_with_area(user_id):
    return Profile.objects.select_related("association").filter(user=user_id)[:1]


def programs_for_member(user):
    """Programs a member may read about and apply to: their local association's new-member
    programs and their region's leadership programs."""
    profile = getattr(user, "profile", None)
    if profile is None or profile.association_id is None:
        return Program.objects.none()
    return _programs_of_area(profile.association_id, profile.association.region_id)


def member_programs(user) -> list:
    """programs_for_member(user), read: compiled once per process (My mentoring lists them)."""
    profile = getattr(user, "profile", None)
    if profile is None or profile.association_id is None:
        return []
    area = {"association_id": profile.association_id, "region_id": profile.association.region_id}
    return compiled.objects("programs-of-area", _programs_of_area, **area)


def _programs_of_area(association_id, region_id):
    return Program.objects.filter(
        Q(kind=Program.Kind.NEW_MEMBER, association_id=association_id)
        | Q(kind=Program.Kind.LEADERSHIP, region_id=region_id)
    ).select_related("association__region", "region")


def program_for_member_or_404(user, program_id):
    """A program's public pages: for members of its area, its committee, and staff."""
    program = programs_for_member(user).filter(pk=program_id).first()
    if program is None and (
        user.is_staff or CommitteeMembership.objects.filter(program_id=program_id, user=user).exists()
    ):
        program = Program.objects.select_related("association__region", "region").filter(pk=program_id).first()
    if program is None:
        raise Http404
    return program


def can_appoint_chair(user, program):
    """Staff appoint any chair; the region's VP appoints the leadership program's chair; the
    officers of the local association appoint its new-member program's chair, and that chair
    may hand over to a successor."""
    if user.is_staff:
        return True
    if program.kind == Program.Kind.LEADERSHIP:
        return program.region.vice_president_id == user.pk
    if AssociationOfficer.objects.current().filter(association_id=program.association_id, user=user).exists():
        return True
    return program.committee.filter(user=user, role=CommitteeMembership.Role.CHAIR).exists()


def can_copy_program(user, program):
    """Those who set a program up: its chair (the set-up pages) and staff (the admin)."""
    return user.is_staff or program.committee.filter(user=user, role=CommitteeMembership.Role.CHAIR).exists()


def has_two_factor(user):
    return is_mfa_enabled(user, types=[Authenticator.Type.TOTP])


def no_store(response):
    """Confidential pages are never kept in a cache. Their address (which may hold a token) is
    not passed to other sites: the site-wide Referrer-Policy is `same-origin`. (`no-referrer`
    would make browsers send `Origin: null` with the page's forms, which the CSRF check refuses.)"""
    response["Cache-Control"] = "no-store, private"
    response["Referrer-Policy"] = "same-origin"
    return response


def confidential_headers(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return no_store(view(request, *args, **kwargs))

    return wrapper


def partnership_for_partner_or_404(user, partnership_id, *, related=()):
    """A partnership's own page: for its two partners only (the committee has its own pages).
    `related`: more of what the page shows, read in the same query (e.g. "agreement"), compiled
    once per process (mentoring.compiled)."""

    def build(user_id, partnership_id):
        # Both partners' profiles with their associations: the partnership's pages name them.
        return Partnership.objects.select_related(
            "program", "mentee__profile__association", "mentor__profile__association", *related
        ).filter(Q(mentee=user_id) | Q(mentor=user_id), pk=partnership_id)

    key = ("partnership-for-partner", *related)
    found = compiled.objects(key, build, user_id=user.pk, partnership_id=int(partnership_id))
    if not found:
        raise Http404
    return found[0]


def record_reads(*, user, program, what, partnership=None, application=None, path="", items):
    """Every read of confidential data is recorded, one row per page read: `what` names the page
    ("partnership record", "questionnaire") and `items` the confidential records it showed, as
    (kind, id) pairs such as ("feedback response", 12)."""
    shown = {}
    for kind, object_id in items:
        shown.setdefault(kind, []).append(object_id)
    ConfidentialAccess.objects.create(
        user=user,
        program=program,
        partnership=partnership,
        application=application,
        what=what,
        object_id=partnership.pk if partnership else application.pk if application else None,
        items=shown,
        path=path[:300],
    )


def record_denied(*, user, path, what="confidential page", program=None):
    """A refused attempt: who and where, never the data."""
    ConfidentialAccess.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        program=program,
        what=what,
        outcome=ConfidentialAccess.Outcome.DENIED,
        path=path[:300],
    )


def _denied(request, what, program_id):
    program = Program.objects.filter(pk=program_id).first()
    record_denied(user=request.user, path=request.path, what=what, program=program)
    raise Http404


def _seat(program_id, user_id):
    return CommitteeMembership.objects.select_related("program__association__region", "program__region").filter(
        program_id=program_id, user=user_id
    )[:1]


def committee_view(*, chair=False, confidential=False):
    """For views under /committee/<program_id>/: passes `seat` (with its program) to the view.

    - no seat on this program's committee: 404 (other committees, VPs, staff, members);
    - `chair=True`: only the chair, others 404;
    - `confidential=True` (questionnaires, vetting notes, feedback): the pledge for the current
      text must be accepted (a member of this committee who has not is led to the pledge, with
      the reason; nothing of the page is shown), and where the program requires it, two-factor
      sign-in must be set up (else the member is sent to set it up).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, program_id, *args, **kwargs):
            # Compiled once per process (mentoring.compiled): every committee page reads it.
            found = compiled.objects("committee-seat", _seat, program_id=int(program_id), user_id=request.user.pk)
            seat = found[0] if found else None
            if seat is None or (chair and not seat.is_chair):
                if confidential:
                    _denied(request, "committee page", program_id)
                raise Http404
            if confidential:
                if not seat.has_current_pledge:
                    record_denied(
                        user=request.user,
                        path=request.path,
                        what="committee page before the pledge",
                        program=seat.program,
                    )
                    messages.info(
                        request,
                        _(
                            "You will see this once you have accepted the pledge: committee pages show "
                            "what members shared in confidence."
                        ),
                    )
                    return redirect("committee:pledge", program_id)
                if seat.program.require_two_factor and not has_two_factor(request.user):
                    messages.info(
                        request,
                        _(
                            "This program's committee pages need two-factor sign-in. "
                            "Set up an authenticator app, then come back."
                        ),
                    )
                    return redirect("mfa_activate_totp")
            response = view(request, seat, *args, **kwargs)
            return no_store(response) if confidential else response

        return wrapper

    return decorator
