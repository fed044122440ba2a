from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Profile, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    autocomplete_fields = ["association"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "association", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_active", "profile__association__region", "profile__membership_status"]
    list_select_related = ["profile__association"]
    search_fields = ["email", "first_name", "last_name", "profile__employer"]
    inlines = [ProfileInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Name", {"fields": ("first_name", "last_name")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    @admin.display(ordering="profile__association__name")
    def association(self, user):
        return user.profile.association if hasattr(user, "profile") else None


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "association", "job_title", "employer", "membership_status", "renewal_date"]
    list_filter = ["membership_status", "association__region", "association"]
    list_select_related = ["user", "association"]
    search_fields = ["user__email", "user__first_name", "user__last_name", "employer", "job_title"]
    autocomplete_fields = ["user", "association"]
