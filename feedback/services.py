"""Confidential feedback: who is due to be asked, sending the asks exactly once, the answers,
concerns, and the committee's attention queue and notes (the partnership's life itself, with its
follow-up log, is partnerships.life).

The periodic job is driven by state in the database, never by what day it is: each run asks
everyone whose latest round is due and not yet asked, so a missed day (or three) catches up,
and running it twice (or in two places at once) sends nothing twice.
"""

import base64
import contextlib
import functools
import itertools
import logging
import os
import re
import struct
from collections import namedtuple
from dataclasses import dataclass
from datetime import timedelta
from html import escape

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Exists, F, Max, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.constants import OnConflict
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from accounts import links
from accounts.language import language_of
from accounts.models import User
from mentoring import compiled
from mentoring.branding import brand_id_for, brands_for
from mentoring.models import Partnership, Program
from outbox import suppression
from outbox.emails import EmailTemplate, compose, queue_email
from outbox.html import html_version, plain_word
from outbox.models import OutgoingEmail, Suppression
from outbox.sending import Marks, deliver, quick_commits
from partnerships.meetings import last_met_on
from partnerships.models import Agreement, FollowUp

from . import surveys
from .models import MAX_SEND_ATTEMPTS, REFUSED, Concern, Response, Solicitation

log = logging.getLogger(__name__)

CHUNK = 500
ANALYZE_AFTER = 10_000  # new solicitations in one run that make the table's statistics stale
STUCK_AFTER = timedelta(minutes=15)
TOKEN_SALT = "feedback.link"  # noqa: S105 - a namespace for signing, not a secret


# --- The schedule ----------------------------------------------------------------------------


def rounds_for(*, program, started_on, planned_end_on):
    """[(round, due_on, is_final)]: first after N days, then every M days, then at the end."""
    rounds, day, number = [], program.feedback_first_after_days, 1
    while started_on + timedelta(days=day) < planned_end_on:
        rounds.append((number, started_on + timedelta(days=day), False))
        day += program.feedback_every_days
        number += 1
    if program.feedback_at_end:
        rounds.append((number, planned_end_on, True))
    return rounds


def latest_due_round(*, program, started_on, planned_end_on, today):
    due = [
        r for r in rounds_for(program=program, started_on=started_on, planned_end_on=planned_end_on) if r[1] <= today
    ]
    return due[-1] if due else None


def create_due_solicitations(*, today=None) -> int:
    """One solicitation per partner for the latest round that is due. Rounds missed entirely
    (a partnership imported late, a job down for weeks) are not asked after the fact; the
    latest one is. Idempotent: the unique constraint drops what exists already. Returns how
    many were created."""
    today = today or timezone.localdate()
    programs = {p.pk: p for p in Program.objects.all()}
    asked = Solicitation.objects.filter(partnership=OuterRef("pk")).values("partnership").annotate(m=Max("round"))
    active = (
        Partnership.objects.filter(status=Partnership.Status.ACTIVE, started_on__lte=today)
        .annotate(last_round=asked.values("m"))
        .values_list("pk", "program_id", "mentee_id", "mentor_id", "started_on", "planned_end_on", "last_round")
    )
    due_rounds = {}  # partnerships that started and end on the same days share their rounds
    created, batch = 0, []
    for pk, program_id, mentee_id, mentor_id, started_on, planned_end_on, last_round in active.iterator(
        chunk_size=2000
    ):
        key = (program_id, started_on, planned_end_on)
        if key not in due_rounds:
            due_rounds[key] = latest_due_round(
                program=programs[program_id], started_on=started_on, planned_end_on=planned_end_on, today=today
            )
        due = due_rounds[key]
        if due is None or (last_round is not None and last_round >= due[0]):
            continue
        number, due_on, is_final = due
        batch.append((pk, number, is_final, mentee_id, "mentee", due_on))
        batch.append((pk, number, is_final, mentor_id, "mentor", due_on))
        if len(batch) >= 2000:
            created += _insert_solicitations(batch)
            batch = []
    created += _insert_solicitations(batch)
    created += create_final_rounds(today=today)
    if created >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # A first round for thousands of partnerships adds as many rows in seconds, and the
        # planner's statistics still describe the table before them: every chunk's claim would
        # then sort all pending rows and join every partnership (quadratic; 100,000 asks took
        # twice as long). A sampled ANALYZE takes a fraction of a second.
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Solicitation._meta.db_table}")
    return created


_ASKED = ("partnership", "round", "is_final", "respondent", "role", "due_on")


def _insert_solicitations(asks) -> int:
    """Insert (partnership id, round, is_final, respondent id, role, due_on) rows, skipping
    those that exist already; returns how many were inserted. Plain SQL: building a model
    instance per row and preparing each of its fields (bulk_create) cost more than the
    database did (100,000 asks: ~4 s of CPU). Every other column gets its model default,
    prepared once per call as the ORM would. On PostgreSQL the rows go as one array per
    column (unnest): a VALUES list of thousands of rows takes PostgreSQL longer to parse than
    to insert."""
    if not asks:
        return 0
    meta = Solicitation._meta
    template = Solicitation()
    rest = {  # the columns whose default is NULL are left out
        f: value
        for f in meta.concrete_fields
        if f.name not in _ASKED
        and not f.primary_key
        and (value := f.get_db_prep_save(f.pre_save(template, add=True), connection)) is not None
    }
    defaults = list(rest.values())
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [*map(meta.get_field, _ASKED), *rest])
    insert = f"{connection.ops.insert_statement(on_conflict=OnConflict.IGNORE)} {meta.db_table} ({columns})"
    ignore = connection.ops.on_conflict_suffix_sql(meta.concrete_fields, OnConflict.IGNORE, None, None)
    constants = ", ".join(["%s"] * len(rest))
    due_on = meta.get_field("due_on")
    days = {day: due_on.get_db_prep_save(day, connection) for day in {ask[5] for ask in asks}}
    asks = [(*ask[:5], days[ask[5]]) for ask in asks]
    if connection.vendor == "postgresql":
        arrays = "unnest(%s::bigint[], %s::smallint[], %s::boolean[], %s::bigint[], %s::text[], %s::date[])"
        sql = f"{insert} SELECT *, {constants} FROM {arrays} {ignore}"  # noqa: S608 - our table and columns
        with connection.cursor() as cursor:
            cursor.execute(sql, [*defaults, *map(list, zip(*asks, strict=True))])
            return cursor.rowcount
    row = f"(%s, %s, %s, %s, %s, %s, {constants})"
    size = max(1, min(500, connection.ops.bulk_batch_size([*_ASKED, *rest], asks)))
    inserted = 0
    for first in range(0, len(asks), size):
        part = asks[first : first + size]
        with connection.cursor() as cursor:
            params = [value for ask in part for value in (*ask, *defaults)]
            cursor.execute(f"{insert} VALUES {', '.join([row] * len(part))} {ignore}", params)
            inserted += cursor.rowcount
    return inserted


def create_final_rounds(*, today=None) -> int:
    """The final round (the close-out survey) of each partnership completed lately, one per
    partner, when its program asks one at the end and it was not asked yet (a partnership past its
    planned end was asked it on that day). Completion leaves this to the database: the partnership
    is COMPLETED with no final round. "Lately": ended within the program's feedback_link_days, so
    partnerships closed long ago are never asked. Idempotent (the unique constraint, and the
    check for a final round). A partner whose account is closed (erased) is not asked."""
    today = today or timezone.localdate()
    final_asked = Solicitation.objects.filter(partnership=OuterRef("pk"), is_final=True)
    last_round = Solicitation.objects.filter(partnership=OuterRef("pk")).values("partnership").annotate(m=Max("round"))
    created = 0
    for program in Program.objects.filter(feedback_at_end=True).order_by("pk"):
        ended = (
            Partnership.objects.filter(
                program=program,
                status=Partnership.Status.COMPLETED,
                ended_on__gte=today - timedelta(days=program.feedback_link_days),
                ended_on__lte=today,
            )
            .exclude(Exists(final_asked))
            .annotate(last_round=Subquery(last_round.values("m")))
            .values_list(
                "pk", "mentee_id", "mentor_id", "mentee__is_active", "mentor__is_active", "ended_on", "last_round"
            )
        )
        batch = [
            Solicitation(
                partnership_id=pk,
                round=(last or 0) + 1,
                is_final=True,
                respondent_id=respondent,
                role=role,
                due_on=ended_on,
            )
            for pk, mentee_id, mentor_id, mentee_active, mentor_active, ended_on, last in ended.iterator(
                chunk_size=2000
            )
            for respondent, role, active in ((mentee_id, "mentee", mentee_active), (mentor_id, "mentor", mentor_active))
            if active
        ]
        if batch:
            created += len(Solicitation.objects.bulk_create(batch, batch_size=2000, ignore_conflicts=True))
    return created


# --- Tokened links ---------------------------------------------------------------------------


def make_token(solicitation) -> str:
    return _token(solicitation.pk, solicitation.respondent_id)


# A feedback link's token: the solicitation's and the respondent's ids, encrypted and
# authenticated with AES-GCM under a key of these links' own (from SECRET_KEY), with a random
# nonce per link. Like accounts.links (Fernet), it shows nothing of what it opens and cannot be
# altered or forged; it is 59 characters instead of 98 and costs a sixth (a first round makes
# one per email, 100,000 at once: Fernet's JSON, CBC and HMAC took ~18 µs each).
_IDS = struct.Struct(">QQ")
_NONCE = 12
_TOKEN_BYTES = _NONCE + _IDS.size + 16  # the nonce, the ids, the tag


@functools.lru_cache(maxsize=8)
def _ciphers(*keys):
    """One per key, the current one first (a key rotation does not break links in inboxes)."""
    return [AESGCM(salted_hmac(TOKEN_SALT, "aes-gcm", secret=key, algorithm="sha256").digest()) for key in keys]


def _token(pk, respondent_id) -> str:
    nonce = os.urandom(_NONCE)
    sealed = _ciphers(settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)[0].encrypt(
        nonce, _IDS.pack(pk, respondent_id), None
    )
    return base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def _open_token(token):
    """[solicitation id, respondent id] from a token of _token, or None. Only its canonical
    spelling opens (base64 has a few spellings of the same bytes)."""
    padded = token + "=" * (-len(token) % 4)
    try:
        sealed = base64.urlsafe_b64decode(padded)
    except ValueError:
        return None
    if len(sealed) != _TOKEN_BYTES or base64.urlsafe_b64encode(sealed).decode() != padded:
        return None
    for cipher in _ciphers(settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS):
        try:
            return list(_IDS.unpack(cipher.decrypt(sealed[:_NONCE], sealed[_NONCE:], None)))
        except InvalidTag:
            continue
    return None


def _read_token(token):
    """[solicitation id, respondent id] from a link, or None."""
    ids = _open_token(token)
    if ids is not None:
        return ids
    ids = links.read_token(TOKEN_SALT, token, 2)  # a Fernet link, sent before links became shorter
    if ids is not None:
        return ids
    try:  # a link sent before links were encrypted (signed, readable); they expire within days
        data = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature:
        return None
    return [data.get("s"), data.get("r")] if isinstance(data, dict) else None


class LinkProblem(Exception):
    """The link is broken, expired or used; the page says so kindly."""

    def __init__(self, kind):
        super().__init__(kind)
        self.kind = kind  # "invalid" | "expired" | "used" | "closed"


def solicitation_for_token(token: str) -> Solicitation:
    """The solicitation a link opens, or LinkProblem. Never trusts anything but the signature."""
    if not token or len(token) > 300:
        raise LinkProblem("invalid")
    data = _read_token(token)
    if not isinstance(data, list) or len(data) != 2 or not all(type(n) is int for n in data):
        raise LinkProblem("invalid")
    solicitation = (
        Solicitation.objects.select_related("partnership__program", "respondent")
        .filter(pk=data[0], respondent_id=data[1])
        .first()
    )
    if solicitation is None:
        raise LinkProblem("invalid")
    if problem := _link_problem(solicitation):
        raise LinkProblem(problem)
    return solicitation


def _link_problem(solicitation) -> str | None:
    """Why this round's link no longer opens ("used", "closed", "expired"), or None."""
    if solicitation.status == Solicitation.Status.ANSWERED:
        return "used"
    if not solicitation.respondent.is_active:  # an erased (or closed) account: nothing more is taken
        return "closed"
    if solicitation.partnership.status != Partnership.Status.ACTIVE and not solicitation.is_final:
        return "closed"
    sent_at = solicitation.sent_at or solicitation.created_at
    days = solicitation.partnership.program.feedback_link_days
    # Each reminder renews the link's life: the latest email always works for `days` days.
    if timezone.now() - max(sent_at, solicitation.last_reminded_at or sent_at) > timedelta(days=days):
        return "expired"
    return None


def _asked_of(user_id):
    return (
        Solicitation.objects.filter(
            respondent=user_id, status__in=[Solicitation.Status.SENT, Solicitation.Status.SENDING]
        )
        .select_related("partnership__program", "partnership__mentee", "partnership__mentor", "respondent")
        .order_by("-round")
    )


def waiting_for(user) -> list:
    """(solicitation, link) for each feedback round asked of this member and not answered yet,
    whose link still works: shown on their home page, so that a lost email never means a lost
    answer. One query, whatever the number of rounds, compiled once per process (mentoring.compiled)."""
    asked = compiled.objects("feedback-waiting", _asked_of, user_id=user.pk)
    return [(s, reverse("feedback:answer", args=[make_token(s)])) for s in asked if _link_problem(s) is None]


def feedback_url(solicitation):
    return _url_for_token(make_token(solicitation))


def _url_for_token(token):
    return settings.SITE_URL + reverse("feedback:answer", args=[token])


# --- Sending, exactly once -------------------------------------------------------------------


def _claim(queryset, **changes) -> list[int]:
    """Claim up to CHUNK rows for this worker in one short transaction: rows another worker
    holds are skipped, the claimed ones are marked before it commits. Only the claimed rows are
    locked (`of`), never the partnerships or programs a query joins to."""
    with transaction.atomic():
        ids = list(queryset.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[:CHUNK])
        if ids:
            queryset.model.objects.filter(pk__in=ids).update(**changes)
    return ids


class _Person:
    """What the feedback emails show of a member, read from the few columns they use: a first
    round builds tens of thousands of emails, and a model instance per person cost more than
    the email. test_jobs holds every email to its template rendered with the whole records."""

    __slots__ = ("pk", "first_name", "last_name", "email", "language")
    get_full_name = User.get_full_name
    __str__ = User.__str__

    def __init__(self, pk, first_name, last_name, email, language=""):
        self.pk, self.first_name, self.last_name, self.email = pk, first_name, last_name, email
        self.language = language  # the email is written in it (accounts.language.language_of)


# Where a person's words go in an email's outline (_Messages.body): nothing a name, an address
# or a link can hold (PostgreSQL text never holds NUL).
_STAND_INS = tuple(f"\x00{k}\x00" for k in range(5))


class _StandIn:
    """A person in an email's outline: stand-ins for the first name (or blank, so that the
    template's own "if there is a first name" holds), the address and the full name."""

    def __init__(self, first, email, full=None):
        def word(k):
            return "" if k is None else _STAND_INS[k]

        self.first_name, self.last_name, self.email, self.full = word(first), "", word(email), word(full)

    def get_full_name(self):
        return self.full


def _outline(text):
    """`text` with stand-ins as a format string (its own braces doubled), so that filling it in
    is one str.format: less than half the time of five replace() calls over each email's text
    and HTML (20,000 emails: 0.29 -> 0.13 s)."""
    return _STAND_IN.sub(r"{\1}", text.replace("{", "{{").replace("}", "}}"))


_STAND_IN = re.compile("\x00([0-4])\x00")


# A claimed row as the emails and their marks read it (`solicitation` in the templates).
_Ask = namedtuple("_Ask", "pk round is_final role respondent_id partnership_id in_doubt")


class _Messages:
    """Builds the feedback emails of one chunk, with the outbox's templates and message (its
    in-doubt note included). Costs paid once per chunk, not per email (a first round can ask
    tens of thousands at once): the templates (one per language), the link's URL around the
    token, the programs, the people (as _Person), and the subject, which may only use `program`,
    `reminder`, `solicitation.is_final` and the language. Each email is written in its
    recipient's language, whoever's run it is."""

    PERSON = ("id", "first_name", "last_name", "email", "language")

    def __init__(self, asks, *, reminder):
        self.reminder = reminder
        self.templates = {}  # (name, language): EmailTemplate, loaded when first needed
        # Tokens are URL-safe (base64url), so this is feedback_url() without a reverse() per row.
        self.link_head, self.link_tail = _url_for_token("__token__").split("__token__")
        # The partnerships in a query of their own: joined to the chunk, PostgreSQL prefers to
        # hash the whole partnerships table, once per chunk.
        columns = [f"{who}__{field}" for who in ("mentee", "mentor") for field in self.PERSON]
        self.partnerships = {
            pk: (program_id, _Person(*row[: len(self.PERSON)]), _Person(*row[len(self.PERSON) :]))
            for pk, program_id, *row in Partnership.objects.filter(
                pk__in={ask.partnership_id for ask in asks}
            ).values_list("pk", "program_id", *columns)
        }
        self.programs = Program.objects.in_bulk({program_id for program_id, _, _ in self.partnerships.values()})
        self.brands = brands_for(self.programs.values())  # each program's look (mentoring.branding)
        self.subjects = {}
        self.outlines = {}  # kind of email: its outline with stand-ins, or False (see body())
        self.html_outlines = {}  # kind of email: its outline's HTML part, or False (see html())

    def template(self, name, language):
        if (name, language) not in self.templates:
            self.templates[name, language] = EmailTemplate(name, language)
        return self.templates[name, language]

    def __call__(self, asks):
        """One email for what is due to one person in this chunk: one partnership's ask, or
        several (a mentor with more than one mentee) listed in one email."""
        if len(asks) > 1:
            return self.several(asks)
        context = self.context(asks[0])
        ask, program = asks[0], context["program"]
        person, partner = context["person"], context["partner"]
        language = language_of(person)
        template = self.template("feedback", language)
        kind = (program.pk, self.reminder, ask.is_final, language)
        if kind not in self.subjects:
            self.subjects[kind] = template.subject(context)
        values = (person.first_name, person.email, partner.first_name, partner.get_full_name(), context["token"])
        subject, brand = self.subjects[kind], self.brands.get(program.pk)
        kind = (*kind, bool(person.first_name), bool(partner.first_name))
        body = self.body(template, kind, context, values)
        return compose(
            to=person.email,
            subject=subject,
            body=body,
            in_doubt=ask.in_doubt,
            language=language,
            metadata=_metadata(asks),
            brand=brand,
            html=self.html(kind, subject, body, values, language=language, brand=brand),
        )

    def body(self, template, kind, context, values):
        """The email's body: its template rendered once per kind of email (program, round,
        language, which names are blank) with stand-ins where the person's words go, then the
        stand-ins replaced (rendering each of 100,000 emails was most of the job's own time).
        A kind's outline is used only if it gives its first email word for word as the whole
        template does; else every email of that kind is rendered whole."""
        outline = self.outlines.get(kind)
        if outline is None:
            whole = template.body(context)
            person, partner = context["person"], context["partner"]
            stand_in = {
                **context,
                "person": _StandIn(0 if person.first_name else None, 1),
                "partner": _StandIn(2 if partner.first_name else None, None, full=3),
                "link": self.link_head + _STAND_INS[4] + self.link_tail,
            }
            outline = _outline(template.body(stand_in))
            self.outlines[kind] = outline if outline.format(*values) == whole else False
            return whole
        return outline.format(*values) if outline else template.body(context)

    def html(self, kind, subject, body, values, *, language, brand):
        """The email's HTML part, made from the kind's outline as its body is (making it from each
        body was the biggest part of the job's own time left): the outline's HTML with the
        person's words escaped in. Used only when the kind's outline is, when every word placed
        in it reads as plain text there (outbox.html.plain_word: a name holding a link or a line
        break is made whole), and when it gave the kind's first email exactly as made whole;
        None otherwise (compose makes it from the body)."""
        outline = self.outlines.get(kind)
        if not outline or not all(map(plain_word, values)):
            return None
        escaped = tuple(map(escape, values))
        made = self.html_outlines.get(kind)
        if made is None:
            made = _outline(
                html_version(subject=subject, body=outline.format(*_STAND_INS), language=language, brand=brand)
            )
            whole = html_version(subject=subject, body=body, language=language, brand=brand)
            self.html_outlines[kind] = made if made.format(*escaped) == whole else False
            return whole
        return made.format(*escaped) if made else None

    def context(self, ask):
        program_id, mentee, mentor = self.partnerships[ask.partnership_id]
        program = self.programs[program_id]
        person, partner = (mentee, mentor) if ask.respondent_id == mentee.pk else (mentor, mentee)
        return {
            "person": person,
            "partner": partner,
            "program": program,
            "solicitation": ask,
            "token": (token := _token(ask.pk, ask.respondent_id)),
            "link": self.link_head + token + self.link_tail,
            "reminder": self.reminder,
            "days": program.feedback_link_days,
        }

    def several(self, asks):
        contexts = [self.context(ask) for ask in asks]
        context = {
            "person": contexts[0]["person"],
            "asks": contexts,
            "reminder": self.reminder,
            "days": min(each["days"] for each in contexts),
        }
        language = language_of(context["person"])
        template = self.template("feedback-several", language)
        # One email about several programs has their brand if they share one, else the site's.
        brands = {self.brands.get(each["program"].pk) for each in contexts}
        return compose(
            to=context["person"].email,
            subject=template.subject(context),
            body=template.body(context),
            in_doubt=any(ask.in_doubt for ask in asks),
            language=language,
            metadata=_metadata(asks),
            brand=brands.pop() if len(brands) == 1 else None,
        )

    def address(self, ask):
        _, mentee, mentor = self.partnerships[ask.partnership_id]
        return mentee.email if ask.respondent_id == mentee.pk else mentor.email


def _metadata(asks):
    """What the provider's events about the email carry back: the asks it holds."""
    return {"email": "feedback-" + ",".join(str(ask.pk) for ask in asks)}


def send_solicitations() -> int:
    """Send every pending solicitation, in chunks, each once. A run passes over each row once
    (pk order): a send that failed waits for the next run, so a mail server that is down for a
    while does not use up every attempt in one minute."""
    requeue_in_doubt()
    sent, after = 0, 0
    # An ask for a partnership that ended meanwhile is not sent (the final round excepted).
    pending = Solicitation.objects.filter(
        Q(partnership__status=Partnership.Status.ACTIVE) | Q(is_final=True), status=Solicitation.Status.PENDING
    ).order_by("pk")
    with Marks() as marks:  # one marks connection for the run, not one per chunk
        while True:
            ids = _claim(pending.filter(pk__gt=after), status=Solicitation.Status.SENDING, claimed_at=timezone.now())
            if not ids:
                return sent
            after = max(ids)
            sent += _deliver(ids, reminder=False, marks=marks)


def _deliver(ids, *, reminder, marks=None):
    """Send the claimed rows `ids`; `marks`: the run's Marks (else one of its own)."""
    rows = [
        _Ask._make(row) for row in Solicitation.objects.filter(pk__in=ids).order_by("pk").values_list(*_Ask._fields)
    ]
    try:
        message = _Messages(rows, reminder=reminder)
    except Exception as exc:  # no template: nothing was sent, all wait for the next run
        log.warning("Feedback emails not built: %s", exc)
        for solicitation in rows:
            _mark_failed(solicitation.pk, str(exc)[:300], reminder=reminder)
        return 0
    sent = 0

    def mark_sent(group):
        nonlocal sent
        _mark_sent(marks, [solicitation.pk for solicitation in group], reminder=reminder)
        sent += len(group)

    def mark_failed(group, error):  # this one waits for the next run; the others go on
        log.warning("Feedback email %s failed: %s", [solicitation.pk for solicitation in group], error)
        for solicitation in group:
            _mark_failed(solicitation.pk, str(error)[:300], reminder=reminder)

    def mark_in_doubt(group, error):  # it may have gone: sent again once, saying so
        log.warning("Feedback email %s may or may not have been sent: %s", [s.pk for s in group], error)
        for solicitation in group:
            _mark_in_doubt(solicitation, str(error)[:250], reminder=reminder)

    groups = _hold_suppressed(_by_person(rows), message, reminder=reminder)
    with quick_commits(), contextlib.ExitStack() as stack:
        marks = marks or stack.enter_context(Marks())
        # One email per person over the outbox's one connection, each email's rows marked the
        # moment it went (or failed), in claim order (groups in the order of their first row):
        # a worker killed now leaves only the email in hand in doubt, whose first row is the
        # first row of its claim still unmarked (requeue_in_doubt), never a whole chunk. The
        # mark travels while the next email is built, which waits for it before it goes (Marks).
        deliver(
            groups,
            build=lambda group: marks.ready(message(group)),
            sent=mark_sent,
            failed=mark_failed,
            in_doubt=mark_in_doubt,
        )
        marks.ready()
    return sent


def _hold_suppressed(groups, message, *, reminder):
    """The groups to send: those to an address the provider reported bounced (or complained)
    are not sent and never tried again (the ask failed, the reminders stopped), with the reason
    in last_error; the committee sees it in the attention queue. One query for the chunk."""
    held = suppression.suppressed(message.address(group[0]) for group in groups)
    if not held:
        return groups
    keep = []
    for group in groups:
        found = held.get(suppression.normal(message.address(group[0])))
        if found is None:
            keep.append(group)
            continue
        rows = Solicitation.objects.filter(pk__in=[ask.pk for ask in group])
        note = suppression.not_sent_note(found)
        if reminder:
            rows.update(reminder_claimed_at=None, reminder_failures=MAX_SEND_ATTEMPTS, last_error=note)
        else:
            # Failed with one try: the committee's "Send it again" shows (once the address is fixed).
            rows.update(status=Solicitation.Status.FAILED, last_error=note, claimed_at=None, attempts=F("attempts") + 1)
    log.info("Feedback emails not sent, their addresses bounced: %s", len(groups) - len(keep))
    return keep


def _by_person(rows):
    """The chunk's rows grouped by the person they ask, each group in the order of its first
    row (rows come in pk order): what is due to one person goes in one email."""
    groups = {}
    for row in rows:
        groups.setdefault(row.respondent_id, []).append(row)
    return list(groups.values())


def _mark_sent(marks, pks, *, reminder):
    # Plain SQL on one cursor: this runs once per email, and the ORM's building of the same UPDATE
    # cost more than the database did (100,000 emails: ~40 s of CPU). One statement per email:
    # its rows are marked together.
    now = connection.ops.adapt_datetimefield_value(timezone.now())  # as the ORM would store it
    placeholders = ", ".join(["%s"] * len(pks))
    if reminder:
        marks.execute(MARK_REMINDED.format(marks=placeholders), [now, False, *pks])
    else:
        marks.execute(MARK_SENT.format(marks=placeholders), [Solicitation.Status.SENT.value, now, False, *pks])


_TABLE = Solicitation._meta.db_table
MARK_SENT = (
    f"UPDATE {_TABLE} SET status = %s, sent_at = %s, attempts = attempts + 1, in_doubt = %s "  # noqa: S608 - our table
    "WHERE id IN ({marks})"
)
MARK_REMINDED = (
    f"UPDATE {_TABLE} SET reminders_sent = reminders_sent + 1, last_reminded_at = %s, "  # noqa: S608 - our table
    "reminder_claimed_at = NULL, reminder_failures = 0, in_doubt = %s WHERE id IN ({marks})"
)


def _mark_failed(pk, error, *, reminder):
    """Refused: tried again at the next run; refused MAX_SEND_ATTEMPTS times, no more (the
    committee sees it in the attention queue and can send it again)."""
    if reminder:
        Solicitation.objects.filter(pk=pk).update(
            reminder_claimed_at=None, reminder_failures=F("reminder_failures") + 1, last_error=error, in_doubt=False
        )
        return
    Solicitation.objects.filter(pk=pk).update(
        status=Case(
            When(attempts__gte=MAX_SEND_ATTEMPTS - 1, then=Value(Solicitation.Status.FAILED)),
            default=Value(Solicitation.Status.PENDING),
        ),
        attempts=F("attempts") + 1,
        last_error=error,
        claimed_at=None,
        in_doubt=False,
    )


def _mark_in_doubt(solicitation, error, *, reminder):
    """The connection failed once the server may have taken the email: sent again at the next
    run with the in-doubt note; in doubt a second time, failed (the committee sees it and may
    send it again), never a third copy."""
    twice = solicitation.in_doubt
    error = f"Interrupted twice while sending: {error}" if twice else error
    rows = Solicitation.objects.filter(pk=solicitation.pk)
    if reminder:
        failures = {"reminder_failures": MAX_SEND_ATTEMPTS} if twice else {}
        rows.update(reminder_claimed_at=None, in_doubt=True, last_error=error, **failures)
        return
    rows.update(
        status=Solicitation.Status.FAILED if twice else Solicitation.Status.PENDING,
        attempts=F("attempts") + 1,
        last_error=error,
        claimed_at=None,
        in_doubt=True,
    )


def requeue_in_doubt(*, now=None) -> int:
    """Asks and reminders claimed by a worker that died before sending them all go back in the
    queue. Each row of a claim is marked as its email goes, in pk order, so the first row of a
    dead claim still unmarked is the one it had in hand: it may have gone out, or not, and its
    email says so (`in_doubt`: the outbox's IN_DOUBT_NOTE); if it was in doubt already, it is
    failed instead (never a third copy). The rest of the claim was certainly not sent. Claimed
    by conditional updates: two runs at once requeue each row once."""
    cut = (now or timezone.now()) - STUCK_AFTER
    requeued = 0
    for claim_field, stuck in (
        ("claimed_at", Solicitation.objects.filter(status=Solicitation.Status.SENDING, claimed_at__lt=cut)),
        ("reminder_claimed_at", Solicitation.objects.filter(reminder_claimed_at__lt=cut)),
    ):
        for claimed_at, first in stuck.values(claim_field).annotate(first=Min("pk")).values_list(claim_field, "first"):
            in_hand = Solicitation.objects.filter(pk=first, **{claim_field: claimed_at})
            # In doubt already (sent once more, and in hand again): failed, never a third copy.
            in_hand.filter(in_doubt=True).update(
                last_error="Interrupted twice while sending.",
                **{claim_field: None},
                **(
                    {"status": Solicitation.Status.FAILED, "attempts": F("attempts") + 1}
                    if claim_field == "claimed_at"
                    else {"reminder_failures": MAX_SEND_ATTEMPTS}
                ),
            )
            in_hand.update(in_doubt=True)  # no longer matches a row failed just above
        changes = {"status": Solicitation.Status.PENDING, "claimed_at": None} if claim_field == "claimed_at" else {}
        requeued += stuck.update(**changes, **({} if changes else {"reminder_claimed_at": None}))
    if requeued:
        log.warning("Feedback emails left by a dead worker, queued again: %s", requeued)
    return requeued


def _emailed_since(moment):
    """The people a feedback email went to since ``moment`` (an ask or a reminder)."""
    return Solicitation.objects.filter(Q(sent_at__gte=moment) | Q(last_reminded_at__gte=moment)).values("respondent")


def send_reminders(*, now=None, emailed_since=None) -> int:
    """Remind those who have not answered after N days, at most M times (state, not timers).
    ``emailed_since``: who got a feedback email since then waits for the next run."""
    now = now or timezone.now()
    requeue_in_doubt(now=now)
    sent = 0
    # Per program (there are few): its interval is then a plain datetime, which SQLite can
    # compare too (it cannot multiply a duration, so `days * interval` failed there).
    for program in _programs_with_active_partnerships():
        cutoff = now - timedelta(days=program.reminder_after_days)
        later_round = Solicitation.objects.filter(
            partnership=OuterRef("partnership"), respondent=OuterRef("respondent"), round__gt=OuterRef("round")
        )
        due = (
            Solicitation.objects.filter(
                status=Solicitation.Status.SENT,
                reminder_claimed_at__isnull=True,
                partnership__program=program,
                partnership__status=Partnership.Status.ACTIVE,
                reminders_sent__lt=program.max_reminders,
                reminder_failures__lt=MAX_SEND_ATTEMPTS,
            )
            .filter(
                # The last email (the ask or the latest reminder) is older than the program's interval.
                Q(last_reminded_at__isnull=True, sent_at__lte=cutoff) | Q(last_reminded_at__lte=cutoff)
            )
            # A round is not reminded once a later one has been asked of the same person.
            .exclude(Exists(later_round))
            .order_by("pk")
        )
        if emailed_since is not None:
            due = due.exclude(respondent__in=_emailed_since(emailed_since))
        after = 0  # one pass per run, as for the asks: a failed reminder is tried again next run
        while ids := _claim(due.filter(pk__gt=after), reminder_claimed_at=now):
            after = max(ids)
            sent += _deliver(ids, reminder=True)
    return sent


def _programs_with_active_partnerships():
    active = Partnership.objects.filter(program=OuterRef("pk"), status=Partnership.Status.ACTIVE)
    return Program.objects.filter(Exists(active)).order_by("pk")


def _stuck(cut=None):
    """Claimed (for the ask or for a reminder) before `cut` (STUCK_AFTER ago by default) and never
    marked done: a worker died mid-send."""
    cut = cut or timezone.now() - STUCK_AFTER
    return Q(status=Solicitation.Status.SENDING, claimed_at__lt=cut) | Q(reminder_claimed_at__lt=cut)


def stuck_solicitations():
    """Shown to the committee until the next run queues them again (requeue_in_doubt): seen only
    while the sending job itself is not running."""
    return Solicitation.objects.filter(_stuck())


def nudge_quiet_partnerships(*, today=None, emailed_since=None) -> int:
    """A gentle note to partners who have logged no meeting for a while (once per quiet spell).
    ``emailed_since``: who got a feedback email since then is nudged at the next run."""
    today = today or timezone.localdate()
    count = 0
    busy = set(_emailed_since(emailed_since).values_list("respondent", flat=True)) if emailed_since else set()
    # The database picks the quiet ones (per program, few), so a run costs nothing per busy partnership.
    for program in _programs_with_active_partnerships():
        brand_id = brand_id_for(program=program)  # the program's look: one query per program
        quiet = (
            Partnership.objects.filter(program=program, status=Partnership.Status.ACTIVE)
            .annotate(since=last_met_on())
            .filter(since__lte=today - timedelta(days=program.nudge_after_days))
            .select_related("mentee", "mentor")
            .order_by("pk")
        )
        for chunk in itertools.batched(quiet.iterator(chunk_size=1000), 1000):
            # Who was nudged this spell already: one query per thousand partnerships.
            keys = {
                (partnership, person): f"nudge:{partnership.pk}:{person.pk}:{partnership.since.isoformat()}"
                for partnership in chunk
                for person in (partnership.mentee, partnership.mentor)
            }
            done = set(OutgoingEmail.objects.filter(key__in=keys.values()).values_list("key", flat=True))
            for (partnership, person), key in keys.items():
                if person.pk in busy or key in done:
                    continue  # emailed in this run already (nudged at the next), or nudged this spell
                busy.add(person.pk)
                queue_email(
                    key=key,
                    to=person.email,
                    language=language_of(person),
                    template="nudge",
                    brand_id=brand_id,
                    context={"program": program, "person": person, "partner": partnership.partner_of(person)},
                )
                count += 1
    return count


def run_feedback_job(*, today=None) -> dict:
    """The periodic job: create what is due, send it, remind, nudge. Safe to run often. One
    email per person per run: someone asked in this run is reminded, and nudged, at the next."""
    started = timezone.now()
    created = create_due_solicitations(today=today)
    sent = send_solicitations()
    reminded = send_reminders(emailed_since=started)
    nudged = nudge_quiet_partnerships(today=today, emailed_since=started)
    return {"created": created, "sent": sent, "reminded": reminded, "nudged": nudged}


# --- Answers and concerns ----------------------------------------------------------------------


@transaction.atomic
def submit_response(*, solicitation, answers, survey=()) -> Response:
    """Store one answer per solicitation; a double click or a second tab stores nothing more.
    `survey`: the chair's questions asked, [(question, version)]; their answers are in `answers`
    under each question's field name and are stored with the Response, or not at all."""
    solicitation = (
        Solicitation.objects.select_for_update().select_related("partnership__program").get(pk=solicitation.pk)
    )
    if solicitation.status == Solicitation.Status.ANSWERED:
        raise LinkProblem("used")
    partnership = solicitation.partnership
    leadership_mentor = solicitation.role == "mentor" and partnership.program.kind == Program.Kind.LEADERSHIP
    try:
        with transaction.atomic():
            response = Response.objects.create(
                solicitation=solicitation,
                partnership=partnership,
                respondent_id=solicitation.respondent_id,
                role=solicitation.role,
                round=solicitation.round,
                satisfaction=answers["satisfaction"],
                met=answers["met"],
                progress=answers["progress"],
                working=answers["working"],
                wants_new_partner=answers.get("wants_new_partner", False),
                concerns=answers.get("concerns") or None,
                recommends_for_leadership=answers.get("recommends_for_leadership") if leadership_mentor else None,
            )
            surveys.save_answers(response=response, asked=survey, data=answers)
    except IntegrityError:
        raise LinkProblem("used") from None
    solicitation.status = Solicitation.Status.ANSWERED
    solicitation.answered_at = timezone.now()
    solicitation.save(update_fields=["status", "answered_at"])
    return response


def raise_concern(*, partnership, by, text) -> Concern:
    text = text.strip()
    if not text:
        raise ValidationError(_("Please tell the committee what the concern is."))
    return Concern.objects.create(partnership=partnership, raised_by=by, text=text)


# --- The committee's attention queue and actions ---------------------------------------------


@dataclass(frozen=True)
class Attention:
    partnership: Partnership
    reasons: tuple


def _lapsed(user):
    profile = getattr(user, "profile", None)
    return profile is not None and profile.membership_status == profile.MembershipStatus.LAPSED


def _attention_rows(program_id, max_reminders, reminded_before, stuck_before):
    flagged = Response.objects.filter(partnership=OuterRef("pk")).filter(
        Q(satisfaction__lte=2) | Q(working=Response.Working.NO) | Q(wants_new_partner=True)
    )
    handled_after = FollowUp.objects.filter(partnership=OuterRef("pk"), created_at__gte=OuterRef("latest_flag"))
    latest_flag = flagged.order_by("-submitted_at").values("submitted_at")[:1]
    silent = Solicitation.objects.filter(
        partnership=OuterRef("pk"),
        status=Solicitation.Status.SENT,
        reminders_sent__gte=max_reminders,
        last_reminded_at__lte=reminded_before,
    )
    open_concern = Concern.objects.filter(partnership=OuterRef("pk"), resolved_at__isnull=True)
    stuck = Solicitation.objects.filter(_stuck(stuck_before), partnership=OuterRef("pk"))
    undeliverable = Solicitation.objects.filter(REFUSED, partnership=OuterRef("pk"))
    # Agreements made when the partnership started (not those of partnerships that started before
    # agreements existed: they were never asked to confirm at the start).
    unconfirmed = Agreement.objects.filter(partnership=OuterRef("pk"), made_at_start=True).filter(
        Q(mentee_confirmed_at__isnull=True) | Q(mentor_confirmed_at__isnull=True)
    )
    return (
        Partnership.objects.filter(program=program_id, status=Partnership.Status.ACTIVE)
        .select_related("mentee__profile", "mentor__profile")
        .annotate(
            latest_flag=Subquery(latest_flag),
            silent=Exists(silent),
            open_concern=Exists(open_concern),
            stuck=Exists(stuck),
            undeliverable=Exists(undeliverable),
            last_met=last_met_on(),
            agreement_open=Exists(unconfirmed),
            **_bounce_columns("mentee"),
            **_bounce_columns("mentor"),
        )
        .annotate(handled=Exists(handled_after))
        .order_by("started_on", "pk")
    )


def partnerships_needing_attention(program, *, today=None):
    """Active partnerships with a reason to look, each reason in words. One query, compiled once
    per process (mentoring.compiled: its subqueries took longer to build than to run)."""
    today = today or timezone.localdate()
    now = timezone.now()
    rows = compiled.objects(
        "partnerships-needing-attention",
        _attention_rows,
        program_id=program.pk,
        max_reminders=program.max_reminders,
        reminded_before=now - timedelta(days=program.reminder_after_days),
        stuck_before=now - STUCK_AFTER,
    )
    result = []
    for p in rows:
        reasons = []
        if p.latest_flag and not p.handled:
            reasons.append(_("A partner's feedback says it is not going well"))
        if p.open_concern:
            reasons.append(_("A partner raised a concern"))
        # A lapse (the membership list import or the member sync API) never ends a partnership:
        # the committee is told and decides.
        if _lapsed(p.mentee):
            reasons.append(_("The mentee's membership has lapsed"))
        if _lapsed(p.mentor):
            reasons.append(_("The mentor's membership has lapsed"))
        for person in ("mentee", "mentor"):
            if getattr(p, f"{person}_bounced_at"):
                reasons.append(
                    bounce_line(getattr(p, person), getattr(p, f"{person}_bounce"), getattr(p, f"{person}_bounced_at"))
                )
        if p.silent:
            reasons.append(_("No answer to feedback after every reminder"))
        if p.stuck:
            reasons.append(_("A feedback email was cut short while sending; the next run sends it again"))
        if p.undeliverable:
            reasons.append(_(UNDELIVERABLE))
        if (today - p.last_met).days >= program.nudge_after_days:
            quiet = (today - p.last_met).days
            reasons.append(
                ngettext(
                    "No meeting logged or scheduled for %(days)s day",
                    "No meeting logged or scheduled for %(days)s days",
                    quiet,
                )
                % {"days": quiet}
            )
        if p.agreement_open and (today - p.started_on).days >= program.agreement_due_days:
            days = (today - p.started_on).days
            reasons.append(
                ngettext(
                    "The agreement is not confirmed after %(days)s day",
                    "The agreement is not confirmed after %(days)s days",
                    days,
                )
                % {"days": days}
            )
        if p.planned_end_on < today:  # closing.py completes it after the grace period
            on = p.planned_end_on + timedelta(days=program.grace_days_after_end)
            late = (today - p.planned_end_on).days
            reasons.append(
                ngettext(
                    "Past its planned end (%(days)s day); completes automatically on %(date)s unless extended",
                    "Past its planned end (%(days)s days); completes automatically on %(date)s unless extended",
                    late,
                )
                # Translators: how a date is written (Django's date format letters): "December 3, 2026".
                % {"days": late, "date": date_format(on, _("F j, Y"))}
            )
        if reasons:
            result.append(Attention(p, tuple(reasons)))
    return result


def _bounce_columns(person):
    """The date and reason of the suppression of the partner's address (their emails bounced), if any."""
    found = Suppression.objects.of_address(f"{person}__email")
    return {
        f"{person}_bounced_at": Subquery(found.values("occurred_at")[:1]),
        f"{person}_bounce": Subquery(found.values("reason")[:1]),
    }


def bounce_line(person, reason, occurred_at) -> str:
    """For the committee: emails to this partner are not delivered (the provider reported a hard
    bounce, or a complaint), so an answer from them will not come by email."""
    values = {
        "name": person.get_full_name() or str(person),
        # Translators: how a date is written (Django's date format letters): "December 3, 2026".
        "date": date_format(timezone.localtime(occurred_at), _("F j, Y")),
    }
    if reason == Suppression.Reason.COMPLAINED:
        return (
            _(
                "%(name)s marked our emails as spam on %(date)s: nothing is sent to them until they "
                "confirm their address"
            )
            % values
        )
    return _("Emails to %(name)s bounced on %(date)s: nothing is sent to them until they check their address") % values


def partners_bounced(partnership) -> list:
    """bounce_line for each partner of `partnership` whose address is suppressed; one query."""
    people = (partnership.mentee, partnership.mentor)
    held = suppression.suppressed(person.email for person in people)
    return [
        bounce_line(person, found.reason, found.occurred_at)
        for person in people
        if (found := held.get(suppression.normal(person.email)))
    ]


def note_follow_up(*, partnership, by, note):
    if not note.strip():
        raise ValidationError(_("Write what you did or plan to do."))
    return FollowUp.objects.create(partnership=partnership, author=by, kind=FollowUp.Kind.NOTE, note=note)


UNDELIVERABLE = gettext_noop(
    "A feedback email could not be sent: check the partner's email address, then send it again"
)


@transaction.atomic
def send_again(*, solicitation, by) -> Solicitation:
    """A feedback email the mail server refused every time: back in the queue, tried afresh
    by the next sending (every minute); the follow-up log says who asked for it."""
    solicitation = Solicitation.objects.select_for_update().get(pk=solicitation.pk)
    if not solicitation.refusals:
        raise ValidationError(_("This feedback email is not waiting to be sent again."))
    if solicitation.status == Solicitation.Status.FAILED:  # the ask itself: sent afresh
        solicitation.status, solicitation.attempts, solicitation.claimed_at = Solicitation.Status.PENDING, 0, None
    # A refused reminder: reminded again at the next run (the ask's link is renewed with it).
    solicitation.reminder_failures, solicitation.last_error = 0, ""
    solicitation.save(update_fields=["status", "attempts", "claimed_at", "reminder_failures", "last_error"])
    FollowUp.objects.create(
        partnership_id=solicitation.partnership_id,
        author=by,
        kind=FollowUp.Kind.SENT_AGAIN,
        said={"key": "sent_again", "round": solicitation.round, "role": solicitation.role},
    )
    return solicitation


def resolve_concern(*, concern, by, note=""):
    concern.resolved_at, concern.resolved_by = timezone.now(), by
    concern.save(update_fields=["resolved_at", "resolved_by"])
    FollowUp.objects.create(partnership=concern.partnership, author=by, kind=FollowUp.Kind.RESOLVED, note=note or None)
