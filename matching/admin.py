from django.contrib import admin

from .models import EmployerSpelling


@admin.register(EmployerSpelling)
class EmployerSpellingAdmin(admin.ModelAdmin):
    """Merge two spellings of one employer, so that the same-employer rule sees one."""

    list_display = ["spelling", "same_as", "created_at"]
    search_fields = ["spelling", "same_as"]
