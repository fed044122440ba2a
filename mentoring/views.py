from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import compiled, cycles, services
from .access import can_appoint_chair, can_copy_program, member_programs, program_for_member_or_404, with_area
from .forms import CHOICE_WORDS, AppointChairForm, NextCycleForm, QuestionnaireForm
from .history import mentoring_history, partnerships_of
from .models import Application, CommitteeMembership, Partnership, Program, Resource
from .orientation import items_for, orientation_item_count, with_orientation

# --- Programs and questionnaires, for members --------------------------------------------------


def my_mentoring(request):
    """The member's applications with their status, and the programs open to them."""
    with_area(request.user)
    applications = compiled.objects("my-mentoring-applications", _applications_of, user_id=request.user.pk)
    by_program = {}
    for application in applications:
        by_program.setdefault(application.program_id, []).append(application)
    today = timezone.localdate()
    programs = []
    for program in member_programs(request.user):
        existing = by_program.get(program.pk, [])
        roles = []
        for role, label in Application.Role.choices:
            mine = next((a for a in existing if a.role == role), None)
            check = None
            if mine is None or mine.status == Application.Status.WITHDRAWN:
                check = services.eligibility(
                    program=program, user=request.user, role=role, today=today, existing=existing
                )
            roles.append({"role": role, "label": label, "application": mine, "eligibility": check})
        programs.append({"program": program, "roles": roles})
    # The member's partnerships, read once: the active ones' cards and the history.
    mine = compiled.objects("my-mentoring-partnerships", _partnerships_of, user_id=request.user.pk)
    context = {
        "applications": applications,
        "programs": programs,
        "partnerships": [p for p in mine if p.status == Partnership.Status.ACTIVE],
        "history": mentoring_history(
            request.user, partnerships=mine, programs={item["program"].pk: item["program"] for item in programs}
        ),
    }
    return render(request, "mentoring/my_mentoring.html", context)


def _applications_of(user_id):
    return (
        with_orientation(Application.objects.filter(user_id=user_id))
        .annotate(orientation_items=orientation_item_count())
        .select_related("program")
        .order_by("-created_at")
    )


def _partnerships_of(user_id):
    return partnerships_of(user_id).select_related("mentee__profile", "mentor__profile", "agreement")


def program_detail(request, program_id):
    program = program_for_member_or_404(request.user, program_id)
    existing = list(program.applications.filter(user=request.user))
    today = timezone.localdate()
    roles = []
    for role, label in Application.Role.choices:
        mine = next((a for a in existing if a.role == role), None)
        check = services.eligibility(program=program, user=request.user, role=role, today=today, existing=existing)
        roles.append({"role": role, "label": label, "application": mine, "eligibility": check})
    context = {
        "program": program,
        "roles": roles,
        "milestones": program.milestones.all(),
        "resources": program.resources.all(),
        "objectives": program.objectives.all(),
        "channels": _channel_words(program.communication_channels),
        "frequency": CHOICE_WORDS.get(program.meeting_frequency, program.get_meeting_frequency_display()),
    }
    return render(request, "mentoring/program.html", context)


def _channel_words(channels):
    """ "in person or by video call": how the program suggests meeting, in the reader's language."""
    words = {"in_person": _("in person"), "video": _("by video call")}
    joiner = " {} ".format(_("or"))
    return joiner.join(words.get(c, _("by phone")) for c in channels or [])


def _role_or_404(role):
    if role not in Application.Role.values:
        raise Http404
    return role


def _application_for(request, program, role, *, create):
    """The member's own application; a new one only where the member is eligible."""
    application = Application.objects.filter(program=program, user=request.user, role=role).first()
    if application is not None and application.status != Application.Status.WITHDRAWN:
        return application, None
    check = services.eligibility(program=program, user=request.user, role=role)
    if not check.ok:
        return application, check
    if create:
        if application is None:
            application = services.start_application(program=program, user=request.user, role=role)
        else:
            application = services.reopen_application(application=application)
    return application, None


def _initial_from(application, form_fields):
    """What to show in the form: the unsent draft if there is one, else the saved answers."""
    if application.draft:
        initial = {}
        for name, values in application.draft.items():
            if name not in form_fields:
                continue
            multiple = isinstance(form_fields[name], forms.MultipleChoiceField)
            initial[name] = values if multiple else (values[0] if values else "")
        return initial
    initial = {name: getattr(application, name) for name in services.QUESTIONNAIRE_FIELDS}
    initial.update({f"q{pk}": value for pk, value in application.extra_answers.items()})
    return initial


def apply(request, program_id, role):
    """The questionnaire. Saving as a draft keeps everything as typed; sending validates it."""
    program = program_for_member_or_404(request.user, program_id)
    role = _role_or_404(role)
    application, refused = _application_for(request, program, role, create=request.method == "POST")
    if refused is not None:
        return render(
            request, "mentoring/not_eligible.html", {"program": program, "role": role, "eligibility": refused}
        )
    # A withdrawn application is shown again (answers kept) so the member can apply again; it
    # becomes a draft only when they save or send it.
    reapplying = application is not None and application.status == Application.Status.WITHDRAWN
    if application is not None and not application.is_editable and not reapplying:
        return render(request, "mentoring/apply_closed.html", {"program": program, "application": application})
    questions = list(program.questions.all())
    kwargs = {"program": program, "role": role, "questions": questions, "user": request.user}
    from_last_cycle = False
    if request.method == "POST":
        if request.POST.get("action") == "draft":
            services.save_draft(application=application, data=dict(request.POST.lists()))
            messages.success(request, _("Your draft is saved. Come back to it any time from here: press “Continue”."))
            return redirect("my_mentoring")  # the button says "and leave"
        form = QuestionnaireForm(request.POST, **kwargs)
        if form.is_valid():
            first_time = not application.is_sent
            try:
                services.submit_application(
                    application=application, answers=form.answers(), extra_answers=form.extra_answers()
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("my_mentoring")
            messages.success(
                request,
                (
                    _("Thank you, your application is sent. We emailed you a copy of what happens next.")
                    if first_time
                    else _("Your answers are updated.")
                ),
            )
            if first_time and items_for(program, [role]).exists():  # next step: the orientation
                return redirect("orientation", program.pk)
            return redirect("my_mentoring")
        # Keep what was typed even if the member closes the tab now.
        services.save_draft(application=application, data=dict(request.POST.lists()))
    else:
        form = QuestionnaireForm(**kwargs)
        if application is not None:
            form.initial = _initial_from(application, form.fields)
        else:
            # A member who applied to the cycle before this one finds their answers filled in.
            earlier = cycles.earlier_answers(program=program, user=request.user, role=role)
            form.initial = earlier or {
                "years_experience": request.user.profile.years_in_profession,
                "capacity": program.default_mentor_capacity,
                "languages": ["English"],
            }
            from_last_cycle = earlier is not None
    shown = None if reapplying else application
    context = {
        "program": program,
        "role": role,
        "application": shown,
        "form": form,
        "from_last_cycle": from_last_cycle,
    }
    return render(request, "mentoring/apply.html", context)


@require_POST
def autosave(request, program_id, role):
    """Called by the page as the member types (htmx): keeps the draft, answers a status line."""
    program = program_for_member_or_404(request.user, program_id)
    role = _role_or_404(role)
    application, refused = _application_for(request, program, role, create=True)
    if refused is not None or not application.is_editable:
        raise Http404
    services.save_draft(application=application, data=dict(request.POST.lists()))
    return render(request, "mentoring/_draft_status.html", {"application": application})


@require_POST
def withdraw(request, application_id):
    application = get_object_or_404(Application, pk=application_id, user=request.user)
    try:
        services.withdraw_application(application=application)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Your application to %(program)s is withdrawn. You can apply again while it is open.")
            % {"program": application.program},
        )
    return redirect("my_mentoring")


def resource_file(request, program_id, resource_id):
    """A training file, for the program's members and committee."""
    program_for_member_or_404(request.user, program_id)
    resource = get_object_or_404(Resource.objects.exclude(file=""), pk=resource_id, program_id=program_id)
    try:
        return FileResponse(
            resource.file.open("rb"), as_attachment=True, filename=resource.file.name.rsplit("/", 1)[-1]
        )
    except FileNotFoundError:
        raise Http404 from None


def appoint_chair(request, program_id):
    """Staff, the region's VP (leadership programs) or the current chair (new-member programs)
    choose the chair by name among the members of the program's area, then confirm."""
    program = get_object_or_404(Program.objects.select_related("region", "association"), pk=program_id)
    if not can_appoint_chair(request.user, program):
        raise Http404
    chair = program.committee.filter(role=CommitteeMembership.Role.CHAIR).select_related("user").first()
    members = services.members_of_program_area(program)
    if chair:
        members = members.exclude(pk=chair.user_id)
    form = AppointChairForm(request.POST or None, members=members)
    context = {"program": program, "form": form, "chair": chair}
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["person"]
        if not form.cleaned_data["confirm"]:
            return render(request, "mentoring/appoint_chair_confirm.html", {**context, "person": person})
        try:
            services.appoint_chair(program=program, user=person, by=request.user)
        except ValidationError as error:
            form.add_error("person", error)
        else:
            messages.success(
                request,
                _("%(person)s now chairs %(program)s. We emailed them.") % {"person": person, "program": program},
            )
            return redirect("home")
    return render(request, "mentoring/appoint_chair.html", context)


def next_cycle(request, program_id):
    """The chair (or staff) copies the program for its next cycle: the page shows what is copied
    and the new dates; "Show the new dates" recomputes them for another period, "Copy" copies."""
    program = get_object_or_404(Program.objects.select_related("region", "association__region"), pk=program_id)
    if not can_copy_program(request.user, program):
        raise Http404
    months = cycles.DEFAULT_MONTHS
    form = NextCycleForm(request.POST or None, initial={"months": months})
    if form.is_valid():
        months = form.cleaned_data["months"]
        if request.POST.get("action") == "copy":
            try:
                copy = cycles.copy_program(program=program, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is ready, with enrollment closed. Check its set-up, then open enrollment.")
                    % {"name": copy.name},
                )
                if copy.committee.filter(user=request.user, role=CommitteeMembership.Role.CHAIR).exists():
                    return redirect("committee:setup", copy.pk)
                return redirect("program", copy.pk)
    preview = cycles.next_cycle(program, months=months)
    if request.method == "GET":
        form.initial["name"] = preview.name
    return render(request, "mentoring/next_cycle.html", {"program": program, "form": form, "cycle": preview})
