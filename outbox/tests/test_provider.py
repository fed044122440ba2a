"""Sending through an email provider (django-anymail's backends): the outbox's batch works
unchanged through it (one connection per batch, a mark per email), the provider's errors land
on the same failed / in-doubt marks as SMTP's, each email carries its row in anymail's metadata,
and nothing goes to an address the provider reported bounced."""

from datetime import timedelta

import pytest
import requests
import urllib3
from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused, AnymailRequestsAPIError
from django.core import mail
from django.utils import timezone

import outbox.emails
from outbox.emails import IN_DOUBT_NOTE, compose, queue_email, send_pending_emails
from outbox.models import OutgoingEmail, Suppression
from outbox.sending import deliver
from outbox.suppression import lift, suppress

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status
TEST_BACKEND = "anymail.backends.test.EmailBackend"


@pytest.fixture
def provider(settings):
    """anymail's test backend as the site's mailer: what it "sent" lands in mail.outbox, with
    the parameters a real provider's API would get (`anymail_test_params`)."""
    settings.MAILERS = {"default": {"BACKEND": TEST_BACKEND}}
    mail.outbox = []
    return mail.outbox


def queue(key, to="ana@example.org"):
    return queue_email(key=key, to=to, template="test", context={"name": "Ana"})


@pytest.fixture(autouse=True)
def _a_template(settings, tmp_path):
    emails = tmp_path / "emails"
    emails.mkdir()
    (emails / "test-subject.txt").write_text("Hello {{ name }}")
    (emails / "test-body.txt").write_text("Dear {{ name }},\n\nA link: {{ site_url }}/x\n")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]


def test_the_outbox_sends_through_the_provider_each_email_once_with_its_row_in_the_metadata(provider):
    rows = [queue(f"k{n}", f"member{n}@example.org") for n in range(3)]

    assert send_pending_emails() == 3
    assert send_pending_emails() == 0

    assert [m.to for m in provider] == [[f"member{n}@example.org"] for n in range(3)]
    assert [m.anymail_test_params["metadata"] for m in provider] == [{"email": f"outbox-{r.pk}"} for r in rows]
    assert provider[0].anymail_test_params["html_body"]  # the HTML part goes too
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}


def refusing(status):
    response = requests.Response()
    response.status_code, response.reason, response._content = status, "No", b'{"Message": "no"}'
    return AnymailRequestsAPIError("Postmark refused", response=response)


def cut_off(cause):
    """The exception anymail raises when the HTTP request itself failed (as base_requests does)."""
    exc_class = type("AnymailRequestsAPIError", (AnymailRequestsAPIError, type(cause)), {})
    try:
        raise exc_class("Error posting to the provider:") from cause
    except exc_class as exc:
        return exc


def refused_connection():
    reason = urllib3.exceptions.NewConnectionError(None, "Failed to establish a new connection: refused")
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/email", reason))


@pytest.mark.parametrize(
    ("error", "mark"),
    [
        (refusing(422), "failed"),  # the provider answered: it took nothing
        (refusing(500), "failed"),
        (AnymailRecipientsRefused(), "failed"),  # the provider rejects the recipient
        (AnymailAPIError("Unparsable test response"), "failed"),
        (cut_off(refused_connection()), "failed"),  # never reached the provider
        (cut_off(requests.ConnectTimeout("connect timed out")), "failed"),
        (cut_off(requests.ReadTimeout("read timed out")), "in_doubt"),  # it went; no answer came
        (cut_off(requests.ConnectionError("Connection reset by peer")), "in_doubt"),
    ],
)
def test_a_providers_error_is_marked_failed_or_in_doubt_and_the_batch_goes_on(provider, error, mark):
    marks = {"sent": [], "failed": [], "in_doubt": []}

    def build(n):
        message = compose(to=f"m{n}@example.org", subject="Hi", body="Hello")
        if n == 1:
            message.anymail_test_response = error
        return message

    went = deliver(
        [0, 1, 2],
        build=build,
        sent=marks["sent"].append,
        failed=lambda n, e: marks["failed"].append(n),
        in_doubt=lambda n, e: marks["in_doubt"].append(n),
    )

    assert went == 2
    assert marks["sent"] == [0, 2]
    assert marks[mark] == [1]


def test_a_refused_email_waits_for_its_retry_and_an_interrupted_one_is_sent_again_saying_so(provider, monkeypatch):
    refused, interrupted = queue("refused", "a@example.org"), queue("interrupted", "b@example.org")
    errors = {"a@example.org": refusing(503), "b@example.org": cut_off(requests.ReadTimeout("read timed out"))}

    original = compose

    def failing_compose(**kwargs):
        message = original(**kwargs)
        if kwargs["to"] in errors:
            message.anymail_test_response = errors.pop(kwargs["to"])
        return message

    monkeypatch.setattr(outbox.emails, "compose", failing_compose)
    assert send_pending_emails() == 0
    monkeypatch.undo()
    refused.refresh_from_db()
    interrupted.refresh_from_db()
    assert (refused.status, refused.in_doubt, refused.attempts) == (Status.PENDING, False, 1)
    assert (interrupted.status, interrupted.in_doubt, interrupted.attempts) == (Status.PENDING, True, 1)
    assert "503" in refused.last_error

    OutgoingEmail.objects.update(next_attempt_at=None)
    assert send_pending_emails() == 2
    second = {m.to[0]: m.body for m in provider[-2:]}
    assert not second["a@example.org"].startswith(IN_DOUBT_NOTE)
    assert second["b@example.org"].startswith(IN_DOUBT_NOTE)


def bounce(address, event_id="ev-1", reason=Suppression.Reason.BOUNCED):
    return suppress(address=address, reason=reason, occurred_at=timezone.now(), provider="Postmark", event_id=event_id)


def test_no_email_goes_to_a_suppressed_address_and_the_row_says_why_once(provider):
    bounce("Ana@Example.org")
    held = queue("held", "ana@example.org")
    queue("other", "bob@example.org")

    assert send_pending_emails() == 1
    assert [m.to for m in provider] == [["bob@example.org"]]
    held.refresh_from_db()
    assert held.status == Status.SUPPRESSED
    assert held.last_error.startswith("Not sent: this address bounced on ")
    assert held.attempts == 0

    # Never tried again, even once the address is confirmed and works.
    lift(addresses=["ana@example.org"])
    OutgoingEmail.objects.filter(pk=held.pk).update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert send_pending_emails() == 0
    assert len(provider) == 1
    # A new email to the lifted address goes.
    queue("after", "ana@example.org")
    assert send_pending_emails() == 1


def test_the_members_own_account_emails_still_go_to_a_suppressed_address(provider):
    """Confirming the address again is how a suppression ends: its email must reach them."""
    bounce("ana@example.org")
    queue("account:abc", "ana@example.org")

    assert send_pending_emails() == 1


def test_a_complaint_holds_emails_too_saying_so(provider):
    bounce("ana@example.org", reason=Suppression.Reason.COMPLAINED)
    held = queue("held")

    send_pending_emails()

    held.refresh_from_db()
    assert held.status == Status.SUPPRESSED
    assert "spam" in held.last_error


def test_suppressing_is_idempotent(provider):
    first = bounce("ana@example.org", "ev-1")

    assert first is not None
    assert bounce("ana@example.org", "ev-1") is None  # the same event again
    assert bounce("ana@example.org", "ev-2") is None  # suppressed already: the first event stays
    assert Suppression.objects.count() == 1

    lift(addresses=["ANA@example.org"])
    assert bounce("ana@example.org", "ev-1") is None  # a replay of the old event: still lifted
    assert Suppression.objects.get().address == ""  # the lifted row keeps no address
    assert bounce("ana@example.org", "ev-3") is not None  # a new bounce suppresses it again
