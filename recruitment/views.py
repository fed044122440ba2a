"""Recruiting: the chair's page (announce, invite by name, the figures), and the personal link in
an announcement or an invitation, which leads the member straight to the questionnaire."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache

from mentoring.access import committee_view
from mentoring.models import Application

from . import services as recruitment
from .forms import InviteForm
from .models import Announcement, Invitation

SHOWN = 50  # members listed at a time to tick; a search finds the others
MAX_SEARCH = 100


def _search(request):
    q = (request.POST.get("q") or request.GET.get("q") or "").replace("\x00", "").strip()
    return q[:MAX_SEARCH]


def _candidates(program, q, ticked):
    """Members to tick: those ticked already, then the search's matches (or the first by name)."""
    people = recruitment.invitable(program).exclude(pk__in=program.committee.values("user_id"))
    found = people
    for word in q.split()[:5]:
        found = found.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word))
    shown = list(people.filter(pk__in=ticked)) + list(found.exclude(pk__in=ticked)[:SHOWN])
    invited = {}
    for user_id, role in Invitation.objects.filter(
        program=program, kind=Invitation.Kind.INVITATION, user__in=[p.pk for p in shown]
    ).values_list("user_id", "role"):
        invited.setdefault(user_id, []).append(str(recruitment.ROLE_WORDS[role]))
    applied = set(
        Application.objects.filter(program=program, user__in=[p.pk for p in shown])
        .exclude(status=Application.Status.WITHDRAWN)
        .values_list("user_id", flat=True)
    )
    rows = [(person, person.pk in ticked, invited.get(person.pk, []), person.pk in applied) for person in shown]
    return rows, found.count()


@committee_view(chair=True)
def recruit(request, seat):
    """Announce the open enrollment (previewed with its count first), invite named members, and
    see how many opened the questionnaire and applied."""
    program = seat.program
    action = request.POST.get("action")
    form = InviteForm(request.POST if action == "invite" else None)
    if action == "announce":
        try:
            announcement = recruitment.announce_enrollment(program=program, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            n = announcement.recipients
            messages.success(
                request,
                ngettext(
                    "The announcement is on its way to %(count)s member.",
                    "The announcement is on its way to %(count)s members.",
                    n,
                )
                % {"count": n},
            )
        return redirect("committee:recruit", program.pk)
    if action == "invite" and form.is_valid():
        ids = form.cleaned_data["people"]
        users = list(recruitment.invitable(program).filter(pk__in=ids).select_related("profile"))
        if len(users) != len(ids):  # someone not of this program's area: as if they did not exist
            raise Http404
        try:
            result = recruitment.invite(program=program, users=users, role=form.cleaned_data["role"], by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if result.invited:
                names = ", ".join(str(p) for p in result.invited)
                if len(result.invited) > 1:
                    text = _("Invited: %(names)s. Each gets an email with a link to the questionnaire.")
                else:
                    text = _("Invited: %(names)s. They get an email with a link to the questionnaire.")
                messages.success(request, text % {"names": names})
            for person, why in result.skipped:
                # `why` goes on from the name ("Ann has applied as mentor already"): recruitment.invite's words.
                words = {"person": person, "name": person.first_name or _("they"), "why": why}
                messages.info(request, _("%(person)s was not emailed: %(name)s %(why)s.") % words)
            return redirect("committee:recruit", program.pk)
    elif action not in (None, "invite"):
        raise Http404
    q = _search(request)
    ticked = {int(v) for v in request.POST.getlist("people") if v.isascii() and v.isdigit() and len(v) <= 12}
    candidates, found = _candidates(program, q, ticked)
    context = {
        "seat": seat,
        "program": program,
        "preview": recruitment.preview_announcement(program=program),
        "announcements": Announcement.objects.filter(program=program).select_related("sent_by")[:10],
        "form": form,
        "q": q,
        "candidates": candidates,
        "found": found,
        "shown": SHOWN,
        "figures": recruitment.recruitment_figures(program),
        "named": recruitment.named_invitations(program),
    }
    return render(request, "recruitment/recruit.html", context)


@login_not_required
@never_cache
def invitation(request, token):
    """The personal link of an announcement or invitation: straight to the questionnaire (after
    signing in, coming back here). A broken link gets a kind page, never an error."""
    found = recruitment.invitation_for_token(token)
    if found is None:
        return render(request, "recruitment/invitation_problem.html", status=404)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    invitation, role = found
    recruitment.record_opened(invitation=invitation, user=request.user)
    return redirect("apply", invitation.program_id, role)
