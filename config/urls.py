"""Every URL of the site, app by app. Each app's own urls.py lists its pages."""

from django.contrib import admin
from django.urls import include, path

from accounts import unsubscribe_views
from accounts import views as accounts_views
from outbox.brands import brand_logo

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("language/", accounts_views.set_language, name="set_language"),
    path("jsi18n/<str:language>/", views.javascript_catalog, name="javascript_catalog"),
    path("dev/emails/", views.dev_emails, name="dev_emails"),
    path("dev/emails/<str:email_id>/attachments/<int:index>/", views.dev_email_attachment, name="dev_email_attachment"),
    path("dev/emails/<str:email_id>/html/", views.dev_email_html, name="dev_email_html"),
    # The logo an association's emails show (outbox.brands): public, for mail clients.
    path("email-logo/<int:brand_id>-<slug:digest>.<slug:extension>", brand_logo, name="brand_logo"),
    path("profile/", include("accounts.urls")),
    path("unsubscribe/<str:token>/", unsubscribe_views.unsubscribe, name="unsubscribe"),
    path("staff/member-import/", accounts_views.member_import, name="member_import"),
    path("", include("sync.urls")),
    path("", include("mentoring.urls")),
    path("", include("recruitment.urls")),
    path("", include("leadership.urls")),
    path("", include("retention.urls")),
    path("", include("partnerships.urls")),
    path("", include("flash.urls")),
    path("", include("circles.urls")),
    path("committee/", include("config.committee_urls")),
    path("", include("matching.urls")),
    path("", include("reports.urls")),
    path("", include("feedback.urls")),
    path("", include("identity.urls")),
    path("", include("outbox.urls")),  # the email provider's tracking webhook
    path("accounts/signup/", accounts_views.signup, name="account_signup"),  # allauth's, in even time
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
