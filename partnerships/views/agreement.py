"""The agreement and the timeline's milestones on the partnership page (its two partners only):
confirm the agreement, add one's own terms, mark a milestone done (or undo it)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentoring.access import partnership_for_partner_or_404
from mentoring.models import Milestone

from .. import agreements
from ..forms import AgreementTermsForm, MilestoneDoneForm


def milestone_form(milestone, data=None):
    # One form per milestone on the page: each has its own ids, so each label names its own field.
    return MilestoneDoneForm(data, initial={"done_on": timezone.localdate()}, auto_id=f"id_milestone_{milestone.pk}_%s")


def agreement_context(request, p, *, terms_form=None, bound_milestone=None):
    """What _agreement.html and _milestones.html show. `terms_form` and `bound_milestone` (a
    milestone's form) came back with errors: they are shown again with what was typed."""
    role = p.role_of(request.user)
    other = agreements.other_role(role)
    agreement = agreements.agreement_for(p)
    timeline = agreements.timeline_progress([p])[p.pk]
    rows = []
    for item in timeline.items:
        form = None
        if p.is_active and item.done_on is None:
            form = bound_milestone if bound_milestone and bound_milestone.milestone == item.milestone else None
            form = form or milestone_form(item.milestone)
        # Its dates written here rather than by the template's filters, once each.
        done = date_format(item.done_on, _("M j")) if item.done_on else None
        rows.append({"item": item, "form": form, "due": date_format(item.due_on, _("M j, Y")), "done": done})
    context = {"timeline": timeline, "timeline_rows": rows, "agreement": agreement}
    if agreement is not None:
        context |= {
            "agreement_waiting": agreements.waiting_for(agreement),
            "i_confirmed": agreement.confirmed_at(role),
            "partner_confirmed": agreement.confirmed_at(other),
            "my_terms": agreement.terms_of(role),
            "partner_terms": agreement.terms_of(other),
            "terms_form": terms_form
            or (AgreementTermsForm(initial={"terms": agreement.terms_of(role)}) if p.is_active else None),
        }
    return context


def _page(request, p, **forms):
    from .partnership import _page  # the page is drawn there; it imports this module

    return _page(request, p, **forms)


@require_POST
def confirm(request, partnership_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    try:
        agreement = agreements.confirm_agreement(partnership=p, user=request.user, seen=request.POST.get("seen", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("partnership", p.pk)
    if agreement.is_confirmed:
        messages.success(request, _("Thank you: you have both confirmed your agreement."))
    else:
        partner = p.partner_of(request.user).first_name
        messages.success(
            request,
            _("Thank you: you confirmed your agreement. %(name)s is asked to confirm it too.") % {"name": partner},
        )
    return redirect("partnership", p.pk)


@require_POST
def terms(request, partnership_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    if not p.is_active:
        messages.error(request, _("The agreement can be changed while the partnership is active."))
        return redirect("partnership", p.pk)
    form = AgreementTermsForm(request.POST)
    if form.is_valid():
        other = agreements.other_role(p.role_of(request.user))
        before = agreements.agreement_for(p)
        had_confirmed = before is not None and before.confirmed_at(other) is not None
        try:
            agreement = agreements.add_terms(partnership=p, user=request.user, text=form.cleaned_data["terms"])
        except ValidationError as error:
            form.add_error("terms", error)
        else:
            said = _("Your terms are saved.") if form.cleaned_data["terms"].strip() else _("Your terms are removed.")
            if had_confirmed and agreement.confirmed_at(other) is None:
                said += " " + _("%(name)s is asked to confirm the agreement again.") % {
                    "name": p.partner_of(request.user).first_name
                }
            messages.success(request, said)
            return redirect("partnership", p.pk)
    messages.error(request, _("Your terms are not saved yet: please correct what is marked below."))
    return _page(request, p, terms_form=form)


@require_POST
def milestone_done(request, partnership_id, milestone_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    milestone = get_object_or_404(Milestone, pk=milestone_id, program_id=p.program_id)
    if not p.is_active:
        messages.error(request, _("Milestones are marked while the partnership is active."))
        return redirect("partnership", p.pk)
    form = milestone_form(milestone, request.POST)
    form.milestone = milestone
    if form.is_valid():
        try:
            done = agreements.mark_milestone(
                partnership=p, milestone=milestone, user=request.user, done_on=form.cleaned_data["done_on"]
            )
        except ValidationError as error:
            form.add_error("done_on", error)
        else:
            # Translators: how a date is written (Django's date format letters): "December 3, 2026".
            day = date_format(done.done_on, _("F j, Y"))
            messages.success(
                request, _("“%(title)s” is marked done on %(date)s.") % {"title": milestone.title, "date": day}
            )
            return redirect("partnership", p.pk)
    messages.error(
        request, _("“%(title)s” is not marked yet: please correct the date below.") % {"title": milestone.title}
    )
    return _page(request, p, bound_milestone=form)


@require_POST
def milestone_undo(request, partnership_id, milestone_id):
    p = partnership_for_partner_or_404(request.user, partnership_id)
    milestone = get_object_or_404(Milestone, pk=milestone_id, program_id=p.program_id)
    try:
        agreements.undo_milestone(partnership=p, milestone=milestone, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("“%(title)s” is open again.") % {"title": milestone.title})
    return redirect("partnership", p.pk)
