from django.contrib import admin

from mentoring.models import AssociationOfficer

from .officers import appoint_officer

# The officer's model is the core's (roles and access read it); appointing one is leadership's
# (leadership.officers), so its admin lives here.


@admin.register(AssociationOfficer)
class AssociationOfficerAdmin(admin.ModelAdmin):
    """Staff appoint and remove officers here too (the VP does it on the association's officers
    page). Adding goes through the same rule as the page: a member of the association, emailed;
    an office is not edited, it is removed and another appointed."""

    list_display = ["user", "role", "association", "appointed_at", "appointed_by"]
    list_filter = ["role", "association__region"]
    search_fields = ["user__email", "user__last_name", "association__name"]
    autocomplete_fields = ["user", "association"]
    fields = ["association", "user", "role", "appointed_at", "appointed_by"]
    readonly_fields = ["appointed_at", "appointed_by"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = appoint_officer(association=obj.association, user=obj.user, role=obj.role, by=request.user)
        obj.pk, obj.appointed_at, obj.appointed_by = created.pk, created.appointed_at, created.appointed_by
