from django.contrib import admin
from modeltranslation.admin import TranslationAdmin

from .models import (
    CommitteeMembership,
    LocalAssociation,
    Partnership,
    Program,
    Region,
    SiteSettings,
)
from .services import add_default_milestones


class LocalAssociationInline(admin.TabularInline):
    model = LocalAssociation
    extra = 0


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "vice_president"]
    search_fields = ["name"]
    autocomplete_fields = ["vice_president"]
    inlines = [LocalAssociationInline]


@admin.register(LocalAssociation)
class LocalAssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "city"]
    list_filter = ["region"]
    search_fields = ["name", "city"]


class CommitteeInline(admin.TabularInline):
    model = CommitteeMembership
    fk_name = "program"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["pledge_accepted_at", "pledge_version"]
    exclude = ["appointed_by"]


@admin.register(Program)
class ProgramAdmin(TranslationAdmin):  # the texts in each language, without their untranslated column
    list_display = ["name", "kind", "association", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [CommitteeInline]
    readonly_fields = ["copied_from"]  # the cycle it was copied from (mentoring/cycles.py)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            add_default_milestones(program=obj)


# Questionnaires and vetting notes are confidential to each program's committee: they are
# deliberately not in the admin, so staff without a committee seat can't read them.


@admin.register(Partnership)
class PartnershipAdmin(admin.ModelAdmin):
    """Who is paired with whom, for staff. Feedback and the reasons a partnership ended are not here."""

    list_display = ["program", "mentee", "mentor", "status", "started_on", "planned_end_on"]
    list_filter = ["status", "program"]
    search_fields = ["mentee__email", "mentor__email", "mentee__last_name", "mentor__last_name"]
    fields = ["program", "mentee", "mentor", "status", "started_on", "planned_end_on", "ended_on", "approved_by"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # Partnerships end through the committee and are kept for the counts; deleting one here
        # would also list its confidential answers and concerns on the confirmation page.
        return False


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "report_min_responses", "keep_personal_data_months"]

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
