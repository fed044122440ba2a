"""The one place that talks to the mail server: a batch of emails over one connection, each
marked (by its caller) the moment it went.

Callers own their rows and their exactly-once bookkeeping: the outbox's own job
(outbox.emails.send_pending_emails, OutgoingEmail rows) and the feedback job
(feedback.services, Solicitation rows). They claim rows, then hand `deliver` the claimed items
with three functions: `build` (the item's EmailMessage, made when its turn comes), `sent` (mark
it sent: called right after the server took it, before the next one goes, so a worker killed
mid-batch leaves only the email in hand in doubt) and `failed` (mark it for a retry), and
optionally `in_doubt` (the send failed once the server may have taken the message: a connection
cut after the message data went, before the server said it took it; mark it to be sent again
with the in-doubt note). A caller without `in_doubt` gets those in `failed`.

A failed send may leave the SMTP session unusable (a dropped connection certainly does), so the
connection is closed and opened again before the next email. If it will not open, nothing more
is tried in this batch: the rest is handed to `failed` unsent, for the next run.
"""

import contextlib
import itertools
import logging
import re
import select
import smtplib
import time

import requests
import urllib3
from anymail.exceptions import AnymailError
from django.core.mail import mailers
from django.db import OperationalError, connection

log = logging.getLogger(__name__)

_NOTHING = object()


def deliver(items, *, build, sent, failed, in_doubt=None) -> int:
    """Send one email per item over one connection, in order; returns how many went.

    `build(item)` -> EmailMessage; `sent(item)` once it went; `failed(item, error)` when it was
    refused, could not be built, or was never tried because the mail server could not be
    reached; `in_doubt(item, error)` (if given, else `failed`) when it may have gone out all the
    same (the connection failed once the message was handed over). A BaseException (a worker
    killed, a hard time limit) goes through: what was sent is marked, the item in hand is neither."""
    items = iter(items)
    first = next(items, _NOTHING)
    if first is _NOTHING:
        return 0  # no connection to the mail server for an empty batch (the job runs every 30 seconds)
    items = itertools.chain([first], items)
    mailer = mailers.default
    count = 0
    try:
        mailer.open()
    except Exception as exc:  # no mail server: nothing is tried, everything waits for the next run
        log.warning("Emails not sent, the mail server could not be reached: %s", exc)
        _fail_all(items, failed, exc)
        return 0
    try:
        for item in items:
            try:
                message = build(item)
            except Exception as exc:  # a template that does not render: this one waits, the others go on
                log.warning("An email could not be built: %s", exc)
                failed(item, exc)
                continue
            watch = _DataWatch(mailer)
            try:
                mailer.send_messages([message])
            except Exception as exc:  # refused or cut off: this one waits for the next run
                if watch.may_have_gone(exc):
                    log.warning("An email may or may not have been sent: %s", exc)
                    (in_doubt or failed)(item, exc)
                else:
                    log.warning("An email was not sent: %s", exc)
                    failed(item, exc)
                if not _reopen(mailer):
                    _fail_all(items, failed, exc)
                    break
                continue
            sent(item)
            count += 1
    finally:
        _close(mailer)
    return count


class _DataWatch:
    """Whether a failed send may have delivered the message all the same. The server answering
    with a refusal (an SMTP reply code) took nothing. Otherwise (a dropped connection, a timeout,
    anything): on an smtplib connection, the message may have gone once its DATA began, and
    certainly did not before; on another backend, a lost connection may have delivered it."""

    def __init__(self, mailer):
        self.data_began = None  # unknown
        connection = getattr(mailer, "connection", None)
        if isinstance(connection, smtplib.SMTP):
            self.data_began = False
            data = type(connection).data.__get__(connection)

            def watched_data(msg):
                self.data_began = True
                return data(msg)

            connection.data = watched_data  # this connection, for this one email

    def may_have_gone(self, error) -> bool:
        if isinstance(error, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)):
            return False
        if isinstance(error, AnymailError):
            return _provider_may_have_gone(error)
        if self.data_began is not None:
            return self.data_began
        return isinstance(error, (smtplib.SMTPServerDisconnected, OSError))


def _provider_may_have_gone(error) -> bool:
    """A provider's API (anymail): an answer from it (an HTTP status: refused, over quota, a
    server error), a recipient it rejects, or a message it cannot take took nothing; the
    connection failing before the request went (no connection, a connect timeout) neither.
    Cut off once the request went (a read timeout, a connection reset before the answer), the
    provider may have taken it."""
    if getattr(error, "status_code", None) is not None:
        return False
    cause = error.__cause__
    if isinstance(cause, requests.ConnectTimeout):
        return False
    if isinstance(cause, requests.Timeout):
        return True
    if isinstance(cause, requests.ConnectionError):
        reason = getattr(cause.args[0], "reason", None) if cause.args else None
        return not isinstance(reason, urllib3.exceptions.NewConnectionError)  # DNS, refused: never went
    return False


def _fail_all(items, failed, error):
    for item in items:
        failed(item, error)


def _reopen(mailer) -> bool:
    """A fresh connection after a failed send, once; False if the server cannot be reached."""
    _close(mailer)
    try:
        mailer.open()
    except Exception as exc:
        log.warning("The mail server could not be reached again; the rest waits for the next run: %s", exc)
        return False
    return True


def _close(mailer):
    try:
        mailer.close()
    except Exception as exc:  # what was sent is sent and marked
        log.warning("Closing the mail connection failed: %s", exc)


class Marks:
    """The "sent" marks of a batch, each sent to the database while the next email is built,
    and waited for before that email goes: a mark per email, as before, without the batch
    waiting a database round trip per email.

        with Marks() as marks:
            deliver(items, build=lambda item: marks.ready(build(item)), sent=lambda item: marks.execute(...), ...)

    `execute(sql, params)` starts a mark; `ready(x)` returns x once the mark in flight has
    committed. So a worker killed at any point leaves, as before, at most the email in hand
    unmarked: the one before it was marked before it went.

    On PostgreSQL outside a transaction the marks go over a second, asynchronous connection,
    opened at the first mark, in autocommit: each statement its own commit, without waiting for
    the WAL flush (see quick_commits). Elsewhere (SQLite, or inside a
    transaction, as in most tests, where a second connection would not see the claimed rows) on
    Django's connection, waited for at once."""

    TIMEOUT = 30  # seconds a mark may take before the batch stops (the task retries)
    waited = 0.0  # seconds this process spent waiting for marks (read by the benchmarks)

    def __init__(self):
        self._async = connection.vendor == "postgresql" and not connection.in_atomic_block
        self._conn = self._cursor = None
        self._in_flight = False
        self._prepared = {}  # sql -> the EXECUTE of its prepared statement, on the async connection

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            if exc_info[0] is None:
                self.ready()
        finally:
            self._close()

    def execute(self, sql, params):
        self.ready()
        if self._cursor is None:
            self._open()  # at the first mark: a run with nothing to send opens nothing
        if self._async:
            sql = self._prepared.get(sql) or self._prepare(sql, len(params))
        self._cursor.execute(sql, params)
        self._in_flight = self._async

    def ready(self, value=None):
        if self._in_flight:
            started = time.perf_counter()
            self._wait()
            Marks.waited += time.perf_counter() - started
            self._in_flight = False
        return value

    def _prepare(self, sql, count):
        """Prepares `sql` (its %s numbered) on the marks connection at its first mark; returns
        the EXECUTE that runs it. A batch runs a few statements thousands of times, and
        PostgreSQL parsed and planned each mark afresh: about a third of its time."""
        name = f"mark_{len(self._prepared) + 1}"
        numbers = itertools.count(1)
        self._cursor.execute(f"PREPARE {name} AS {re.sub('%s', lambda _: f'${next(numbers)}', sql)}")
        self._wait()
        self._prepared[sql] = f"EXECUTE {name}({', '.join(['%s'] * count)})"
        return self._prepared[sql]

    def _open(self):
        if not self._async:
            self._cursor = connection.cursor()
            return
        import psycopg2  # only with PostgreSQL

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        try:
            self._conn = psycopg2.connect(**params, async_=1)
            self._wait()
            self._cursor = self._conn.cursor()
            self._cursor.execute("SET synchronous_commit TO OFF")
            self._wait()
        except psycopg2.Error as exc:
            self._close()
            raise OperationalError(str(exc)) from exc

    def _wait(self):
        import psycopg2

        deadline = time.monotonic() + self.TIMEOUT
        try:
            while (state := self._conn.poll()) != psycopg2.extensions.POLL_OK:
                fd = [self._conn.fileno()]
                readable, writable = (fd, []) if state == psycopg2.extensions.POLL_READ else ([], fd)
                left = deadline - time.monotonic()
                if left <= 0 or not any(select.select(readable, writable, [], left)):
                    raise OperationalError(f"A mark took more than {self.TIMEOUT} s")
        except psycopg2.Error as exc:
            raise OperationalError(str(exc)) from exc

    def _close(self):
        if self._cursor is not None:
            self._cursor.close()
        if self._conn is not None:
            self._conn.close()
        self._conn = self._cursor = None
        self._prepared = {}


@contextlib.contextmanager
def quick_commits():
    """One small commit per email would wait for the disk each time (100,000 emails: minutes).
    On PostgreSQL the marks made inside commit without waiting for the WAL flush: a database
    crash (not a restart, which flushes) could lose the last few hundredths of a second of
    marks, whose emails are then sent once more with the in-doubt note (requeue_in_doubt); a
    killed worker loses nothing. Used by the outbox's batches and the feedback emails."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")
