from django.apps import AppConfig


class RetentionConfig(AppConfig):
    """Records kept no longer than needed: the monthly job that warns, then removes each member's
    part of a finished record through each app's privacy hooks, and "keep my history"
    (retention.services)."""

    name = "retention"
    verbose_name = "Records kept"
