"""The committee's pages, under /committee/<program_id>/. Every view gets its seat from
`committee_view`, so a person without a seat on this program's committee gets 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import compiled, orientation, services
from .access import committee_view, record_reads
from .forms import (
    SETUP_SECTIONS,
    CommitteeMemberForm,
    MilestoneFormSet,
    ObjectiveFormSet,
    ProgramSetupForm,
    QuestionForm,
    ResourceForm,
    VettingForm,
)
from .history import mentoring_history
from .models import Application, CommitteeMembership, Program, Question, Resource

Status = Application.Status
PAGE_SIZE = 25


def committee_home(request):
    seats = CommitteeMembership.objects.filter(user=request.user).select_related("program")
    return render(request, "mentoring/committee/home.html", {"seats": seats})


@committee_view()
def pledge(request, seat):
    if request.method == "POST":
        if request.POST.get("accept") != "yes":
            messages.error(request, _("Please tick the box to accept the pledge."))
        else:
            services.accept_pledge(seat=seat)
            messages.success(request, _("Thank you. Your pledge is recorded."))
            return redirect("committee:dashboard", seat.program_id)
    return render(request, "mentoring/committee/pledge.html", {"seat": seat, "program": seat.program})


@committee_view(chair=True)
def setup(request, seat):
    """The program's set-up: the checklist of what it needs before enrollment opens, and its
    sections, each opened and saved on its own (``?section=essentials``). A post without a
    section saves the whole set-up at once."""
    program = seat.program
    section = request.POST.get("section") or request.GET.get("section") or None
    if section is not None and section not in SETUP_SECTIONS:
        raise Http404
    if request.method == "GET" and section is None:
        context = {
            "seat": seat,
            "program": program,
            "checklist": services.setup_checklist(program),
            "sections": [(key, title) for key, (title, _) in SETUP_SECTIONS.items()],
        }
        return render(request, "mentoring/committee/setup_overview.html", context)
    data = request.POST if request.method == "POST" else None
    with_fields = section != "timeline"
    with_timeline = section in (None, "timeline")
    form = ProgramSetupForm(data, instance=program, section=section) if with_fields else None
    objectives = ObjectiveFormSet(data, instance=program, prefix="objectives") if with_timeline else None
    milestones = MilestoneFormSet(data, instance=program, prefix="milestones") if with_timeline else None
    parts = [part for part in (form, objectives, milestones) if part is not None]
    if request.method == "POST":
        with transaction.atomic():
            # One set-up save at a time per program: the limits on objectives and milestones are
            # counted and kept under this lock.
            Program.objects.select_for_update().filter(pk=program.pk).exists()
            saved = all([part.is_valid() for part in parts])
            if saved:
                for part in parts:
                    part.save()
        if saved:
            what = SETUP_SECTIONS[section][0].lower() if section else _("the whole set-up")
            messages.success(request, _("Saved: %(what)s.") % {"what": what})
            if request.POST.get("next") == "dashboard":  # from the dashboard's "what to do next"
                return redirect("committee:dashboard", program.pk)
            return redirect("committee:setup", program.pk)
    context = {
        "seat": seat,
        "program": program,
        "form": form,
        "objectives": objectives,
        "milestones": milestones,
        "section": section,
        "next": request.GET.get("next") or request.POST.get("next"),
        "title": SETUP_SECTIONS[section][0] if section else _("The whole set-up"),
    }
    return render(request, "mentoring/committee/setup.html", context)


@committee_view(chair=True)
def questions(request, seat):
    program = seat.program
    form = QuestionForm(request.POST or None, instance=Question(program=program))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The question is added to the questionnaire."))
        return redirect("committee:questions", program.pk)
    context = {"seat": seat, "program": program, "form": form, "questions": program.questions.all()}
    return render(request, "mentoring/committee/questions.html", context)


@committee_view(chair=True)
def question_edit(request, seat, question_id):
    question = get_object_or_404(Question, pk=question_id, program=seat.program)
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The question is saved."))
        return redirect("committee:questions", seat.program_id)
    return render(
        request, "mentoring/committee/question_edit.html", {"seat": seat, "program": seat.program, "form": form}
    )


@require_POST
@committee_view(chair=True)
def question_delete(request, seat, question_id):
    question = get_object_or_404(Question, pk=question_id, program=seat.program)
    question.delete()
    messages.success(
        request,
        _("“%(question)s” is removed from the questionnaire. Answers already given are kept.")
        % {"question": question.text},
    )
    return redirect("committee:questions", seat.program_id)


@committee_view(chair=True)
def resources(request, seat):
    program = seat.program
    form = ResourceForm(request.POST or None, request.FILES or None, instance=Resource(program=program))
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The resource is added. Members see it on the program page."))
        return redirect("committee:resources", program.pk)
    context = {"seat": seat, "program": program, "form": form, "resources": program.resources.all()}
    return render(request, "mentoring/committee/resources.html", context)


@require_POST
@committee_view(chair=True)
def resource_delete(request, seat, resource_id):
    resource = get_object_or_404(Resource, pk=resource_id, program=seat.program)
    if resource.file:
        resource.file.delete(save=False)
    resource.delete()
    messages.success(request, _("“%(title)s” is removed.") % {"title": resource.title})
    return redirect("committee:resources", seat.program_id)


@committee_view()
def members(request, seat):
    """Everyone on the committee sees who is on it; the chair adds and removes people."""
    program = seat.program
    form = CommitteeMemberForm(request.POST or None) if seat.is_chair else None
    if request.method == "POST":
        if not seat.is_chair:
            raise Http404
        if form.is_valid():
            person = services.find_member(form.cleaned_data["email"])
            if person is None:
                form.add_error("email", _("No member has this email address. Check it, or ask them to sign up first."))
            else:
                try:
                    services.add_committee_member(
                        program=program, user=person, role=form.cleaned_data["role"], by=request.user
                    )
                except ValidationError as error:
                    form.add_error("email", error)
                else:
                    messages.success(
                        request,
                        _("%(person)s joins the committee. We emailed them to accept the pledge.") % {"person": person},
                    )
                    return redirect("committee:members", program.pk)
    context = {
        "seat": seat,
        "program": program,
        "form": form,
        "committee": program.committee.select_related("user", "appointed_by"),
    }
    return render(request, "mentoring/committee/members.html", context)


@require_POST
@committee_view(chair=True)
def member_remove(request, seat, seat_id):
    other = get_object_or_404(CommitteeMembership.objects.select_related("user"), pk=seat_id, program=seat.program)
    try:
        services.remove_committee_member(seat=other, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(person)s has left the committee.") % {"person": other.user})
    return redirect("committee:members", seat.program_id)


# --- Confidential: questionnaires and vetting --------------------------------------------------

FILTERS = {
    "vetting": (
        gettext_lazy("Mentors awaiting vetting"),
        Q(role="mentor", status__in=[Status.AWAITING_VETTING, Status.MORE_INFO]),
    ),
    "mentors": (gettext_lazy("Mentors ready to match"), Q(role="mentor", status=Status.IN_POOL)),
    "mentees": (gettext_lazy("Mentees waiting for a match"), Q(role="mentee", status=Status.IN_POOL)),
    "all": (gettext_lazy("All sent applications"), ~Q(status=Status.DRAFT)),
}


def _application_list(request, seat, which):
    title, condition = FILTERS[which]
    program = seat.program
    gated = which == "vetting" and orientation.gates(program, Program.OrientationRequired.BEFORE_VETTING)

    def lists(program_id):
        """(the list, those waiting for the orientation apart or None): the same shape for every
        program, for a given `which` and `gated`."""
        applications = (
            Application.objects.filter(condition, program=program_id)
            .select_related("user__profile__association")
            .annotate(note_count=Count("vetting_notes"))
            .order_by("submitted_at", "id")
        )
        if which != "vetting":
            return applications, None
        # Candidates still doing the required orientation wait apart, without a decision to make.
        return orientation.split_for_vetting(applications, program)

    # Compiled once per process (mentoring.compiled): the page of applications and its count,
    # and the first ones waiting for the orientation (counted only when there may be more).
    if gated:
        key = ("applications-waiting", which)
        first = compiled.objects(key, lambda program_id: lists(program_id)[1][:PAGE_SIZE], program_id=program.pk)
        more = len(first) == PAGE_SIZE
        count = (
            compiled.count(key, lambda program_id: lists(program_id)[1], program_id=program.pk) if more else len(first)
        )
        waiting = {"count": count, "first": first} if first else None
    else:
        waiting = None  # (split_for_vetting's waiting is none(): nothing to read)
    page = compiled.page(
        ("applications", which, gated),
        lambda program_id: lists(program_id)[0],
        request.GET.get("page"),
        per_page=PAGE_SIZE,
        program_id=program.pk,
    )
    context = {
        "seat": seat,
        "program": seat.program,
        "page": page,
        "which": which,
        "title": title,
        "filters": FILTERS,
        "waiting": waiting,
    }
    return render(request, "mentoring/committee/applications.html", context)


@committee_view(confidential=True)
def vetting(request, seat):
    return _application_list(request, seat, "vetting")


@committee_view(confidential=True)
def applications(request, seat):
    which = request.GET.get("show", "all")
    return _application_list(request, seat, which if which in FILTERS else "all")


@committee_view(confidential=True)
def application_detail(request, seat, application_id):
    application = get_object_or_404(
        Application.objects.select_related("user__profile__association").exclude(status=Status.DRAFT),
        pk=application_id,
        program=seat.program,
    )
    progress = None
    undecided = application.status in (Status.AWAITING_VETTING, Status.MORE_INFO)
    if application.role == Application.Role.MENTOR and undecided:
        if orientation.gates(seat.program, Program.OrientationRequired.BEFORE_VETTING):
            progress = orientation.orientation_for(seat.program, application.user, [application.role])
    waits = progress is not None and not progress.finished
    form = VettingForm(request.POST or None, note_only=waits) if application.role == Application.Role.MENTOR else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.vet_mentor(application=application, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if form.cleaned_data["decision"] == "note":
                messages.success(request, _("Recorded."))
                return redirect("committee:vetting", seat.program_id)
            # On to the next candidate waiting, so that vetting several is one page each.
            candidates = Application.objects.filter(
                program=seat.program, role=Application.Role.MENTOR, status=Status.AWAITING_VETTING
            )
            following = (
                orientation.split_for_vetting(candidates, seat.program)[0]
                .exclude(pk=application.pk)
                .select_related("user")
                .order_by("submitted_at", "pk")
                .first()
            )
            if following is None:  # back to what to do next
                messages.success(
                    request, _("Decision recorded; the candidate is emailed. Nobody else waits for vetting.")
                )
                return redirect("committee:dashboard", seat.program_id)
            messages.success(
                request,
                _("Decision recorded; the candidate is emailed. Next: %(person)s.") % {"person": following.user},
            )
            return redirect("committee:application", seat.program_id, following.pk)
    questions = {str(q.pk): q for q in seat.program.questions.all()}
    extra = [
        (questions.get(pk), questions[pk].words_for(value) if pk in questions else value)
        for pk, value in application.extra_answers.items()
    ]
    notes = list(application.vetting_notes.select_related("author"))
    record_reads(
        user=request.user,
        program=seat.program,
        what="questionnaire",
        application=application,
        path=request.path,
        items=[("vetting note", n.pk) for n in notes],
    )
    context = {
        "seat": seat,
        "program": seat.program,
        "application": application,
        "profile": application.user.profile,
        "notes": notes,
        "extra": extra,
        "form": form,
        "orientation": progress,
        "waits_for_orientation": waits,
        # A mentor candidate's partnerships in every program (dates and hours, no partner names).
        "history": mentoring_history(application.user) if application.role == Application.Role.MENTOR else None,
    }
    return render(request, "mentoring/committee/application_detail.html", context)
