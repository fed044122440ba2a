"""The feedback form behind an emailed link, and a partner's concern raised between rounds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from accounts.language import in_the_emails_language
from leadership import services as leadership
from mentoring.access import confidential_headers, partnership_for_partner_or_404
from mentoring.models import Program

from . import services, surveys
from .forms import ConcernForm, ResponseForm

LINK_PROBLEMS = {
    "invalid": _("This link doesn't work. It may have been copied only in part."),
    "expired": _("This link has expired. Feedback links work for a limited time, to keep your answers safe."),
    "used": _("This feedback has already been sent. Thank you!"),
    "closed": _("This partnership has ended, so this feedback round is closed."),
}


@login_not_required
@never_cache
@confidential_headers
def answer(request, token):
    """Opens without a password, for this person and round only; works once."""
    try:
        solicitation = services.solicitation_for_token(token)
    except services.LinkProblem as problem:
        context = {"problem": problem.kind, "message": LINK_PROBLEMS[problem.kind]}
        return render(request, "feedback/link_problem.html", context, status=200 if problem.kind == "used" else 410)
    in_the_emails_language(request, solicitation.respondent)
    partnership = solicitation.partnership
    leadership_mentor = solicitation.role == "mentor" and partnership.program.kind == Program.Kind.LEADERSHIP
    survey = surveys.questions_for(
        program=partnership.program,
        final=solicitation.is_final,
        role=solicitation.role,
        seen=request.POST.getlist("wording"),  # the wordings the form was shown with
    )
    form = ResponseForm(request.POST or None, leadership_mentor=leadership_mentor, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(solicitation=solicitation, answers=form.cleaned_data, survey=survey)
        except services.LinkProblem:
            pass  # a double click: the first one was stored
        # A mentor who recommends the mentee here is offered the recommendation itself (asked to
        # the mentee first): the feedback answer alone never reaches the region's VP.
        offer = form.cleaned_data.get("recommends_for_leadership") and leadership.standing(partnership) is None
        return render(
            request, "feedback/thanks.html", {"program": partnership.program, "recommend": offer and partnership}
        )
    context = {
        "form": form,
        "solicitation": solicitation,
        "partner": partnership.partner_of(solicitation.respondent),
        "program": partnership.program,
    }
    return render(request, "feedback/answer.html", context)


@confidential_headers
def concern(request, partnership_id):
    partnership = partnership_for_partner_or_404(request.user, partnership_id)
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.raise_concern(partnership=partnership, by=request.user, text=form.cleaned_data["text"])
        messages.success(
            request, _("Thank you. The committee has your message and will be in touch with you, not your partner.")
        )
        return redirect("partnership", partnership.pk)
    return render(request, "feedback/concern.html", {"form": form, "partnership": partnership})
