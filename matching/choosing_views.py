"""Members choose their mentor (choosing.py): the mentee's page (the mentors on offer and their own
requests), asking one mentor, withdrawing a request. A program that does not let members choose has
none of these pages (404), nor has a program outside the member's area."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentoring.access import program_for_member_or_404
from mentoring.forms import LANGUAGES
from mentoring.models import Application

from . import choosing
from .forms import AskMentorForm, MentorFilterForm
from .models import Proposal

PAGE_SIZE = 20
Status = Proposal.Status


def _choosing_program_or_404(user, program_id):
    program = program_for_member_or_404(user, program_id)
    if not program.members_choose:
        raise Http404
    return program


def request_words(proposal) -> str:
    """Where a request stands, in words for the mentee who made it (kindly: never why a mentor said no)."""
    status = proposal.status
    if status == Status.AWAITING_MENTOR:
        until = proposal.asked_mentor_at + timedelta(days=proposal.program.mentor_answer_days)
        return _("Waiting for the mentor's answer, until %(date)s.") % {
            "date": formats.date_format(timezone.localtime(until), "DATE_FORMAT")
        }
    if status == Status.PROPOSED:
        return _("The mentor said yes. The committee confirms the pair next.")
    if status == Status.APPROVED:
        return _("Accepted: you are partners now.")
    if status == Status.MENTOR_DECLINED:
        return _("The mentor can't take you on this time. Thank you for asking: you can choose another mentor.")
    if status == Status.MENTOR_SILENT:
        return _("The mentor did not answer in time. You can choose another mentor.")
    if status == Status.REJECTED:
        return _("The committee did not confirm this pair. You can choose another mentor.")
    if status == Status.CANT_GO_AHEAD:
        return _("This request could not go ahead: something changed since you asked.")
    if status == Status.WITHDRAWN:
        return _("You withdrew this request.")
    if status == Status.ASK_CLOSED:
        return _("Closed: another mentor said yes.")
    return _("Closed.")


def _mentee_application(program, user):
    """The member's mentee application here, with the program and the member as this request
    has them already (no query more for either)."""
    application = choosing.mentee_application(program, user)
    if application is not None:
        application.program, application.user = program, user
    return application


def _without_page(query) -> str:
    query = query.copy()
    query.pop("page", None)
    return query.urlencode()


def _labels(application):
    """The mentor's languages in the reader's words (the stored values are English names)."""
    names = dict(LANGUAGES)
    application.language_labels = [names.get(value, value) for value in application.languages or ()]


def choose(request, program_id):
    """The mentee's page: their requests and where each stands, then the mentors they may ask,
    best fit first, with filters."""
    program = _choosing_program_or_404(request.user, program_id)
    mentee_app = _mentee_application(program, request.user)
    mine = choosing.proposals_of(mentee_app)
    problems = choosing.why_not_now(program, mentee_app, mine=mine)
    form = MentorFilterForm(request.GET if request.GET.keys() - {"page"} else None, program=program)
    page = None
    if not problems:
        choices = choosing.offered_mentors(mentee_app, mine=mine, **form.filters())
        page = Paginator(choices, PAGE_SIZE).get_page(request.GET.get("page"))
    asked = choosing.requests_of(mentee_app, mine=mine)
    for proposal in asked:
        proposal.program = program
        proposal.words = request_words(proposal)
        proposal.is_open = proposal.status in choosing.OPEN
    context = {
        "program": program,
        "problems": problems,
        "form": form,
        "page": page,
        "requests": asked,
        "query": _without_page(request.GET),
    }
    if page is not None:
        for choice in page:
            _labels(choice.application)
    return render(request, "matching/choose.html", context)


def ask(request, program_id, application_id):
    """One mentor, the pair's fit, and the note. The page exists only for a mentor this mentee may
    ask now (others, and mentors the rules keep apart from them, read as missing); a request sent
    when things changed meanwhile (the last place taken a moment ago) is answered in words."""
    program = _choosing_program_or_404(request.user, program_id)
    mentee_app = _mentee_application(program, request.user)
    mentor_app = get_object_or_404(
        Application.objects.select_related("user__profile__association"),
        pk=application_id,
        program=program,
        role=Application.Role.MENTOR,
        status__in=(Application.Status.IN_POOL, Application.Status.MATCHED),
    )
    if mentee_app is None or mentee_app.status != Application.Status.IN_POOL:
        raise Http404
    form = AskMentorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                choosing.ask_mentor(mentee_app=mentee_app, mentor_app=mentor_app, note=form.cleaned_data["note"])
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    _("Your request is sent. %(mentor)s answers within %(days)s days; we will email you.")
                    % {"mentor": mentor_app.user.get_full_name(), "days": program.mentor_answer_days},
                )
                return redirect("choose_mentor", program.pk)
        choice = choosing.offered_mentor(mentee_app, mentor_app)  # the fit, while it still holds
    else:
        choice = choosing.offered_mentor(mentee_app, mentor_app)
        if choice is None:
            raise Http404
    _labels(mentor_app)
    context = {"program": program, "mentor": mentor_app, "choice": choice, "form": form}
    return render(request, "matching/ask.html", context)


@require_POST
def withdraw(request, proposal_id):
    proposal = get_object_or_404(
        Proposal, pk=proposal_id, origin=Proposal.Origin.MEMBER, mentee_application__user=request.user
    )
    try:
        choosing.withdraw(proposal=proposal, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your request is withdrawn. The mentor is told that nothing more is needed."))
    return redirect("choose_mentor", proposal.program_id)
