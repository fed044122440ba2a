"""Scheduling meetings, for the two partners of a partnership (everyone else: 404). The list of
meetings is on the partnership page (templates/partnerships/_meetings.html)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentoring.access import partnership_for_partner_or_404

from .. import meetings
from ..forms import ScheduleMeetingForm
from ..models import ScheduledMeeting


def _meeting_or_404(user, partnership_id, meeting_id):
    p = partnership_for_partner_or_404(user, partnership_id)
    return p, get_object_or_404(ScheduledMeeting, pk=meeting_id, partnership=p)


def _back(p):
    return redirect(reverse("partnership", args=[p.pk]) + "#scheduled")


def _form_page(request, p, *, meeting=None, service):
    """The propose page (a new meeting, or another time for `meeting`): GET shows it, POST calls `service`."""
    zone = request.user.profile.zone
    kwargs = {"zone": zone, "channels": p.program.communication_channels}
    if not p.is_active:
        messages.error(request, _("Meetings are arranged while the partnership is active."))
        return _back(p)
    if request.method == "POST":
        form = ScheduleMeetingForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                service(**form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                partner = p.partner_of(request.user)
                messages.success(
                    request,
                    _("Your proposal is sent. %(name)s can accept it or propose another time.")
                    % {"name": partner.first_name},
                )
                return _back(p)
    else:
        initial = ScheduleMeetingForm.initial_for(meeting, zone) if meeting else {"mode": _first_channel(p)}
        form = ScheduleMeetingForm(initial=initial, **kwargs)
    context = {"partnership": p, "partner": p.partner_of(request.user), "form": form, "meeting": meeting}
    return render(request, "partnerships/meeting_form.html", context)


def _first_channel(p):
    return (p.program.communication_channels or ["video"])[0]


def meeting_new(request, partnership_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    return _form_page(
        request, p, service=lambda **data: meetings.propose_meeting(partnership=p, by=request.user, **data)
    )


def meeting_other_time(request, partnership_id, meeting_id):
    p, meeting = _meeting_or_404(request.user, partnership_id, meeting_id)
    return _form_page(
        request,
        p,
        meeting=meeting,
        service=lambda **data: meetings.propose_other_time(meeting=meeting, by=request.user, **data),
    )


@require_POST
def meeting_accept(request, partnership_id, meeting_id):
    p, meeting = _meeting_or_404(request.user, partnership_id, meeting_id)
    return _act(
        request,
        p,
        lambda: meetings.accept_meeting(meeting=meeting, by=request.user),
        _("Accepted. You both get a calendar invitation by email."),
    )


@require_POST
def meeting_cancel(request, partnership_id, meeting_id):
    p, meeting = _meeting_or_404(request.user, partnership_id, meeting_id)
    return _act(
        request,
        p,
        lambda: meetings.cancel_meeting(meeting=meeting, by=request.user),
        _("The meeting is called off. %(name)s is told by email.") % {"name": p.partner_of(request.user).first_name},
    )


@require_POST
def meeting_log(request, partnership_id, meeting_id):
    p, meeting = _meeting_or_404(request.user, partnership_id, meeting_id)
    return _act(
        request,
        p,
        lambda: meetings.log_meeting(meeting=meeting, by=request.user),
        _("The meeting is logged in your meeting log below."),
    )


def _act(request, p, action, done):
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return _back(p)
