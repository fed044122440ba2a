"""The chair's surveys: questions added to the periodic feedback and to the close-out survey,
and a preview of what partners see."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from mentoring.access import committee_view
from mentoring.forms import TEXT_LANGUAGES as LANGUAGES

from . import surveys
from .forms import ResponseForm, SurveyQuestionForm
from .models import SurveyQuestion

ROLES = {"mentee": gettext_lazy("a mentee"), "mentor": gettext_lazy("a mentor")}


def _question(seat, question_id):
    return get_object_or_404(SurveyQuestion, pk=question_id, program=seat.program)


def _save(request, form, save):
    """Run `save` with the form's data; a rule broken comes back on the form, in words."""
    data = form.cleaned_data
    try:
        return save(
            survey=data["survey"],
            audience=data["audience"],
            kind=data["kind"],
            required=data["required"],
            **form.wording(),
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@committee_view(chair=True)
def surveys_page(request, seat):
    program = seat.program
    form = SurveyQuestionForm(request.POST or None, initial={"survey": request.GET.get("survey")})
    if request.method == "POST" and form.is_valid():
        if _save(request, form, lambda **data: surveys.add_question(program=program, **data)):
            messages.success(request, _("The question is added. Partners are asked it from the next round on."))
            return redirect("committee:surveys", program.pk)
    questions = surveys.with_current_versions(
        SurveyQuestion.objects.filter(program=program).annotate(answered=Count("answers__response", distinct=True))
    )
    sections = [
        (key, label, [(q, v) for q, v in questions if q.survey == key]) for key, label in SurveyQuestion.Survey.choices
    ]
    context = {"seat": seat, "program": program, "form": form, "sections": sections, "roles": ROLES}
    return render(request, "feedback/committee/surveys.html", context)


@committee_view(chair=True)
def survey_edit(request, seat, question_id):
    question = _question(seat, question_id)
    (_same, version), *_others = surveys.with_current_versions([question])
    initial = {
        **{
            f"{name}_{code}": getattr(version, f"{name}_{code}") for name in ("text", "help_text") for code in LANGUAGES
        },
        **{f"choices_{code}": "\n".join(getattr(version, f"choice_labels_{code}") or []) for code in LANGUAGES},
        "survey": question.survey,
        "audience": question.audience,
        "kind": question.kind,
        "required": question.required,
    }
    form = SurveyQuestionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if _save(request, form, lambda **data: surveys.edit_question(question=question, **data)):
            messages.success(
                request, _("The question is saved. Answers already given keep the wording they were given under.")
            )
            return redirect("committee:surveys", seat.program_id)
    context = {
        "seat": seat,
        "program": seat.program,
        "form": form,
        "question": question,
        "answered": question.answers.exists(),
        "versions": question.versions.order_by("-number"),
    }
    return render(request, "feedback/committee/survey_edit.html", context)


@require_POST
@committee_view(chair=True)
def survey_retire(request, seat, question_id):
    question = _question(seat, question_id)
    surveys.set_active(question=question, active=not question.active)
    messages.success(
        request,
        _("The question is asked again from the next round on.")
        if not question.active
        else _("The question is no longer asked. Answers already given stay in the reports."),
    )
    return redirect("committee:surveys", seat.program_id)


@require_POST
@committee_view(chair=True)
def survey_move(request, seat, question_id):
    question = _question(seat, question_id)
    if request.POST.get("direction") not in ("up", "down"):
        raise Http404
    surveys.move_question(question=question, up=request.POST["direction"] == "up")
    return redirect("committee:surveys", seat.program_id)


@committee_view(chair=True)
def survey_preview(request, seat):
    """What a partner sees: the default questions, then the chair's, for one survey and role."""
    survey = request.GET.get("survey", SurveyQuestion.Survey.PERIODIC)
    role = request.GET.get("role", "mentee")
    if survey not in SurveyQuestion.Survey.values or role not in ROLES:
        raise Http404
    final = survey == SurveyQuestion.Survey.CLOSEOUT
    asked = surveys.questions_for(program=seat.program, final=final, role=role)
    context = {
        "seat": seat,
        "program": seat.program,
        "form": ResponseForm(survey=asked, auto_id="preview_%s"),
        "survey": survey,
        "survey_label": SurveyQuestion.Survey(survey).label,
        "role": role,
        "role_label": ROLES[role],
        "final": final,
        "surveys": SurveyQuestion.Survey.choices,
        "roles": ROLES,
    }
    return render(request, "feedback/committee/survey_preview.html", context)
