"""Email through the outbox: queued in the caller's transaction, sent once by the mailer job.

A web request never talks to the mail server or the broker: `queue_email` writes a row, and
what a rolled-back transaction queued is gone with it. The `send_pending_emails` job (every
30 seconds from beat) claims each row with a conditional update, sends it and marks it sent,
so a broker that is down delays mail but loses none. A row the mail server did not take waits
1, 2, 4 ... minutes (an hour at most) before its next try, and is marked failed only after more
than a day of tries; staff send a failed one again from the admin (`send_again`).

The product's emails are rendered (`EmailTemplate`) and composed (`compose`, with the one
in-doubt note) here, and go out through outbox.sending; feedback asks and reminders keep their
own rows (feedback.services) but use the same three.
"""

import logging
from datetime import timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import connection
from django.db.models import Q, Subquery
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop

from . import suppression
from .brands import brand_by_id, from_header, reply_to
from .html import html_version
from .models import OutgoingEmail, Suppression
from .sending import deliver, quick_commits

log = logging.getLogger(__name__)

STUCK_AFTER = timedelta(minutes=15)
FIRST_WAIT = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
# With the waits of retry_delay (1 + 2 + ... + 32 minutes, then hourly), the 30th try comes more
# than a day after the first: a mail server down for hours fails nothing.
MAX_ATTEMPTS = 30


def retry_delay(attempts) -> timedelta:
    """How long a row waits after its `attempts`-th failed try: 1, 2, 4 ... minutes, an hour at most."""
    return min(FIRST_WAIT * 2 ** min(attempts - 1, 10), LONGEST_WAIT)


# Put before the body of an email that may have gone out already (a worker died while it was in
# hand): the one wording for every email, queued or feedback.
_IN_DOUBT = gettext_noop(
    "(Our mail server was interrupted while sending this email, so it may have reached you "
    "already. If so, please ignore this copy.)"
)
IN_DOUBT_NOTE = _IN_DOUBT + "\n\n"  # in the site's language


def in_doubt_note(language=None) -> str:
    """IN_DOUBT_NOTE in the recipient's language (the site's when not known)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        return gettext(_IN_DOUBT) + "\n\n"


class EmailTemplate:
    """`templates/emails/<name>-subject.txt` and `-body.txt`, loaded once: the subject on one
    line, both with the site's name and address in their context. A batch that renders
    thousands (feedback.services) keeps one and calls `subject` and `body` per email."""

    def __init__(self, name, language=None):
        self.subject_template = get_template(f"emails/{name}-subject.txt")
        self.body_template = get_template(f"emails/{name}-body.txt")
        # The recipient's language (accounts.language.language_of), never the sender's: a chair
        # reading the site in French still writes "15 January" to an English reader.
        self.language = language or settings.LANGUAGE_CODE

    @staticmethod
    def _with_site(context):
        return {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}

    def subject(self, context) -> str:
        with translation.override(self.language):
            return " ".join(self.subject_template.render(self._with_site(context)).split())

    def body(self, context) -> str:
        with translation.override(self.language):
            return self.body_template.render(self._with_site(context))


def render_email(template, context, language=None) -> tuple[str, str]:
    """The subject (on one line) and the body of `templates/emails/<template>-*.txt`, in
    `language` (the recipient's; the site's when not given)."""
    template = EmailTemplate(template, language)
    return template.subject(context), template.body(context)


def compose(
    *,
    to,
    subject,
    body,
    in_doubt=False,
    headers=None,
    attachments=(),
    language=None,
    brand=None,
    metadata=None,
    html=None,
) -> EmailMessage:
    """The message as it goes out: the text `body`, and the same as HTML. `in_doubt`: it may
    have reached them already (the in-doubt note, in `language`: the recipient's). `brand`
    (outbox.models.Brand, or None for the site's): the sender's name, the reply-to address and
    the HTML's look. `metadata`: what a provider's tracking events about it carry back
    ({"email": "outbox-12"}: anymail's metadata; SMTP ignores it). `html`: the HTML part when the
    caller made it already (from an outline: feedback's batches), else made here."""
    body = in_doubt_note(language) + body if in_doubt else body
    message = EmailMultiAlternatives(
        subject, body, from_header(brand), [to], headers=headers or None, reply_to=reply_to(brand)
    )
    # The same words and links as HTML, in the one layout (outbox/html.py).
    if html is None or in_doubt:
        html = html_version(subject=subject, body=body, language=language, brand=brand)
    message.attach_alternative(html, "text/html")
    for attachment in attachments:
        message.attach(*_attachment(attachment))
    if metadata:
        message.metadata = metadata
    return message


def queue_email(
    *, key, to, template, context, headers=None, attachments=None, language=None, brand_id=None
) -> OutgoingEmail:
    """Queue `templates/emails/<template>-subject.txt` and `-body.txt` once per key.

    `headers`: extra headers (List-Unsubscribe, ...). `attachments`: dicts with `filename`,
    `content` (text) and `mimetype`, e.g. a calendar invitation. `language`: the recipient's.
    `brand_id`: the Brand it goes out with (mentoring.branding.brand_id_for: the program's)."""
    subject, body = render_email(template, context, language)
    return queue_rendered(
        key=key,
        to=to,
        subject=subject,
        body=body,
        headers=headers,
        attachments=attachments,
        language=language,
        brand_id=brand_id,
    )


def queue_rendered(
    *, key, to, subject, body, headers=None, attachments=None, language=None, brand_id=None
) -> OutgoingEmail:
    """`queue_email` for an email rendered elsewhere (allauth's account emails): sent by the
    outbox job like every other, over its one connection per batch. `language`: the one it is
    written in (the in-doubt note of a second sending is written in it too)."""
    email, _ = OutgoingEmail.objects.get_or_create(
        key=key[:200],
        defaults={
            "to": to,
            "subject": " ".join(subject.split())[:200],
            "body": body,
            "headers": headers or {},
            "attachments": attachments or [],
            "language": language or "",
            "brand_id": brand_id,
        },
    )
    return email


def queue_emails(emails) -> int:
    """`queue_email` for many at once (an announcement to a whole association): each item is the
    same keyword arguments. Rows are written in batches; a key queued already is skipped, as
    with `queue_email`. Returns how many items were given."""
    rows = []
    for item in emails:
        subject, body = render_email(item["template"], item["context"], item.get("language"))
        rows.append(
            OutgoingEmail(
                key=item["key"][:200],
                to=item["to"],
                subject=subject,
                body=body,
                headers=item.get("headers") or {},
                attachments=item.get("attachments") or [],
                language=item.get("language") or "",
                brand_id=item.get("brand_id"),
            )
        )
    OutgoingEmail.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)


def _attachment(attachment) -> tuple:
    """Arguments for EmailMessage.attach. A mimetype with parameters ("text/calendar;
    method=REQUEST; charset=utf-8": mail clients show such a part as an invitation) is built as
    a MIME part, since Django's attach takes a bare type only."""
    mimetype, *params = (part.strip() for part in attachment["mimetype"].split(";"))
    if not params:
        return attachment["filename"], attachment["content"], mimetype
    params = dict(param.split("=", 1) for param in params)
    charset = params.pop("charset", "utf-8")
    part = MIMEPart()
    part.set_content(
        attachment["content"],
        subtype=mimetype.split("/", 1)[1],
        charset=charset,
        params=params,
        disposition="attachment",
        filename=attachment["filename"],
    )
    return (part,)


def requeue_in_doubt(*, now=None) -> int:
    """Rows a dead worker left in "sending": each may or may not have gone out. Sent once more,
    saying so; one that gets stuck a second time is marked failed (shown, never a third copy)."""
    before = (now or timezone.now()) - STUCK_AFTER
    stuck = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.SENDING, claimed_at__lt=before)
    failed = stuck.filter(in_doubt=True).update(
        status=OutgoingEmail.Status.FAILED, last_error="Interrupted twice while sending."
    )
    return failed + stuck.filter(in_doubt=False).update(status=OutgoingEmail.Status.PENDING, in_doubt=True)


def send_pending_emails(*, limit=500) -> int:
    """Send what is waiting, over one connection. Safe to run in parallel and again: each row
    is claimed once, just before its turn (a worker killed mid-batch holds only the one in hand),
    and marked the moment its email went, in the same round trip as the next one's claim."""
    requeue_in_doubt()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    # Each with the suppression of its address, if any, in the same query (no query more per batch).
    suppressed_by = Suppression.objects.of_address("to")
    rows = list(
        OutgoingEmail.objects.filter(due, status=OutgoingEmail.Status.PENDING, attempts__lt=MAX_ATTEMPTS)
        .annotate(suppressed_by=Subquery(suppressed_by.values("pk")[:1]))
        .order_by("created_at")
        .values_list("id", "key", "suppressed_by")[:limit]
    )
    ids = _hold_suppressed(rows)
    batch = _Batch()
    with quick_commits():  # a commit per email, not waiting for the disk each time
        return deliver(
            batch.claimed(ids), build=_message, sent=batch.sent, failed=_mark_failed, in_doubt=_mark_in_doubt
        )


def _hold_suppressed(rows) -> list:
    """The ids of `rows` (id, key, the suppression of its address or None) to send: those to a
    suppressed address are marked SUPPRESSED instead, never tried again (the address bounced;
    see outbox.suppression)."""
    held = [(email_id, pk) for email_id, key, pk in rows if pk and not key.startswith(suppression.ASKED_FOR)]
    found = Suppression.objects.in_bulk([pk for _, pk in held]) if held else {}
    count = 0
    for email_id, pk in held:
        count += OutgoingEmail.objects.filter(id=email_id, status=OutgoingEmail.Status.PENDING).update(
            status=OutgoingEmail.Status.SUPPRESSED, last_error=suppression.not_sent_note(found[pk])
        )
    if count:
        log.info("%s email(s) not sent: their addresses bounced or complained", count)
    skipped = {email_id for email_id, _ in held}
    return [email_id for email_id, _, _ in rows if email_id not in skipped]


_T = OutgoingEmail._meta.db_table
_COLUMNS = ", ".join(f'"{field.column}"' for field in OutgoingEmail._meta.concrete_fields)  # "to" is a keyword
CLAIM = (
    f"UPDATE {_T} SET status = %s, claimed_at = %s WHERE id = %s AND status = %s "  # noqa: S608 - our table
    f"RETURNING {_COLUMNS}"
)
MARK_SENT = f"UPDATE {_T} SET status = %s, sent_at = %s, attempts = attempts + 1 WHERE id = %s"  # noqa: S608


class _Batch:
    """Claims a run's rows one at a time, as the batch reaches them, and marks each sent in the
    same statement as the next one's claim (on PostgreSQL): one round trip per email instead of
    three. A worker killed between an email's send and that statement leaves it "sending", the
    email in hand: sent once more, saying so (requeue_in_doubt)."""

    def __init__(self):
        self.unmarked = None  # the id of the email that went and is not marked yet
        self.together = connection.vendor == "postgresql"  # SQLite has no UPDATE in a WITH

    def sent(self, email):
        self.unmarked = email.id

    def claimed(self, ids):
        for email_id in ids:
            claim = [OutgoingEmail.Status.SENDING.value, _now(), email_id, OutgoingEmail.Status.PENDING.value]
            if self.unmarked is not None and self.together:
                sql = f"WITH sent AS ({MARK_SENT}) {CLAIM}"
                rows = list(OutgoingEmail.objects.raw(sql, [*self._mark(), *claim]))
            else:
                self.flush()
                rows = list(OutgoingEmail.objects.raw(CLAIM, claim))
            self.unmarked = None
            if rows:  # else another worker has it
                yield rows[0]
        self.flush()

    def flush(self):
        if self.unmarked is not None:
            with connection.cursor() as cursor:
                cursor.execute(MARK_SENT, self._mark())
            self.unmarked = None

    def _mark(self):
        return [OutgoingEmail.Status.SENT.value, _now(), self.unmarked]


def _now():
    return connection.ops.adapt_datetimefield_value(timezone.now())  # as the ORM would store it


def _message(email) -> EmailMessage:
    return compose(
        to=email.to,
        subject=email.subject,
        body=email.body,
        in_doubt=email.in_doubt,
        headers=email.headers,
        attachments=email.attachments,
        language=email.language,
        metadata={"email": f"outbox-{email.id}"},
        brand=brand_by_id(email.brand_id),
    )


def _mark_failed(email, error):
    """The mail server said no (or could not be reached): tried again once `retry_delay` has
    passed, until MAX_ATTEMPTS (more than a day); then failed, for staff to see and send again."""
    attempts = email.attempts + 1
    again = attempts < MAX_ATTEMPTS
    OutgoingEmail.objects.filter(id=email.id).update(
        status=OutgoingEmail.Status.PENDING if again else OutgoingEmail.Status.FAILED,
        attempts=attempts,
        next_attempt_at=timezone.now() + retry_delay(attempts) if again else None,
        last_error=str(error)[:500],
    )


def _mark_in_doubt(email, error):
    """The connection failed once the server may have taken the email: sent again (after
    `retry_delay`) with the in-doubt note; in doubt a second time, failed (never a third copy)."""
    attempts = email.attempts + 1
    if email.in_doubt:
        OutgoingEmail.objects.filter(id=email.id).update(
            status=OutgoingEmail.Status.FAILED,
            attempts=attempts,
            next_attempt_at=None,
            last_error=f"Interrupted twice while sending: {error}"[:500],
        )
        return
    OutgoingEmail.objects.filter(id=email.id).update(
        status=OutgoingEmail.Status.PENDING,
        in_doubt=True,
        attempts=attempts,
        next_attempt_at=timezone.now() + retry_delay(attempts),
        last_error=str(error)[:500],
    )


def send_again(*, ids) -> int:
    """Staff's "Send again" (the admin): the failed emails among `ids` go out with the next run,
    with a new day of tries. An email in doubt keeps its note; one whose words were removed (the
    record it was about expired) stays as it is. Returns how many."""
    failed = OutgoingEmail.objects.filter(id__in=ids, status=OutgoingEmail.Status.FAILED).exclude(body="")
    return failed.update(status=OutgoingEmail.Status.PENDING, attempts=0, next_attempt_at=None)
