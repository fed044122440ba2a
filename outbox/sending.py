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

import itertools
import logging
import smtplib

from django.core.mail import mailers

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
        if self.data_began is not None:
            return self.data_began
        return isinstance(error, (smtplib.SMTPServerDisconnected, OSError))


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
