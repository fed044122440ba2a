from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class MentoringConfig(AppConfig):
    default = True
    name = "mentoring"
    verbose_name = "Programs and partnerships"


class AdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our AdminSite (sign-in through allauth, 404 for non-staff)."""

    default = False
    default_site = "mentoring.admin_site.AdminSite"
