"""The committee's matching queue. Confidential (it shows questionnaire answers): the pledge
and, where the program requires it, two-factor sign-in come first. Only the chair decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from mentoring import compiled, orientation
from mentoring.access import committee_view, confidential_headers
from mentoring.models import Application, Partnership
from mentoring.services import held_back_words
from outbox.models import Suppression

from . import choosing, engine, services, words
from .engine import shown_score
from .forms import CommentForm, DecideForm, ManualPairForm, MentorAnswerForm, RunForm, UndoRejectionForm, WeightsForm
from .models import MatchRun, Proposal

PAGE_SIZE = 100


CLOSED_WITH_A_REASON = [
    Proposal.Status.MENTOR_FULL,
    Proposal.Status.MENTOR_DECLINED,
    Proposal.Status.MENTOR_SILENT,
    Proposal.Status.CANT_GO_AHEAD,
]


def _open_proposals(program):
    return Proposal.objects.filter(program=program, status=Proposal.Status.PROPOSED)


def _bounced(email_field):
    """When the email provider reported that this address bounced (or complained), if it did."""
    found = Suppression.objects.of_address(email_field)
    return found.values("occurred_at")[:1]


def _queue_proposals(program_id):
    return _open_proposals(program_id).select_related(
        "mentee_application__user__profile__association", "mentor_application__user__profile__association"
    )


def _recent_partnerships(program_id):
    return (
        Partnership.objects.filter(program=program_id).select_related("mentee", "mentor").order_by("-created_at")[:10]
    )


def _last_run(program_id):
    return MatchRun.objects.filter(program=program_id).select_related("started_by")[:1]


def _awaiting_mentor(program_id):
    return (
        Proposal.objects.filter(program=program_id, status=Proposal.Status.AWAITING_MENTOR)
        .select_related("mentee_application__user", "mentor_application__user")
        # The mentor's address bounced: the ask will not reach them (outbox.suppression).
        .annotate(mentor_bounced_at=Subquery(_bounced("mentor_application__user__email")))
    )


def _pool(program_id):
    """The pool's mentees and mentors, as one row (none when the pool is empty)."""
    return (
        Application.objects.filter(program=program_id, status=Application.Status.IN_POOL)
        .order_by()
        .values("program")
        .annotate(mentees=Count("pk", filter=Q(role="mentee")), mentors=Count("pk", filter=Q(role="mentor")))
        .values("mentees", "mentors")
    )


@committee_view(confidential=True)
def queue(request, seat):
    program = seat.program
    # What every request reads is compiled once per process (mentoring.compiled): the last run,
    # the page of proposals with their people (and their count), the pool's counts, the
    # proposals waiting for their mentor and the recent partnerships.
    run = next(iter(compiled.objects("queue-run", _last_run, program_id=program.pk)), None)
    page = compiled.page(
        "queue-proposals", _queue_proposals, request.GET.get("page"), per_page=PAGE_SIZE, program_id=program.pk
    )
    unmatched = []
    why_not = {("proposal", p.pk): p.why_not for p in page}
    if run and run.status == MatchRun.Status.DONE and run.unmatched:
        waiting = Application.objects.filter(
            pk__in=[u["application"] for u in run.unmatched], status=Application.Status.IN_POOL
        ).select_related("user")
        by_id = {a.pk: a for a in waiting}
        unmatched = [(by_id[u["application"]], u) for u in run.unmatched if u["application"] in by_id]
    if run and run.status == MatchRun.Status.DONE:
        # Mentees whose proposed mentor filled up with someone else's approval wait again, saying so.
        closed = (
            Proposal.objects.filter(program=program, status__in=CLOSED_WITH_A_REASON, created_at__gte=run.created_at)
            .filter(mentee_application__status=Application.Status.IN_POOL)
            .exclude(mentee_application__in=_open_proposals(program).values("mentee_application"))
            .select_related("mentee_application__user")
        )
        why = {p.mentee_application_id: (p.mentee_application, {"text": p.closed_text}) for p in closed}
        unmatched = [item for item in unmatched if item[0].pk not in why] + list(why.values())
    unmatched.sort(key=lambda item: -(item[0].days_waiting or 0))
    why_not.update({("waiting", application.pk): u.get("why_not") for application, u in unmatched})
    lines = services.why_not_lines(program, why_not)
    for p in page:
        p.why_not_line = lines.get(("proposal", p.pk), "")
        p.shown_score = shown_score(p.score)
    unmatched = [
        (application, {**u, "text": words.unmatched_text(u)}, lines.get(("waiting", application.pk), ""))
        for application, u in unmatched
    ]
    left_out = []
    if run and run.status == MatchRun.Status.DONE and run.left_out:
        held = Application.objects.filter(pk__in=[u["application"] for u in run.left_out]).select_related("user")
        by_id = {a.pk: a for a in held}
        left_out = [
            (by_id[u["application"]], held_back_words(u.get("why", u.get("text", ""))))
            for u in run.left_out
            if u["application"] in by_id
        ]
    # Who waits for the orientation now (shown with today's progress, not the last run's).
    orientation_count, orientation_waiting = orientation.waiting_in_pool(program)
    if orientation_waiting:
        shown = {a.pk for a in orientation_waiting}
        left_out = [(a, why) for a, why in left_out if a.pk not in shown]
    recent = compiled.objects("queue-recent", _recent_partnerships, program_id=program.pk)
    _, pool = compiled.rows("queue-pool", _pool, program_id=program.pk)
    context = {
        "seat": seat,
        "program": program,
        "run": run,
        "page": page,
        "unmatched": unmatched,
        "left_out": left_out,
        "orientation_waiting": orientation_waiting,
        "orientation_count": orientation_count,
        "awaiting": compiled.objects("queue-awaiting", _awaiting_mentor, program_id=program.pk),
        "recent": recent,
        "run_form": RunForm(),
        "pool": dict(zip(("mentees", "mentors"), pool[0] if pool else (0, 0), strict=True)),
    }
    return render(request, "matching/queue.html", context)


@require_POST
@committee_view(chair=True, confidential=True)
def run(request, seat):
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what matters most, then try again."))
        return redirect("committee:matching", seat.program_id)
    match_run = services.start_run(program=seat.program, by=request.user, policy=form.cleaned_data["policy"])
    if match_run.status == MatchRun.Status.DONE:
        count = match_run.proposals.count()
        messages.success(
            request,
            ngettext(
                "%(count)s proposal is ready: members being re-matched first, then the best pairs. "
                "Nothing is final until you approve.",
                "%(count)s proposals are ready: members being re-matched first, then the best pairs. "
                "Nothing is final until you approve.",
                count,
            )
            % {"count": count},
        )
    elif match_run.status == MatchRun.Status.FAILED:
        messages.error(
            request, _("Matching could not finish. The error is recorded; please try again or ask for help.")
        )
    return redirect("committee:matching", seat.program_id)


@committee_view(confidential=True)
def run_progress(request, seat, run_id):
    match_run = get_object_or_404(MatchRun, pk=run_id, program=seat.program)
    response = render(request, "matching/_progress.html", {"run": match_run, "program": seat.program})
    if match_run.is_finished and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"  # show the proposals
    return response


@require_POST
@committee_view(chair=True, confidential=True)
def decide(request, seat):
    """The ticked pairs approved or rejected at once: the queue's one way to decide (a button per
    row beside the tick-boxes made two ways, and a first-time chair could not tell them apart)."""
    open_ids = list(_open_proposals(seat.program).values_list("pk", flat=True))
    form = DecideForm(request.POST, proposal_ids=open_ids)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("committee:matching", seat.program_id)
    chosen = list(_open_proposals(seat.program).filter(pk__in=form.cleaned_data["proposals"]).order_by("-score"))
    if form.cleaned_data["action"] == "approve":
        approved, refused = services.approve_many(proposals=chosen, by=request.user)
        started = [p for p in approved if p is not None]
        if started:
            messages.success(
                request,
                ngettext(
                    "%(count)s partnership approved. The partners are introduced by email.",
                    "%(count)s partnerships approved. The partners are introduced by email.",
                    len(started),
                )
                % {"count": len(started)},
            )
        if asked := len(approved) - len(started):
            messages.success(
                request,
                ngettext(
                    "%(count)s pair approved: the mentor is asked to accept first; "
                    "both partners are introduced once they do.",
                    "%(count)s pairs approved: each mentor is asked to accept first; "
                    "both partners are introduced once they do.",
                    asked,
                )
                % {"count": asked},
            )
        for proposal, reason in refused:
            messages.error(request, _("Not approved: %(pair)s. %(reason)s") % {"pair": proposal, "reason": reason})
    else:
        for proposal in chosen:
            services.reject(proposal=proposal, by=request.user)
        messages.success(
            request,
            ngettext("%(count)s proposal rejected.", "%(count)s proposals rejected.", len(chosen))
            % {"count": len(chosen)},
        )
    return _after_decision(request, seat)


def _after_decision(request, seat, proposal=None):
    """Where a decision leads, like vetting's: the pair to decide next (on its own page when the
    decision was taken there), or back to what to do next once none waits."""
    following, _ = services.next_to_decide(seat.program)
    messages.info(request, services.next_line(seat.program))
    if following is None:
        return redirect("committee:dashboard", seat.program_id)
    if proposal is not None:
        return redirect("committee:proposal", seat.program_id, following.pk)
    return redirect("committee:matching", seat.program_id)


@committee_view(confidential=True)
def proposal_detail(request, seat, proposal_id):
    """One pair: the score and why, the decision log, comments; the chair approves, rejects,
    replaces it (by hand) or reconsiders a rejection here as well as in the queue."""
    proposal = get_object_or_404(
        Proposal.objects.select_related(
            "mentee_application__user__profile__association", "mentor_application__user__profile__association"
        ),
        pk=proposal_id,
        program=seat.program,
    )
    action = request.POST.get("action", "comment")
    if request.method == "POST" and action != "comment":
        return _decide_one(request, seat, proposal, action)
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.comment(proposal=proposal, by=request.user, text=form.cleaned_data["text"])
        messages.success(request, _("Your comment is added."))
        return redirect("committee:proposal", seat.program_id, proposal.pk)
    context = {
        "seat": seat,
        "program": seat.program,
        "proposal": proposal,
        "events": proposal.events.select_related("actor"),
        "form": form,
        "undo_form": UndoRejectionForm(),
        "shown_score": shown_score(proposal.score),
        "breakdown": _breakdown_rows(proposal),
        "has_preference": any(r["key"] == "preference" for r in proposal.rows),
        "why_not": services.why_not_lines(seat.program, {"this": proposal.why_not}).get("this", ""),
    }
    return render(request, "matching/proposal.html", context)


def _breakdown_rows(proposal):
    """The rows with whole points that add up to the score shown (engine.whole_points)."""
    rows = proposal.worded_rows
    shown = engine.whole_points(rows, shown_score(proposal.score))
    return [{**row, "shown": points, "shown_max": top} for row, (points, top) in zip(rows, shown, strict=True)]


def _decide_one(request, seat, proposal, action):
    if action not in ("approve", "reject", "undo") or not seat.is_chair:
        raise Http404
    try:
        if action == "approve":
            if services.approve(proposal=proposal, by=request.user) is None:
                messages.success(
                    request, _("Approved. The mentor is asked to accept; both are introduced once they do.")
                )
            else:
                messages.success(request, _("Approved. The partners are introduced by email."))
        elif action == "reject":
            services.reject(proposal=proposal, by=request.user, reason=request.POST.get("reason", "")[:2000])
            messages.success(request, _("Rejected. This pair will not be proposed again in this program."))
        else:
            form = UndoRejectionForm(request.POST)
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            services.undo_rejection(proposal=proposal, by=request.user, note=form.cleaned_data["note"])
            messages.success(request, _("Reconsidered. Later runs may propose this pair again."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if action != "undo":
            return _after_decision(request, seat, proposal)
    return redirect("committee:proposal", seat.program_id, proposal.pk)


@committee_view(chair=True, confidential=True)
def manual(request, seat):
    program = seat.program
    form = ManualPairForm(request.POST or None, program=program, initial={"mentee": request.GET.get("mentee")})
    warnings = []
    if request.method == "POST" and form.is_valid():
        try:
            services.replace_with_manual(
                program=program,
                mentee_app=form.cleaned_data["mentee"],
                mentor_app=form.cleaned_data["mentor"],
                by=request.user,
                confirmed=form.cleaned_data["confirm"],
            )
        except services.NeedsConfirmation as needs:
            warnings = needs.warnings
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The pair is in the queue. Approve it there to introduce them."))
            return redirect("committee:matching", program.pk)
    return render(
        request, "matching/manual.html", {"seat": seat, "program": program, "form": form, "warnings": warnings}
    )


@committee_view(chair=True, confidential=True)
def weights(request, seat):
    program = seat.program
    form = WeightsForm(request.POST or None, weights=services.weights_for(program))
    preview = None
    if request.method == "POST" and form.is_valid():
        if request.POST.get("action") == "save":
            services.save_weights(program=program, weights=form.weights())
            messages.success(request, _("The weights are saved. Propose matches again to use them."))
            return redirect("committee:matching", program.pk)
        preview = services.preview(program=program, weights=form.weights(), policy=form.cleaned_data["policy"])
    return render(
        request, "matching/weights.html", {"seat": seat, "program": program, "form": form, "preview": preview}
    )


@require_POST
@committee_view(chair=True, confidential=True)
def notify_unmatched(request, seat):
    match_run = MatchRun.objects.filter(program=seat.program, status=MatchRun.Status.DONE).first()
    if match_run is None:
        raise Http404
    sent = services.notify_unmatched(run=match_run, by=request.user)
    messages.success(
        request,
        ngettext(
            "A kind note goes to %(count)s member still waiting.",
            "A kind note goes to %(count)s members still waiting.",
            sent,
        )
        % {"count": sent},
    )
    return redirect("committee:matching", seat.program_id)


# --- The mentor's answer to a proposed pair (programs where the mentor accepts first) -----------


NOT_NOW = gettext_lazy(
    "Thank you. This match can’t go ahead any more: something changed since the committee proposed it. "
    "Nothing more is needed from you."
)


@login_not_required
@never_cache
@confidential_headers
def mentor_answer(request, token):
    """Opens from the mentor's email without a password, or from their home page: this one
    proposal, for this mentor only; answered once, within the program's days."""
    proposal = services.proposal_for_mentor_token(token)
    if proposal is None:
        return render(request, "matching/mentor_answer_closed.html", {"why": "broken"}, status=410)
    if not (proposal.mentor_application.user.is_active and proposal.mentee_application.user.is_active):
        # An account closed or erased since: nothing of either member is shown any more.
        return render(request, "matching/mentor_answer_closed.html", {"why": "gone"}, status=410)
    if proposal.status != Proposal.Status.AWAITING_MENTOR or services.mentor_link_expired(proposal):
        why = "answered" if proposal.status != Proposal.Status.AWAITING_MENTOR else "expired"
        if proposal.status in (Proposal.Status.WITHDRAWN, Proposal.Status.ASK_CLOSED):
            why = "closed"  # a member's request closed before the answer (never saying why)
        return render(request, "matching/mentor_answer_closed.html", {"why": why, "proposal": proposal})
    if proposal.origin == Proposal.Origin.MEMBER and proposal.mentee_application.status != Application.Status.IN_POOL:
        # The mentee withdrew their application since asking (the hourly job closes the request).
        return render(request, "matching/mentor_answer_closed.html", {"why": "closed", "proposal": proposal})
    form = MentorAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        accept = form.cleaned_data["answer"] == "accept"
        try:
            services.mentor_answers(proposal=proposal, accept=accept, note=form.cleaned_data["note"])
        except services.NoLongerMatchable:
            # What changed for the mentee is not the mentor's to read (the chair's approval shows it).
            form.add_error(None, NOT_NOW)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "matching/mentor_answer_done.html", {"accepted": accept, "proposal": proposal})
    context = {"proposal": proposal, "mentee": proposal.mentee_application, "form": form, "program": proposal.program}
    if proposal.origin == Proposal.Origin.MEMBER:  # the mentee chose them: their note is for the mentor
        context["note"] = choosing.note_of(proposal)
    return render(request, "matching/mentor_answer.html", context)
