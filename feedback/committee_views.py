"""The committee's partnerships: the attention queue, each partnership's confidential record
(every read of it recorded), and what the committee does about it."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mentoring.access import committee_view, record_reads
from mentoring.models import ConfidentialAccess, Partnership
from partnerships import life
from partnerships.agreements import timeline_progress
from partnerships.models import Agreement

from . import services, surveys
from .forms import CompleteForm, DissolveForm, ExtendForm, FollowUpForm, SendAgainForm
from .models import Concern, Solicitation

PAGE_SIZE = 50


@committee_view(confidential=True)
def partnerships(request, seat):
    program = seat.program
    attention = services.partnerships_needing_attention(program)
    listing = (
        Partnership.objects.filter(program=program)
        .select_related("mentee", "mentor", "agreement")
        .annotate(
            answered=Count("solicitations", filter=Q(solicitations__status=Solicitation.Status.ANSWERED)),
            asked=Count("solicitations"),
        )
        .order_by("status", "-started_on", "pk")
    )
    status = request.GET.get("status", "active")
    if status in Partnership.Status.values:
        listing = listing.filter(status=status)
    page = Paginator(listing, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    progress = timeline_progress(page.object_list)
    for p in page.object_list:
        p.timeline = progress[p.pk]
    context = {
        "seat": seat,
        "program": program,
        "attention": attention,
        "page": page,
        "status": status,
        "statuses": Partnership.Status.choices,
        "stuck": services.stuck_solicitations().filter(partnership__program=program).count(),
    }
    return render(request, "feedback/committee/partnerships.html", context)


def _partnership(seat, partnership_id):
    return get_object_or_404(
        Partnership.objects.select_related("mentee__profile", "mentor__profile", "program"),
        pk=partnership_id,
        program=seat.program,
    )


# The four forms of a partnership's page share field names ("note"): each has its own ids, so
# every label names its own field.
FORMS = {"follow-up": FollowUpForm, "extend": ExtendForm, "complete": CompleteForm, "dissolve": DissolveForm}


def _form(action, data=None):
    return FORMS[action](data, auto_id=f"id_{action.replace('-', '_')}_%s")


@committee_view(confidential=True)
def partnership_detail(request, seat, partnership_id):
    return _detail(request, seat, _partnership(seat, partnership_id))


def _detail(request, seat, partnership, *, bound=None):
    """The confidential record, every read recorded. `bound`: {action: form} that came back with
    errors, shown again with what was typed."""
    # Newest first; the latest answer that raised the alert is marked (until a follow-up after it).
    responses = list(partnership.responses.select_related("respondent").order_by("-submitted_at", "-pk"))
    concerns = list(partnership.concerns.select_related("raised_by", "resolved_by"))
    follow_ups = list(partnership.follow_ups.select_related("author"))
    # Every read of confidential data is recorded: who, when, which rows.
    survey_answers = surveys.answers_by_response(responses)
    for r in responses:
        r.survey = survey_answers.get(r.pk, [])
    reads = [("feedback response", r.pk) for r in responses] + [("concern", c.pk) for c in concerns]
    reads += [("survey answer", pk) for r in responses for a in r.survey for pk in a["pks"]]
    reads += [("follow-up note", f.pk) for f in follow_ups if f.note]
    if partnership.end_note:
        reads.append(("dissolution reason", partnership.pk))
    record_reads(
        user=request.user,
        program=seat.program,
        what="partnership record",
        partnership=partnership,
        path=request.path,
        items=reads,
    )
    raised = next((r for r in responses if r.needs_attention), None)
    if raised is not None and any(f.created_at >= raised.submitted_at for f in follow_ups):
        raised = None  # followed up since
    context = {
        "seat": seat,
        "program": seat.program,
        "partnership": partnership,
        "responses": responses,
        "raised_alert": raised.pk if raised else None,
        "concerns": concerns,
        "follow_ups": follow_ups,
        "solicitations": partnership.solicitations.order_by("-round", "role"),
        "goals": partnership.goals.all(),
        "agreement": Agreement.objects.filter(partnership=partnership).first(),
        "timeline": timeline_progress([partnership])[partnership.pk],
        "meetings": partnership.meetings.all()[:10],
        "bounced": services.partners_bounced(partnership),  # their emails do not arrive
    }
    bound = bound or {}
    for action in FORMS:
        context[f"{action.replace('-', '_')}_form"] = bound[action] if action in bound else _form(action)
    return render(request, "feedback/committee/partnership.html", context)


@require_POST
@committee_view(confidential=True)
def act(request, seat, partnership_id, action):
    """Follow-up notes and sending a refused feedback email again by any committee member;
    extending, completing and dissolving by the chair."""
    partnership = _partnership(seat, partnership_id)
    if action == "send-again":
        return _send_again(request, seat, partnership)
    if action not in FORMS or (action != "follow-up" and not seat.is_chair):
        raise Http404
    form = _form(action, request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request, f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}".lstrip(": ")
            )
        return _detail(request, seat, partnership, bound={action: form})
    data = form.cleaned_data
    try:
        if action == "follow-up":
            services.note_follow_up(partnership=partnership, by=request.user, note=data["note"])
            messages.success(request, _("Your note is kept with the partnership."))
        elif action == "extend":
            life.extend(partnership=partnership, by=request.user, months=data["months"], note=data["note"])
            messages.success(
                request,
                ngettext("Extended by %(months)s month.", "Extended by %(months)s months.", data["months"])
                % {"months": data["months"]},
            )
        elif action == "complete":
            life.complete(partnership=partnership, by=request.user, note=data["note"])
            messages.success(request, _("The partnership is complete. Both partners are thanked by email."))
        else:
            life.dissolve(
                partnership=partnership,
                by=request.user,
                reason=data["reason"],
                note=data["note"],
                rematch=data["rematch"],
            )
            messages.success(
                request,
                _(
                    "The partnership has ended. The mentee is back in the matching pool, first in line. "
                    "Both partners are told kindly by email."
                )
                if data["rematch"]
                else _("The partnership has ended. Both partners are told kindly by email."),
            )
            if data["rematch"]:
                return redirect("committee:matching", seat.program_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("committee:partnership", seat.program_id, partnership.pk)


def _send_again(request, seat, partnership):
    form = SendAgainForm(request.POST)
    if not form.is_valid():
        raise Http404
    solicitation = get_object_or_404(Solicitation, pk=form.cleaned_data["solicitation"], partnership=partnership)
    try:
        services.send_again(solicitation=solicitation, by=request.user)
        messages.success(
            request,
            _("The feedback email goes out again within a minute or two. If it is refused again, it shows here."),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("committee:partnership", seat.program_id, partnership.pk)


@require_POST
@committee_view(confidential=True)
def resolve_concern(request, seat, concern_id):
    concern = get_object_or_404(Concern, pk=concern_id, partnership__program=seat.program, resolved_at__isnull=True)
    services.resolve_concern(concern=concern, by=request.user, note=request.POST.get("note", "")[:2000])
    messages.success(request, _("The concern is marked as dealt with."))
    return redirect("committee:partnership", seat.program_id, concern.partnership_id)


@committee_view(chair=True, confidential=True)
def audit(request, seat):
    """Who read which confidential record when, and who was refused (the chair's view)."""
    rows = (
        ConfidentialAccess.objects.filter(program=seat.program)
        .select_related("user", "partnership__mentee", "partnership__mentor", "application__user")
        .order_by("-created_at", "-id")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(request, "feedback/committee/audit.html", {"seat": seat, "program": seat.program, "page": page})
