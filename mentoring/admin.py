from django.contrib import admin

from .models import CommitteeMembership, LocalAssociation, Program, Region


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
class ProgramAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "association", "region"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [CommitteeInline]
