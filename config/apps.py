from django.contrib.admin import apps as admin_apps


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our AdminSite (sign-in through allauth, 404 for non-staff)."""

    default_site = "config.admin.AdminSite"
