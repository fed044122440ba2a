from django.contrib import admin

from .models import RecordExpiry


@admin.register(RecordExpiry)
class RecordExpiryAdmin(admin.ModelAdmin):
    """What the monthly retention job warned of, kept and removed (read only: the job writes it).
    What will expire in the coming months, in every program: /staff/expiry/."""

    list_display = ["expires_on", "user", "partnership", "application", "warned_at", "kept_at", "expired_at"]
    list_filter = ["expires_on", ("kept_at", admin.EmptyFieldListFilter), ("expired_at", admin.EmptyFieldListFilter)]
    list_select_related = ["user", "partnership__program", "partnership__mentee", "partnership__mentor", "application"]
    date_hierarchy = "expires_on"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
