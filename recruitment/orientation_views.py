"""Orientation pages: the chair's list of items (/committee/<program_id>/orientation/) and the
member's orientation (/programs/<program_id>/orientation/)."""

from django.contrib import messages
from django.db.models import Count
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mentoring.access import committee_view, no_store, program_for_member_or_404
from mentoring.models import Application, OrientationItem, Program
from mentoring.orientation import items_for, orientation_for

from . import orientation
from .forms import OrientationItemForm, RequirementForm

# --- The chair's page ------------------------------------------------------------------------


@committee_view(chair=True)
def items(request, seat):
    program = seat.program
    which = request.POST.get("action", "add") if request.method == "POST" else None
    form = OrientationItemForm(
        request.POST if which == "add" else None,
        request.FILES if which == "add" else None,
        instance=OrientationItem(program=program),
    )
    requirement = RequirementForm(request.POST if which == "requirement" else None, instance=program)
    if which == "add" and form.is_valid():
        orientation.add_item(item=form.save(commit=False))
        messages.success(request, _("“%(title)s” is added to the orientation.") % {"title": form.instance.title})
        return redirect("committee:orientation", program.pk)
    if which == "requirement" and requirement.is_valid():
        orientation.set_requirement(
            program=program, required_before=requirement.cleaned_data["orientation_required_before"]
        )
        messages.success(request, _("Saved: %(when)s.") % {"when": program.get_orientation_required_before_display()})
        return redirect("committee:orientation", program.pk)
    listed = program.orientation_items.annotate(done_by=Count("completions")).order_by("position", "id")
    context = {"seat": seat, "program": program, "form": form, "requirement": requirement, "items": listed}
    return render(request, "recruitment/committee/orientation.html", context)


@committee_view(chair=True)
def item_edit(request, seat, item_id):
    item = get_object_or_404(OrientationItem, pk=item_id, program=seat.program)
    title = item.title  # as saved, whatever the form holds
    form = OrientationItemForm(request.POST or None, request.FILES or None, instance=item, submit=_("Save item"))
    stored = item.file.name
    if request.method == "POST" and form.is_valid():
        orientation.save_item(item=form.save(commit=False), replaced_file=stored)
        messages.success(request, _("“%(title)s” is saved.") % {"title": item.title})
        return redirect("committee:orientation", seat.program_id)
    context = {"seat": seat, "program": seat.program, "form": form, "item": item, "title": title}
    return render(request, "recruitment/committee/orientation_edit.html", context)


@require_POST
@committee_view(chair=True)
def item_delete(request, seat, item_id):
    item = get_object_or_404(OrientationItem, pk=item_id, program=seat.program)
    orientation.delete_item(item=item)
    messages.success(request, _("“%(title)s” is removed from the orientation.") % {"title": item.title})
    return redirect("committee:orientation", seat.program_id)


@require_POST
@committee_view(chair=True)
def item_move(request, seat, item_id):
    item = get_object_or_404(OrientationItem, pk=item_id, program=seat.program)
    orientation.move_item(item=item, up=request.POST.get("direction") != "down")
    return redirect("committee:orientation", seat.program_id)


# --- The member's page -----------------------------------------------------------------------


def _roles(request, program):
    """The roles the member applied in (applications not withdrawn)."""
    return sorted(
        set(
            Application.objects.filter(program=program, user=request.user)
            .exclude(status=Application.Status.WITHDRAWN)
            .values_list("role", flat=True)
        )
    )


def _item_for_member_or_404(request, program, item_id):
    """An item of this program for the member's roles (none without an application: 404)."""
    roles = _roles(request, program)
    if not roles:
        raise Http404
    return get_object_or_404(items_for(program, roles), pk=item_id)


def member_orientation(request, program_id):
    """The member's orientation, for members who applied; others of the program's area are told
    it opens once they apply."""
    program = program_for_member_or_404(request.user, program_id)
    roles = _roles(request, program)
    progress = orientation_for(program, request.user, roles) if roles else None
    context = {"program": program, "roles": roles, "progress": progress}
    return render(request, "recruitment/orientation.html", context)


@require_POST
def complete(request, program_id, item_id):
    program = program_for_member_or_404(request.user, program_id)
    item = _item_for_member_or_404(request, program, item_id)
    if item.kind == OrientationItem.Kind.ACKNOWLEDGEMENT and request.POST.get("agree") != "yes":
        messages.error(request, _("Please tick the statement first, then press “I agree”."))
        return redirect(reverse("orientation", args=[program.pk]) + f"#item-{item.pk}")
    orientation.complete_item(item=item, user=request.user)
    roles = _roles(request, program)
    if item.required and orientation_for(program, request.user, roles).finished:
        messages.success(request, _what_now(program, roles))
    else:
        messages.success(request, _("Done: “%(title)s”.") % {"title": item.title})
    return redirect("orientation", program.pk)


def _what_now(program, roles):
    """The thanks for a finished orientation, with what it opens (whole sentences for translators)."""
    if program.orientation_required_before == Program.OrientationRequired.BEFORE_MATCHING:
        return _("Thank you, your orientation is complete. You can now be matched with a partner.")
    if program.orientation_required_before == Program.OrientationRequired.BEFORE_VETTING and "mentor" in roles:
        return _("Thank you, your orientation is complete. The committee can now look at your mentor application.")
    return _("Thank you, your orientation is complete.")


def item_file(request, program_id, item_id):
    """An orientation file: for the members it is for, and the program's committee."""
    program = program_for_member_or_404(request.user, program_id)
    if program.committee.filter(user=request.user).exists():
        item = get_object_or_404(OrientationItem, pk=item_id, program=program)
    else:
        item = _item_for_member_or_404(request, program, item_id)
    if not item.file:
        raise Http404
    try:
        response = FileResponse(item.file.open("rb"), as_attachment=True, filename=item.file.name.rsplit("/", 1)[-1])
    except FileNotFoundError:
        raise Http404 from None
    return no_store(response)
