"""The one sending path (outbox.sending.deliver): a batch goes over one connection, each email is
marked the moment it went, and a connection that drops mid-batch is opened again, so what went
is marked sent, the rest is tried again, and nothing goes twice."""

import smtplib
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone

from outbox.emails import IN_DOUBT_NOTE, MAX_ATTEMPTS, compose, send_pending_emails
from outbox.models import OutgoingEmail
from outbox.sending import Marks, deliver

Status = OutgoingEmail.Status


class CountingServer(LocmemBackend):
    """A mail server that behaves like smtplib's connection: a message goes only over an open
    connection, and one that dropped stays dropped until it is opened again. Class-level
    records: the connections opened, and which connection carried each message."""

    connections = 0
    carried = []  # (connection number, recipient)
    drop_at = ()  # the message numbers (1-based, over all attempts) at which the connection drops
    refuse_reopen = False
    attempts = 0

    @classmethod
    def reset(cls, *, drop_at=(), refuse_reopen=False):
        cls.connections, cls.carried, cls.drop_at, cls.refuse_reopen, cls.attempts = 0, [], drop_at, refuse_reopen, 0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.current = None

    def open(self):
        if self.current is not None:
            return False
        if CountingServer.refuse_reopen and CountingServer.connections:
            raise ConnectionRefusedError(111, "Connection refused")
        CountingServer.connections += 1
        self.current = CountingServer.connections
        return True

    def close(self):
        self.current = None

    def send_messages(self, messages):
        if self.current is None:
            raise smtplib.SMTPServerDisconnected("please run connect() first")
        for message in messages:
            CountingServer.attempts += 1
            if CountingServer.attempts in CountingServer.drop_at:
                self.current = None  # the server hung up in the middle of this one
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            CountingServer.carried.append((self.current, message.to[0]))
        return super().send_messages(messages)


@pytest.fixture
def server(settings):
    settings.MAILERS = {"default": {"BACKEND": f"{__name__}.CountingServer"}}
    CountingServer.reset()
    return CountingServer


def rows(count):
    return OutgoingEmail.objects.bulk_create(
        OutgoingEmail(key=f"row:{i}", to=f"person{i}@example.org", subject=f"Hello {i}", body=f"Body {i}")
        for i in range(count)
    )


@pytest.mark.django_db
def test_queued_emails_go_out_over_one_connection(server, mailoutbox):
    rows(25)

    assert send_pending_emails() == 25

    assert server.connections == 1
    assert Counter(number for number, _ in server.carried) == {1: 25}
    assert len(mailoutbox) == 25
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}


@pytest.mark.django_db
def test_a_connection_that_drops_mid_batch_is_opened_again_and_nothing_goes_twice(server, mailoutbox):
    rows(10)
    server.reset(drop_at=(4,))  # the 4th email is cut off with the connection

    assert send_pending_emails() == 9

    # The three before it went over the first connection, the six after over a second one.
    assert server.connections == 2
    assert Counter(number for number, _ in server.carried) == {1: 3, 2: 6}
    cut_off = OutgoingEmail.objects.get(status=Status.PENDING)
    assert (cut_off.to, cut_off.attempts) == ("person3@example.org", 1)
    assert cut_off.in_doubt  # cut off with the message in hand: it may have gone, sent again with the note
    assert "unexpectedly closed" in cut_off.last_error
    assert OutgoingEmail.objects.filter(status=Status.SENT).count() == 9

    with time_machine.travel(timezone.now() + timedelta(minutes=1)):  # the first run once it is due again
        assert send_pending_emails() == 1  # only the one that was cut off
    assert Counter(m.to[0] for m in mailoutbox) == {f"person{i}@example.org": 1 for i in range(10)}
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_a_connection_that_will_not_open_again_leaves_the_rest_for_the_next_run(server, mailoutbox):
    rows(6)
    server.reset(drop_at=(3,), refuse_reopen=True)

    assert send_pending_emails() == 2

    assert server.attempts == 3  # nothing tried after the connection was lost
    sent = OutgoingEmail.objects.filter(status=Status.SENT)
    assert sorted(sent.values_list("to", flat=True)) == ["person0@example.org", "person1@example.org"]
    waiting = OutgoingEmail.objects.filter(status=Status.PENDING)
    assert waiting.count() == 4 and {row.attempts for row in waiting} == {1}
    assert all(row.attempts < MAX_ATTEMPTS for row in waiting)

    server.reset()  # the mail server is back
    with time_machine.travel(timezone.now() + timedelta(minutes=1)):  # the first run once they are due again
        assert send_pending_emails() == 4
    assert Counter(m.to[0] for m in mailoutbox) == {f"person{i}@example.org": 1 for i in range(6)}


@pytest.mark.django_db
def test_each_email_is_marked_before_the_next_one_goes(server):
    """`sent` is called right after its email went and before the next is built: a worker
    killed mid-batch holds at most the one email in hand."""
    events = []
    messages = {n: compose(to=f"p{n}@example.org", subject="s", body="b") for n in range(3)}

    def build(n):
        events.append(("build", n))
        return messages[n]

    count = deliver(
        range(3),
        build=build,
        sent=lambda n: events.append(("sent", n)),
        failed=lambda n, error: events.append(("failed", n)),
    )

    assert count == 3
    assert events == [("build", 0), ("sent", 0), ("build", 1), ("sent", 1), ("build", 2), ("sent", 2)]


def test_an_email_that_cannot_be_built_waits_and_the_others_go(server):
    failed, sent = [], []

    def build(n):
        if n == 1:
            raise ValueError("a template that does not render")
        return compose(to=f"p{n}@example.org", subject="s", body="b")

    assert deliver(range(3), build=build, sent=sent.append, failed=lambda n, e: failed.append((n, str(e)))) == 2
    assert sent == [0, 2] and failed == [(1, "a template that does not render")]
    assert server.connections == 1  # a message that was never sent does not cost a connection


def test_the_in_doubt_note_is_one_wording_for_every_email():
    plain = compose(to="p@example.org", subject="Hello", body="Body")
    again = compose(to="p@example.org", subject="Hello", body="Body", in_doubt=True)
    assert plain.body == "Body" and again.body == IN_DOUBT_NOTE + "Body"


@pytest.mark.django_db
def test_nothing_to_send_opens_no_connection(server):
    assert send_pending_emails() == 0
    assert deliver([], build=None, sent=None, failed=None) == 0
    assert server.connections == 0


# --- A real SMTP conversation cut off: before the message, or after it was handed over -------
# (smtp_server: outbox/tests/smtp.py)


def next_run():
    """The job's first run once a failed row is due again."""
    with time_machine.travel(timezone.now() + timedelta(hours=1)):
        return send_pending_emails()


@pytest.mark.django_db
def test_a_connection_cut_after_the_message_went_is_sent_again_with_the_note(smtp_server):
    rows(2)
    smtp_server.cut = "after data"

    assert send_pending_emails() == 1  # the second went over a new connection

    cut_off = OutgoingEmail.objects.get(to="person0@example.org")
    assert (cut_off.status, cut_off.in_doubt) == (Status.PENDING, True)
    assert next_run() == 1
    assert len(smtp_server.bodies()) == 3
    assert "Body 0" in smtp_server.bodies()[0] and IN_DOUBT_NOTE.split("\n")[0][:40] not in smtp_server.bodies()[0]
    assert "Body 0" in smtp_server.bodies()[2] and "may have reached you" in smtp_server.bodies()[2]
    assert set(OutgoingEmail.objects.values_list("status", flat=True)) == {Status.SENT}


@pytest.mark.django_db
def test_a_connection_cut_before_the_message_went_is_sent_again_without_the_note(smtp_server):
    rows(1)
    smtp_server.cut = "rcpt"

    assert send_pending_emails() == 0

    row = OutgoingEmail.objects.get()
    assert (row.status, row.in_doubt, row.attempts) == (Status.PENDING, False, 1)
    assert next_run() == 1
    assert len(smtp_server.bodies()) == 1 and "may have reached you" not in smtp_server.bodies()[0]


@pytest.mark.django_db
def test_an_email_in_doubt_twice_is_failed_never_a_third_copy(smtp_server):
    rows(1)
    smtp_server.cut = "after data"
    send_pending_emails()
    smtp_server.cut = "after data"

    assert next_run() == 0

    row = OutgoingEmail.objects.get()
    assert (row.status, row.in_doubt) == (Status.FAILED, True)
    assert next_run() == 0 and len(smtp_server.bodies()) == 2


@pytest.mark.django_db
def test_each_email_is_marked_in_the_same_round_trip_as_the_next_ones_claim(server, django_assert_max_num_queries):
    """Claim, read and mark were three round trips per email (a 20,000-member announcement waited
    60,000 times on the database); on PostgreSQL one statement marks an email and claims the next."""
    rows(40)
    per_email = 1 if connection.vendor == "postgresql" else 2  # SQLite has no UPDATE inside a WITH
    with django_assert_max_num_queries(40 * per_email + 4):  # + the requeue, the due ids, the last mark
        assert send_pending_emails() == 40
    assert set(OutgoingEmail.objects.values_list("status", "attempts")) == {(Status.SENT, 1)}
    assert server.connections == 1


@pytest.mark.django_db(transaction=True)
def test_marks_on_their_own_connection_are_prepared_once_and_each_committed():
    """A batch sends the same mark thousands of times: on PostgreSQL, the marks' connection
    prepares it at the first and executes it after, each mark committed as it goes (seen from
    Django's connection before the batch ends)."""
    if connection.vendor != "postgresql":
        pytest.skip("the marks' own connection is PostgreSQL's (SQLite marks on Django's, unprepared)")
    emails = [
        OutgoingEmail.objects.create(key=f"k{n}", to=f"p{n}@example.org", subject="s", body="b") for n in range(3)
    ]
    mark = f"UPDATE {OutgoingEmail._meta.db_table} SET status = %s WHERE id = %s"  # noqa: S608 - our table
    with Marks() as marks:
        for email in emails:
            marks.execute(mark, [Status.SENT.value, email.id])
            marks.ready()
            assert OutgoingEmail.objects.get(id=email.id).status == Status.SENT
        marks._cursor.execute("SELECT statement FROM pg_prepared_statements")
        marks._wait()
        prepared = [row[0] for row in marks._cursor.fetchall()]
    assert len(prepared) == 1 and prepared[0].endswith("SET status = $1 WHERE id = $2")
