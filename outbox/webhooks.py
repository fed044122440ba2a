"""The email provider's tracking webhook: bounces and complaints come back to the site here.

anymail's own view for the provider checks the request (the basic auth of EMAIL_WEBHOOK_SECRET
for every provider, and the provider's signature where it signs: Mailgun, SendGrid) and hands
each event to anymail's `tracking` signal (received by accounts.bounces). Around it: only the
provider the site sends through has an address (any other answers 404, as a page that does not
exist), one transaction per request (a body that fails half-way stores nothing), and a body that
is forged, malformed or too big answers 400 without storing anything or logging what it held.
"""

import logging

from anymail.webhooks.brevo import BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkTrackingWebhookView
from anymail.webhooks.sendgrid import SendGridTrackingWebhookView
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.views.decorators.csrf import csrf_exempt

log = logging.getLogger(__name__)

VIEWS = {
    "postmark": PostmarkTrackingWebhookView,
    "mailgun": MailgunTrackingWebhookView,
    "sendgrid": SendGridTrackingWebhookView,
    "brevo": BrevoTrackingWebhookView,
}

# What a body the provider's format does not hold raises while it is read (anymail reads the
# JSON and its fields as they come).
MALFORMED = (ValueError, KeyError, TypeError, AttributeError, IndexError, UnicodeDecodeError)


@csrf_exempt  # the provider has no CSRF token: its requests are checked by anymail's view
@login_not_required
def provider_events(request, provider):
    if provider != settings.EMAIL_PROVIDER or provider not in VIEWS:
        raise Http404
    try:
        with transaction.atomic():
            return VIEWS[provider].as_view()(request)
    except SuspiciousOperation as exc:  # wrong credentials or signature, or a body over the size limit
        log.warning("Email provider webhook refused (%s): %s", provider, type(exc).__name__)
        return HttpResponseBadRequest("Refused.", content_type="text/plain")
    except MALFORMED as exc:
        log.warning("Email provider webhook with a malformed body (%s): %s", provider, type(exc).__name__)
        return HttpResponseBadRequest("Malformed.", content_type="text/plain")
