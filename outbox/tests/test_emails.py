"""The outbox: rows written in the caller's transaction, sent once by the mailer job, kept when
the mail server says no, and never sent twice, even by two jobs running at the same moment."""

import smtplib
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import close_old_connections, connection
from django.utils import timezone

from outbox.emails import IN_DOUBT_NOTE, MAX_ATTEMPTS, STUCK_AFTER, queue_email, retry_delay, send_pending_emails
from outbox.models import OutgoingEmail

Status = OutgoingEmail.Status
HERE = __name__


class FailingBackend(LocmemBackend):
    """A mail server that refuses everything: it hangs up at once (no message ever handed over)."""

    def open(self):
        raise smtplib.SMTPServerDisconnected("421 Service not available, try again later")


class FlakyBackend(LocmemBackend):
    """A mail server that refuses every third message."""

    calls = 0

    def send_messages(self, messages):
        FlakyBackend.calls += 1
        if FlakyBackend.calls % 3 == 0:
            raise smtplib.SMTPDataError(451, "Temporary local problem")
        return super().send_messages(messages)


class SlowBackend(LocmemBackend):
    """A mail server that takes a while, so that two jobs really overlap."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)


def use_backend(settings, backend):
    settings.MAILERS = {"default": {"BACKEND": f"{HERE}.{backend.__name__}"}}


def rows(count, prefix="row"):
    return OutgoingEmail.objects.bulk_create(
        OutgoingEmail(key=f"{prefix}:{i}", to=f"person{i}@example.org", subject=f"Hello {i}", body=f"Body {i}")
        for i in range(count)
    )


# --- Sending ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_row_is_sent_once_even_when_the_job_runs_twice(mailoutbox):
    rows(3)

    assert send_pending_emails() == 3
    assert send_pending_emails() == 0

    assert len(mailoutbox) == 3
    assert sorted(m.to[0] for m in mailoutbox) == [f"person{i}@example.org" for i in range(3)]
    message = next(m for m in mailoutbox if m.to == ["person0@example.org"])
    assert (message.subject, message.body) == ("Hello 0", "Body 0")
    for row in OutgoingEmail.objects.all():
        assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
        assert row.sent_at is not None and row.claimed_at is not None


@pytest.mark.django_db
def test_the_limit_leaves_the_rest_for_the_next_run(mailoutbox):
    rows(5)

    assert send_pending_emails(limit=2) == 2
    assert OutgoingEmail.objects.filter(status=Status.PENDING).count() == 3
    assert send_pending_emails() == 3
    assert len(mailoutbox) == 5


@pytest.mark.django_db
def test_a_failing_mail_server_keeps_rows_pending_then_failed(settings, mailoutbox):
    use_backend(settings, FailingBackend)
    rows(2)

    assert send_pending_emails() == 0

    for row in OutgoingEmail.objects.all():
        assert (row.status, row.attempts) == (Status.PENDING, 1)
        assert "421 Service not available" in row.last_error
    for _ in range(MAX_ATTEMPTS - 1):
        with time_machine.travel(OutgoingEmail.objects.latest("next_attempt_at").next_attempt_at):
            send_pending_emails()
    for row in OutgoingEmail.objects.all():
        assert (row.status, row.attempts) == (Status.FAILED, MAX_ATTEMPTS)

    # Given up on: a working server later does not send them out of the blue.
    use_backend(settings, LocmemBackend)
    assert send_pending_emails() == 0
    assert mailoutbox == []
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.FAILED}


@pytest.mark.django_db
def test_a_mail_server_down_is_tried_again_less_and_less_often_for_a_day_before_failed(settings, mailoutbox):
    """The job runs every 30 seconds; a row that failed waits 1, 2, 4 ... minutes (an hour at most)
    before its next try, and is given up on only after more than a day of tries."""
    use_backend(settings, FailingBackend)
    (row,) = rows(1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        send_pending_emails()
    row.refresh_from_db()
    waits = [row.next_attempt_at - start]
    with time_machine.travel(start + timedelta(seconds=30), tick=False):
        send_pending_emails()  # the next run: not due yet, not tried
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 1)

    while row.status == Status.PENDING:
        due = row.next_attempt_at
        with time_machine.travel(due, tick=False):
            send_pending_emails()
        row.refresh_from_db()
        if row.status == Status.PENDING:
            waits.append(row.next_attempt_at - due)
    minutes = [wait / timedelta(minutes=1) for wait in waits]
    assert minutes[:8] == [1, 2, 4, 8, 16, 32, 60, 60]
    assert max(minutes) == 60
    assert (row.status, row.attempts) == (Status.FAILED, MAX_ATTEMPTS)
    assert due - start >= timedelta(days=1)  # the last try, more than a day after the first
    assert retry_delay(1) == timedelta(minutes=1) and retry_delay(40) == timedelta(hours=1)
    assert mailoutbox == []


@pytest.mark.django_db
def test_staff_send_a_failed_email_again_from_the_admin(admin_client, mailoutbox):
    (row,) = rows(1)
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=Status.FAILED, attempts=MAX_ATTEMPTS, last_error="421 Service not available"
    )
    listing = admin_client.get("/admin/outbox/outgoingemail/?status__exact=failed")
    assert "Hello 0" in listing.content.decode() and "421 Service not available" in listing.content.decode()
    page = admin_client.get(f"/admin/outbox/outgoingemail/{row.pk}/change/").content.decode()
    assert "Send again" in page

    response = admin_client.post(f"/admin/outbox/outgoingemail/{row.pk}/send-again/")

    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts, row.next_attempt_at) == (Status.PENDING, 0, None)
    assert send_pending_emails() == 1
    assert [m.to for m in mailoutbox] == [["person0@example.org"]]
    # Only a failed email is sent again: a second click does nothing more.
    admin_client.post(f"/admin/outbox/outgoingemail/{row.pk}/send-again/")
    assert send_pending_emails() == 0


@pytest.mark.django_db
def test_an_email_whose_words_were_removed_is_never_sent_again(admin_client, mailoutbox):
    """Record expiry empties an email it stops (accounts.privacy.expire_emails): "Send again"
    must not send the empty shell."""
    (row,) = rows(1)
    OutgoingEmail.objects.filter(pk=row.pk).update(
        status=Status.FAILED, subject="(removed: kept no longer than needed)", body="", last_error="Not sent"
    )

    admin_client.post(f"/admin/outbox/outgoingemail/{row.pk}/send-again/")

    assert OutgoingEmail.objects.get(pk=row.pk).status == Status.FAILED
    assert send_pending_emails() == 0 and mailoutbox == []


@pytest.mark.django_db
def test_the_send_again_button_is_post_only_and_for_staff(client, admin_client, django_user_model):
    (row,) = rows(1)
    OutgoingEmail.objects.filter(pk=row.pk).update(status=Status.FAILED)
    url = f"/admin/outbox/outgoingemail/{row.pk}/send-again/"
    assert admin_client.get(url).status_code == 405
    member = django_user_model.objects.create_user(email="m@example.org", password="x")
    client.force_login(member)
    assert client.post(url).status_code in (302, 404)
    assert OutgoingEmail.objects.get(pk=row.pk).status == Status.FAILED


@pytest.mark.django_db
def test_a_flaky_mail_server_never_loses_or_repeats_a_message(settings, mailoutbox):
    use_backend(settings, FlakyBackend)
    FlakyBackend.calls = 0
    rows(9)

    first = send_pending_emails()

    assert first == 6
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 6
    failed = OutgoingEmail.objects.filter(status=Status.PENDING)
    assert failed.count() == 3
    assert all(row.attempts == 1 and row.sent_at is None for row in failed)
    for hours in range(1, 4):  # each run once the rows are due again
        with time_machine.travel(timezone.now() + timedelta(hours=hours)):
            send_pending_emails()
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}
    assert Counter(m.to[0] for m in mailoutbox) == {f"person{i}@example.org": 1 for i in range(9)}


@pytest.mark.django_db
def test_a_row_a_dead_worker_left_in_sending_goes_once_more_saying_so_and_never_a_third_time(mailoutbox):
    stuck, recent = rows(2)
    long_ago = timezone.now() - STUCK_AFTER - timedelta(minutes=1)
    OutgoingEmail.objects.filter(pk=stuck.pk).update(status=Status.SENDING, claimed_at=long_ago)
    OutgoingEmail.objects.filter(pk=recent.pk).update(status=Status.SENDING, claimed_at=timezone.now())

    assert send_pending_emails() == 1  # the stuck one, again; the recent one may still be in hand

    assert [m.to[0] for m in mailoutbox] == [stuck.to]
    assert mailoutbox[0].body.startswith(IN_DOUBT_NOTE)
    assert send_pending_emails() == 0
    # Stuck a second time (the worker died again): failed and shown, not a third copy.
    OutgoingEmail.objects.filter(pk=stuck.pk).update(status=Status.SENDING, claimed_at=long_ago)
    assert send_pending_emails() == 0
    stuck.refresh_from_db()
    assert stuck.status == Status.FAILED and len(mailoutbox) == 1


@pytest.mark.django_db
def test_headers_and_text_attachments_go_out_as_queued(world, mailoutbox):
    person = world["people"]["member"]
    context = {"program": world["program"], "person": person, "by": world["people"]["staff"]}
    queue_email(
        key="with-extras",
        to=person.email,
        template="chair_appointed",
        context=context,
        headers={"List-Unsubscribe": "<https://example.org/u/x>"},
        attachments=[{"filename": "a.txt", "content": "hello", "mimetype": "text/plain"}],
    )

    send_pending_emails()

    message = mailoutbox[0].message()
    assert message["List-Unsubscribe"] == "<https://example.org/u/x>"
    assert [(a.get_filename(), a.get_content().strip()) for a in message.iter_attachments()] == [("a.txt", "hello")]


# --- Queuing ----------------------------------------------------------------------------------


def test_queuing_twice_with_one_key_writes_one_row(world):
    person = world["people"]["member"]
    context = {"program": world["program"], "person": person, "by": world["people"]["staff"]}

    first = queue_email(key="chair-appointed:test", to=person.email, template="chair_appointed", context=context)
    again = queue_email(key="chair-appointed:test", to=person.email, template="chair_appointed", context=context)

    assert first.pk == again.pk
    assert OutgoingEmail.objects.count() == 1
    assert first.subject == "You now chair Northport new members"
    assert "\n" not in first.subject
    assert first.status == Status.PENDING


# --- Two jobs at the same moment (PostgreSQL: real row locks and conditional updates) ----------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_jobs_at_once_send_each_email_once(settings, mailoutbox):
    if connection.vendor != "postgresql":
        reason = f"needs PostgreSQL for real concurrent transactions; this run uses {connection.vendor}"
        print(reason)
        pytest.skip(reason)
    use_backend(settings, SlowBackend)
    total = 40
    rows(total)
    start = threading.Barrier(2)
    sent, errors = [], []

    def job():
        try:
            start.wait()
            sent.append(send_pending_emails())
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sum(sent) == total
    assert min(sent) > 0, f"the two jobs did not overlap ({sent}), so this run proves nothing"
    assert Counter(m.to[0] for m in mailoutbox) == {f"person{i}@example.org": 1 for i in range(total)}
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}
    assert set(OutgoingEmail.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.django_db
def test_an_email_is_written_in_its_readers_language_not_in_the_senders():
    """A chair reading the site in French queues a warning to an English reader: the dates in it
    are English ("15 January"), and the reader's own language, when given, is used."""
    from datetime import date

    from django.utils import translation

    context = {
        "user": {"first_name": "Ann"},
        "months": 24,
        "expires_on": date(2026, 1, 15),
        "records": [],
        "keep_url": "x",
    }
    with translation.override("fr"):  # the sender's request
        english = queue_email(key="to-ann", to="ann@example.org", template="record_expiry_warning", context=context)
        french = queue_email(
            key="to-aline", to="aline@example.org", template="record_expiry_warning", context=context, language="fr"
        )
        assert translation.get_language() == "fr"  # the sender's own language is left as it was
    assert "15 January 2026" in english.body and "janvier" not in english.body
    assert "15 janvier 2026" in french.body
