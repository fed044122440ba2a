"""Circles' pages: the program's circles (a member joins an open one), a circle's own page (its
members, its meetings, scheduling for its mentors and the committee), the feedback link, and the
committee's pages (form and run the circles; what members said, confidential)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.language import in_the_emails_language
from accounts.models import User
from flash.services import VETTED
from mentoring.access import committee_view, confidential_headers, program_for_member_or_404, record_reads

from . import services
from .forms import AddMemberForm, CircleForm, CircleMeetingForm, FeedbackForm
from .models import Circle, CircleFeedback, CircleMeeting, CircleMember, Role
from .rules import person_reasons

# --- For members ---------------------------------------------------------------------------------


def _circles_program_or_404(user, program_id):
    program = program_for_member_or_404(user, program_id)
    if not program.offers_circles:
        raise Http404
    return program


def program_circles(request, program_id):
    """The member's circles in this program, and the open circles they may join."""
    program = _circles_program_or_404(request.user, program_id)
    reasons = person_reasons(program=program, user=request.user)
    mine, open_circles = services.program_circles(program=program, user=request.user)
    context = {"program": program, "reasons": reasons, "mine": mine, "open_circles": [] if reasons else open_circles}
    return render(request, "circles/program.html", context)


@require_POST
def join(request, circle_id):
    circle = get_object_or_404(Circle.objects.select_related("program"), pk=circle_id, open_to_join=True)
    _circles_program_or_404(request.user, circle.program_id)
    try:
        services.join_circle(circle=circle, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("circles:program", circle.program_id)
    messages.success(request, _("Welcome to the circle. Its meetings to come are in your email, for your calendar."))
    return redirect("circles:circle", circle.pk)


@require_POST
def leave(request, circle_id):
    circle = get_object_or_404(Circle, pk=circle_id, members__user=request.user)
    try:
        services.leave_circle(circle=circle, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("circles:circle", circle.pk)
    messages.success(request, _("You have left the circle. Its meetings are taken out of your calendar."))
    return redirect("my_mentoring")


def _circle_for_member_or_404(user, circle_id):
    """A circle's page: for its members and the program's committee; everyone else, 404."""
    circle = get_object_or_404(
        Circle.objects.select_related("program")
        .filter(Q(members__user=user) | Q(program__committee__user=user))
        .distinct(),
        pk=circle_id,
    )
    return circle


def circle(request, circle_id):
    """The circle's members and meetings. Its mentors and the committee schedule a meeting here (POST)."""
    circle = _circle_for_member_or_404(request.user, circle_id)
    zone = request.user.profile.zone
    members = services.members_of(circle)
    me = next((m for m in members if m.user_id == request.user.pk), None)
    organiser = (me is not None and me.role == Role.MENTOR) or services.is_committee(circle.program, request.user)
    form = None
    if organiser and circle.status != Circle.Status.ENDED:
        channels = circle.program.communication_channels
        form = CircleMeetingForm(
            request.POST or None, zone=zone, channels=channels, initial={"mode": (channels or ["video"])[0]}
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.schedule_meeting(circle=circle, by=request.user, **form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The meeting is scheduled. Every member gets a calendar invitation."))
                return redirect("circles:circle", circle.pk)
    elif request.method == "POST":
        raise Http404
    context = {
        "circle": circle,
        "program": circle.program,
        "members": members,
        "me": me,
        "organiser": organiser,
        "form": form,
        "meetings": [
            {"meeting": m, "starts": m.starts_at.astimezone(zone), "ends": m.ends_at.astimezone(zone)}
            for m in services.upcoming_meetings(circle)
        ],
        "zone_name": zone.key,
    }
    return render(request, "circles/circle.html", context)


def _meeting_for_organiser_or_404(user, meeting_id):
    meeting = get_object_or_404(
        CircleMeeting.objects.select_related("circle__program")
        .filter(
            Q(circle__members__user=user, circle__members__role=Role.MENTOR) | Q(circle__program__committee__user=user)
        )
        .distinct(),
        pk=meeting_id,
        status=CircleMeeting.Status.SCHEDULED,
    )
    return meeting


def meeting(request, meeting_id):
    """Another time (or place) for a meeting: every member's calendar is updated."""
    meeting = _meeting_for_organiser_or_404(request.user, meeting_id)
    zone = request.user.profile.zone
    kwargs = {"zone": zone, "channels": meeting.circle.program.communication_channels}
    if request.method == "POST":
        form = CircleMeetingForm(request.POST, **kwargs)
        if form.is_valid():
            try:
                services.move_meeting(meeting=meeting, by=request.user, **form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The meeting is moved. Every member's calendar is updated."))
                return redirect("circles:circle", meeting.circle_id)
    else:
        form = CircleMeetingForm(initial=CircleMeetingForm.initial_for(meeting, zone), **kwargs)
    return render(request, "circles/meeting_form.html", {"meeting": meeting, "circle": meeting.circle, "form": form})


@require_POST
def meeting_cancel(request, meeting_id):
    meeting = _meeting_for_organiser_or_404(request.user, meeting_id)
    try:
        services.cancel_meeting(meeting=meeting, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The meeting is called off. Every member is told, with the calendar's update."))
    return redirect("circles:circle", meeting.circle_id)


@login_not_required
@never_cache
@confidential_headers
def feedback(request, token):
    """Opens without a password, for this member and meeting only; works once."""
    answer = services.feedback_for_token(token)
    if answer is None:
        context = {
            "problem": "invalid",
            "message": _("This link doesn't work: it may be used, expired, or copied only in part."),
        }
        return render(request, "feedback/link_problem.html", context, status=410)
    in_the_emails_language(request, answer.respondent)
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            services.submit_feedback(feedback=answer, useful=data["useful"], note=data["note"])
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "circles/thanks.html", {"circle": answer.meeting.circle})
    zone = answer.respondent.profile.zone
    context = {"form": form, "answer": answer, "starts": answer.meeting.starts_at.astimezone(zone)}
    return render(request, "circles/feedback.html", context)


# --- The committee's pages -----------------------------------------------------------------------


@committee_view()
def committee_circles(request, seat):
    """The program's circles, and a new one (POST)."""
    program = seat.program
    form = CircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            new = services.create_circle(program=program, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The circle is made. Now add its mentor and mentees."))
            return redirect("committee:circle", program.pk, new.pk)
    circles = (
        Circle.objects.filter(program=program)
        .annotate(mentees=Count("members", filter=Q(members__role=Role.MENTEE)))
        .prefetch_related(
            Prefetch("members", queryset=CircleMember.objects.filter(role=Role.MENTOR).select_related("user"))
        )
        .order_by("status", "name", "pk")
    )
    context = {"program": program, "seat": seat, "form": form, "circles": circles}
    return render(request, "circles/committee/circles.html", context)


def _committee_circle_or_404(seat, circle_id):
    return get_object_or_404(Circle.objects.select_related("program"), pk=circle_id, program=seat.program)


def _candidates(circle, members, role):
    """(user id, name) of those the committee may add in `role`: the program's vetted mentors, or
    its accepted mentee applications; not those in the circle already."""
    statuses = VETTED if role == Role.MENTOR else services.ACCEPTED_MENTEES
    inside = {m.user_id for m in members}
    users = (
        User.objects.filter(
            applications__program=circle.program, applications__role=role, applications__status__in=statuses
        )
        .exclude(pk__in=inside)
        .order_by("last_name", "first_name", "pk")
        .distinct()
    )
    return [(u.pk, u.get_full_name() or u.email) for u in users]


@committee_view()
def committee_circle(request, seat, circle_id):
    """One circle: its details (POST saves them), its members (add, remove), end it."""
    circle = _committee_circle_or_404(seat, circle_id)
    members = services.members_of(circle)
    form = CircleForm(request.POST or None, initial=_details(circle))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_circle(circle=circle, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect("committee:circle", seat.program_id, circle.pk)
    return _circle_page(request, seat, circle, members, form=form)


def _details(circle):
    return {"name": circle.name, "topic": circle.topic, "open_to_join": circle.open_to_join}


def _circle_page(request, seat, circle, members, *, form=None, adding=None, status=200):
    forms = {
        role: AddMemberForm(people=_candidates(circle, members, role), role=role) for role in (Role.MENTOR, Role.MENTEE)
    }
    if adding is not None:
        forms[adding.prefix] = adding
    context = {
        "program": seat.program,
        "seat": seat,
        "circle": circle,
        "members": members,
        "form": form or CircleForm(initial=_details(circle)),
        "adding_forms": [forms[Role.MENTOR], forms[Role.MENTEE]],
        "meetings": services.upcoming_meetings(circle),
    }
    return render(request, "circles/committee/circle.html", context, status=status)


@require_POST
@committee_view()
def committee_add(request, seat, circle_id, role):
    if role not in Role.values:
        raise Http404
    circle = _committee_circle_or_404(seat, circle_id)
    members = services.members_of(circle)
    form = AddMemberForm(request.POST, people=_candidates(circle, members, role), role=role)
    if form.is_valid():
        person = User.objects.select_related("profile__association").get(pk=form.cleaned_data["person"])
        try:
            services.add_member(circle=circle, user=person, role=role, by=request.user)
        except ValidationError as error:
            form.add_error("person", error)
        else:
            name = person.get_full_name()
            messages.success(request, _("%(name)s is in the circle, and told by email.") % {"name": name})
            return redirect("committee:circle", seat.program_id, circle.pk)
    return _circle_page(request, seat, circle, members, adding=form)


@require_POST
@committee_view()
def committee_remove(request, seat, circle_id, member_id):
    circle = _committee_circle_or_404(seat, circle_id)
    try:
        services.remove_member(circle=circle, member_id=member_id, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Removed from the circle. Its meetings to come leave their calendar."))
    return redirect("committee:circle", seat.program_id, circle.pk)


@require_POST
@committee_view()
def committee_end(request, seat, circle_id):
    circle = _committee_circle_or_404(seat, circle_id)
    services.end_circle(circle=circle, by=request.user)
    messages.success(request, _("The circle has ended. Its meetings to come are called off in every calendar."))
    return redirect("committee:circles", seat.program_id)


@committee_view(confidential=True)
def committee_feedback(request, seat):
    """What each member said after the program's circle meetings: the committee's alone."""
    program = seat.program
    answers = list(
        CircleFeedback.objects.filter(meeting__circle__program=program, answered_at__isnull=False)
        .select_related("meeting__circle", "respondent")
        .order_by("-meeting__starts_at", "meeting_id", "-role", "respondent__last_name", "pk")
    )
    record_reads(
        user=request.user,
        program=program,
        what="circle meeting feedback",
        path=request.path,
        items=[("circle feedback", a.pk) for a in answers],
    )
    return render(request, "circles/committee/feedback.html", {"program": program, "seat": seat, "answers": answers})
