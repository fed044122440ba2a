"""The partnership page, for its two partners: each other's details, the program's guidelines
and timeline, shared goals and meeting log. Neither sees the other's feedback (it is not here)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leadership.services import leadership_card
from mentoring import compiled
from mentoring.access import no_store, partnership_for_partner_or_404, program_for_member_or_404
from mentoring.models import Partnership, Resource

from ..forms import GoalForm, GoalProgressForm, MeetingForm, RecognitionForm
from ..models import Goal, Meeting
from .agreement import agreement_context


def partnership(request, partnership_id):
    # The agreement, shown at the top, comes with the partnership.
    return _page(request, partnership_for_partner_or_404(request.user, partnership_id, related=["agreement"]))


def _page(request, p, *, goal_form=None, meeting_form=None, recognition_form=None, **agreement_forms):
    """The page; a form that came back with errors is shown again with what was typed."""
    role = p.role_of(request.user)
    context = {
        **agreement_context(request, p, **agreement_forms),
        "partnership": p,
        "role": role,
        "partner": p.partner_of(request.user),
        # The reader as the partnership holds them, profile loaded (request.user's is not).
        "me": p.partner_of(p.partner_of(request.user)),
        # The page's lists, their queries compiled once per process (mentoring.compiled).
        "goals": compiled.objects("partnership-goals", _goals, partnership_id=p.pk),
        "meetings": compiled.objects("partnership-meetings", _meetings, partnership_id=p.pk),
        "goal_form": goal_form or (GoalForm() if role == "mentee" and p.is_active else None),
        "meeting_form": meeting_form or (MeetingForm() if p.is_active else None),
        "recognition_form": (
            recognition_form
            or RecognitionForm(
                initial={"consent": getattr(p, f"{role}_consents_to_recognition"), "story": p.success_story}
            )
        )
        if p.status == Partnership.Status.COMPLETED
        else None,
        "resources": compiled.objects("partnership-resources", _resources, program_id=p.program_id),
        "leadership": leadership_card(p, request.user),
    }
    return no_store(render(request, "partnerships/partnership.html", context))  # agreement terms, meeting notes


def _goals(partnership_id):
    return Goal.objects.filter(partnership=partnership_id)


def _meetings(partnership_id):
    return Meeting.objects.filter(partnership=partnership_id).select_related("logged_by")[:20]


def _resources(program_id):
    return Resource.objects.filter(program=program_id).order_by("title")  # one program's: no join for its name


@require_POST
def goal_add(request, partnership_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    if p.role_of(request.user) != "mentee" or not p.is_active:
        messages.error(request, _("Goals are set by the mentee while the partnership is active."))
        return redirect("partnership", p.pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        form.instance.partnership = p
        form.save()
        messages.success(request, _("The goal is added. You can both mark progress on it."))
    else:
        messages.error(request, _("The goal is not added yet: please correct what is marked below."))
        return _page(request, p, goal_form=form)
    return redirect("partnership", p.pk)


@require_POST
def goal_progress(request, partnership_id, goal_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    goal = get_object_or_404(Goal, pk=goal_id, partnership=p)
    form = GoalProgressForm(request.POST, instance=goal)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _("“%(title)s”: %(progress)s.") % {"title": goal.title, "progress": goal.get_progress_display().lower()},
        )
    else:
        messages.error(request, _("Choose how far the goal has come."))
    return redirect("partnership", p.pk)


@require_POST
def meeting_add(request, partnership_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    if not p.is_active:
        messages.error(request, _("Meetings are logged while the partnership is active."))
        return redirect("partnership", p.pk)
    form = MeetingForm(request.POST)
    # A meeting is logged once it has happened, during the partnership (a date in the future would
    # also silence the reminders to meet and hide the partnership from the committee's queue).
    form.is_valid()  # checks every field; the date is judged too when another field is wrong
    met_on = form.cleaned_data.get("met_on")
    if met_on and met_on > timezone.localdate():
        form.add_error("met_on", _("Choose today or an earlier date: a meeting is logged once it has happened."))
    elif met_on and met_on < p.started_on:
        form.add_error(
            "met_on",
            _("Choose a date from %(date)s, when your partnership started.")
            # Translators: how a date is written (Django's date format letters): "December 3, 2026".
            % {"date": date_format(p.started_on, _("F j, Y"))},
        )
    if form.is_valid():
        form.instance.partnership, form.instance.logged_by = p, request.user
        form.save()
        messages.success(request, _("The meeting is logged."))
        return redirect("partnership", p.pk)
    messages.error(request, _("The meeting is not logged yet: please correct what is marked below."))
    return _page(request, p, meeting_form=form)


@require_POST
def recognition(request, partnership_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    if p.status != Partnership.Status.COMPLETED:
        messages.error(request, _("Recognition is for completed partnerships."))
        return redirect("partnership", p.pk)
    form = RecognitionForm(request.POST)
    if form.is_valid():
        setattr(p, f"{p.role_of(request.user)}_consents_to_recognition", form.cleaned_data["consent"])
        if form.cleaned_data["story"]:
            p.success_story = form.cleaned_data["story"]
        p.save(update_fields=["mentee_consents_to_recognition", "mentor_consents_to_recognition", "success_story"])
        messages.success(request, _("Thank you, your choice is saved."))
    else:
        messages.error(request, _("Your choice is not saved yet: please correct what is marked below."))
        return _page(request, p, recognition_form=form)
    return redirect("partnership", p.pk)


def recognition_page(request, program_id):
    """Completed partnerships that both partners agreed to show."""
    program = program_for_member_or_404(request.user, program_id)
    recognised = (
        Partnership.objects.filter(
            program=program,
            status=Partnership.Status.COMPLETED,
            mentee_consents_to_recognition=True,
            mentor_consents_to_recognition=True,
        )
        .select_related("mentee", "mentor")
        .order_by("-ended_on")
    )
    return render(request, "partnerships/recognition.html", {"program": program, "recognised": recognised})
