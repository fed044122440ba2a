from django.contrib import admin, messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse

from .emails import send_again
from .models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """For staff to see that mail goes out, and which is stuck or failed (the "Failed" filter),
    with a "Send again" button for a failed one. The body is not shown."""

    list_display = ["subject", "to", "status", "attempts", "last_error", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to", "subject"]
    fields = [
        "key",
        "to",
        "subject",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
    ]
    readonly_fields = fields
    actions = ["send_again_action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        send_again_url = path(
            "<path:object_id>/send-again/",
            self.admin_site.admin_view(self.send_again_view),
            name="outbox_outgoingemail_send_again",
        )
        return [send_again_url, *super().get_urls()]

    def send_again_view(self, request, object_id):
        """The change page's "Send again" button (POST): a failed email goes out with the next run."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        email = get_object_or_404(OutgoingEmail, pk=object_id)
        if not self.has_view_permission(request, email):
            return redirect("admin:index")
        if send_again(ids=[email.pk]):
            self.message_user(request, "The email will be sent again within a minute.", messages.SUCCESS)
        else:
            self.message_user(request, "Only a failed email can be sent again.", messages.WARNING)
        return redirect(reverse("admin:outbox_outgoingemail_change", args=[email.pk]))

    @admin.action(description="Send again", permissions=["view"])
    def send_again_action(self, request, queryset):
        count = send_again(ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{count} failed email(s) will be sent again within a minute.", messages.SUCCESS)
