"""The officers of a local association, for staff and the region's vice president."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import officers as services
from .access import association_for_officer_manager_or_404
from .forms import AppointOfficerForm
from .models import AssociationOfficer


def association_officers(request, association_id):
    """Who the officers are, and a member chosen by name (then confirmed) to become one."""
    association = association_for_officer_manager_or_404(request.user, association_id)
    form = AppointOfficerForm(request.POST or None, members=services.members_of(association))
    context = {
        "association": association,
        "officers": AssociationOfficer.objects.filter(association=association).select_related(
            "user__profile", "appointed_by"
        ),
        "form": form,
    }
    if request.method == "POST" and form.is_valid():
        person, role = form.cleaned_data["person"], form.cleaned_data["role"]
        if not form.cleaned_data["confirm"]:
            president = next((o for o in context["officers"] if o.role == AssociationOfficer.Role.PRESIDENT), None)
            return render(
                request,
                "mentoring/officers_confirm.html",
                {**context, "person": person, "role": AssociationOfficer.Role(role), "president": president},
            )
        try:
            services.appoint_officer(association=association, user=person, role=role, by=request.user)
        except ValidationError as error:
            form.add_error("person", error)
        else:
            label = AssociationOfficer.Role(role).label.lower()
            messages.success(request, f"{person} is now {label} of {association}. We emailed them.")
            return redirect("association_officers", association.pk)
    return render(request, "mentoring/officers.html", context)


@require_POST
def officer_remove(request, association_id, officer_id):
    association = association_for_officer_manager_or_404(request.user, association_id)
    officer = get_object_or_404(
        AssociationOfficer.objects.select_related("user"), pk=officer_id, association=association
    )
    services.remove_officer(officer=officer, by=request.user)
    messages.success(request, f"{officer.user} is no longer {officer.get_role_display().lower()} of {association}.")
    return redirect("association_officers", association.pk)
