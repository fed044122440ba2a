"""Recruiting members: the chair announces an enrollment period to the eligible members (once per
period), invites named members to take a role, and sees how many opened the questionnaire and
applied. Every email goes through the outbox with a key, so a retry or a second click queues
nothing new, and carries a one-click unsubscribe for its own kind of email only."""

from dataclasses import dataclass, field
from types import SimpleNamespace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from accounts import links
from accounts.language import language_of
from accounts.models import Profile
from accounts.unsubscribe import list_unsubscribe_headers, unsubscribe_url
from mentoring import compiled
from mentoring.branding import brand_id_for
from mentoring.models import Application, Program
from mentoring.services import members_of_program_area
from outbox.emails import queue_email, queue_emails, render_email

from .models import Announcement, Invitation

Kind = Invitation.Kind
ROLES = Application.Role

INVITATION_LINK = "mentoring.invitation"  # the links' purpose: a key of their own (kept: links sent stay good)
ROLE_CODES = {ROLES.MENTEE: 0, ROLES.MENTOR: 1}
CODE_ROLES = {code: role for role, code in ROLE_CODES.items()}
MAX_NAMED = 50  # people invited by name in one go
# The role a member is invited to take, as the invitation, the chair's messages and the page say it
# ("invites you to be a mentee", "was invited as mentor already").
ROLE_WORDS = {
    ROLES.MENTEE: pgettext_lazy("role, in a sentence", "mentee"),
    ROLES.MENTOR: pgettext_lazy("role, in a sentence", "mentor"),
}
# How often partners meet (mentoring.models.MeetingFrequency), inside the invitation's sentence to a
# mentor ("meeting every month").
FREQUENCY_WORDS = {
    "weekly": pgettext_lazy("meeting", "every week"),
    "fortnightly": pgettext_lazy("meeting", "every two weeks"),
    "monthly": pgettext_lazy("meeting", "every month"),
    "quarterly": pgettext_lazy("meeting", "every three months"),
}


# --- Who hears about it ------------------------------------------------------------------------


def enrollment_period(program) -> str:
    """The enrollment period an announcement is for, from its dates. An enrollment opened by hand
    without dates is one period ("undated"): set dates to announce a later one."""
    if not (program.enrollment_opens_on or program.enrollment_closes_on):
        return "undated"
    return f"{program.enrollment_opens_on or ''}..{program.enrollment_closes_on or ''}"


def eligible_recipients(program):
    """Members the announcement goes to: members of the program's local association (or region),
    with an active account and membership, who want announcements, are not on its committee, and
    have not applied to it already."""
    applied = Application.objects.filter(program=program).exclude(status=Application.Status.WITHDRAWN)
    return (
        members_of_program_area(program)
        .filter(profile__email_announcements=True)
        .exclude(profile__membership_status=Profile.MembershipStatus.LAPSED)
        .exclude(pk__in=applied.values("user_id"))
        .exclude(pk__in=program.committee.values("user_id"))
    )


def announcement_problem(program, *, today=None) -> str | None:
    """Why an announcement can't be sent now, in words, or None."""
    today = today or timezone.localdate()
    if not program.is_open_on(today):
        return _(
            "Enrollment is not open today, so there is nothing to announce yet. "
            "Open it (or set its dates) in the program's set-up first."
        )
    done = (
        Announcement.objects.filter(program=program, period=enrollment_period(program))
        .select_related("sent_by")
        .first()
    )
    if done is not None:
        words = {
            # Translators: how a date is written (Django's date format letters): "December 3, 2026".
            "date": date_format(timezone.localdate(done.created_at), _("F j, Y")),
            "by": done.sent_by,
            "count": done.recipients,
        }
        if done.sent_by:
            text = ngettext(
                "This enrollment period was announced on %(date)s by %(by)s to %(count)s member. Members hear "
                "about each period once; invite people by name below instead.",
                "This enrollment period was announced on %(date)s by %(by)s to %(count)s members. Members hear "
                "about each period once; invite people by name below instead.",
                done.recipients,
            )
        else:
            text = ngettext(
                "This enrollment period was announced on %(date)s to %(count)s member. Members hear about each "
                "period once; invite people by name below instead.",
                "This enrollment period was announced on %(date)s to %(count)s members. Members hear about each "
                "period once; invite people by name below instead.",
                done.recipients,
            )
        return text % words
    return None


def members_to_announce(program) -> int:
    """For the dashboard's "what to do next": how many would hear of the open enrollment if the
    chair announced it now (0 when it is not open, or announced already). Counted on every
    dashboard: compiled once per process for each kind of program (mentoring.compiled)."""
    if announcement_problem(program):
        return 0
    if program.kind == Program.Kind.NEW_MEMBER:
        area = {"association_id": program.association_id}
    else:
        area = {"region_id": program.region_id}

    def build(program_id, **area):
        return eligible_recipients(Program(pk=program_id, kind=program.kind, **area))

    return compiled.count(("members-to-announce", program.kind), build, program_id=program.pk, **area)


# --- The emails ----------------------------------------------------------------------------------


def invitation_url(invitation, role) -> str:
    token = links.make_token(INVITATION_LINK, invitation.pk, invitation.user_id, ROLE_CODES[role])
    return settings.SITE_URL + reverse("invitation", args=[token])


def _announcement_context(program, person, mentee_link, mentor_link, unsubscribe_link):
    return {
        "program": program,
        "person": person,
        "mentee_link": mentee_link,
        "mentor_link": mentor_link,
        "unsubscribe_link": unsubscribe_link,
        "program_link": settings.SITE_URL + reverse("program", args=[program.pk]),
    }


@dataclass
class Preview:
    count: int
    subject: str
    body: str
    problem: str | None


def preview_announcement(*, program, today=None) -> Preview:
    """What the chair sees before sending: how many members it reaches and the email itself
    (with placeholders where each member's own name and links go)."""
    person = SimpleNamespace(first_name=_("(their first name)"), email="")
    context = _announcement_context(
        program, person, _("(their own link)"), _("(their own link)"), _("(their own unsubscribe link)")
    )
    # In the chair's language (the page's); each member's own email is in theirs.
    subject, body = render_email("announcement", context, translation.get_language())
    return Preview(eligible_recipients(program).count(), subject, body, announcement_problem(program, today=today))


@transaction.atomic
def announce_enrollment(*, program, by, today=None) -> Announcement:
    """Announce the open enrollment to every eligible member, once per enrollment period: a
    second click, a second chair or a retried request finds the period announced and sends
    nothing. Each email is queued in this transaction with its own key."""
    program = Program.objects.select_for_update(of=("self",)).select_related("association", "region").get(pk=program.pk)
    if problem := announcement_problem(program, today=today):
        raise ValidationError(problem)
    try:
        with transaction.atomic():
            announcement = Announcement.objects.create(program=program, period=enrollment_period(program), sent_by=by)
    except IntegrityError:  # the other request committed between our check and here
        raise ValidationError(announcement_problem(program, today=today) or _("Already announced.")) from None
    people = list(eligible_recipients(program))
    reached = Invitation.objects.bulk_create(
        Invitation(program=program, user=person, kind=Kind.ANNOUNCEMENT, announcement=announcement, invited_by=by)
        for person in people
    )
    brand_id = brand_id_for(program=program)
    queue_emails(
        {
            "key": f"announcement:{announcement.pk}:{person.pk}",
            "to": person.email,
            "language": language_of(person),
            "template": "announcement",
            "brand_id": brand_id,
            "context": _announcement_context(
                program,
                person,
                invitation_url(invitation, ROLES.MENTEE),
                invitation_url(invitation, ROLES.MENTOR),
                unsubscribe_url(person, "email_announcements"),
            ),
            "headers": list_unsubscribe_headers(person, "email_announcements"),
        }
        for invitation, person in zip(reached, people, strict=True)
    )
    announcement.recipients = len(people)
    announcement.save(update_fields=["recipients"])
    return announcement


@dataclass
class InviteResult:
    invited: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (person, why in words)


def invitable(program):
    """Members the chair may invite by name: the program's area, active, not lapsed."""
    return members_of_program_area(program).exclude(profile__membership_status=Profile.MembershipStatus.LAPSED)


@transaction.atomic
def invite(*, program, users, role, by, today=None, by_vp=False) -> InviteResult:
    """Invite named members to apply in `role` (`by_vp`: the region's vice president invites,
    rather than the chair). Each person is emailed once for a role, ever:
    inviting them again (or a retried request) sends nothing. Members who turned personal
    invitations off, or already applied, are skipped and the result says why."""
    if role not in ROLE_CODES:
        raise ValidationError(_("Please choose whether you invite them as mentors or as mentees."))
    today = today or timezone.localdate()
    program = Program.objects.select_for_update(of=("self",)).select_related("association", "region").get(pk=program.pk)
    if not program.is_open_on(today):
        raise ValidationError(
            _(
                "Enrollment is not open today, so an invitation would lead to a closed questionnaire. "
                "Open it in the program's set-up first."
            )
        )
    allowed = set(invitable(program).filter(pk__in=[u.pk for u in users]).values_list("pk", flat=True))
    if outside := [u for u in users if u.pk not in allowed]:
        raise ValidationError(
            _("%(person)s is not a member of %(owner)s.") % {"person": outside[0], "owner": program.owner_name}
        )
    applied = set(
        Application.objects.filter(program=program, user__in=users, role=role)
        .exclude(status=Application.Status.WITHDRAWN)
        .values_list("user_id", flat=True)
    )
    invited_before = set(
        Invitation.objects.filter(program=program, user__in=users, role=role, kind=Kind.INVITATION).values_list(
            "user_id", flat=True
        )
    )
    result = InviteResult()
    label = str(ROLE_WORDS[role])  # in the chair's words, for the chair's messages
    brand_id = brand_id_for(program=program)
    for person in users:
        if person.pk in invited_before:
            result.skipped.append((person, _("was invited as %(role)s already") % {"role": label}))
        elif person.pk in applied:
            result.skipped.append((person, _("has applied as %(role)s already") % {"role": label}))
        elif not person.profile.email_invitations:
            result.skipped.append((person, _("has chosen not to receive personal invitations")))
        else:
            invitation = Invitation.objects.create(
                program=program, user=person, kind=Kind.INVITATION, role=role, invited_by=by
            )
            language = language_of(person)
            with translation.override(language):  # the words built here are in the member's language
                role_word, about = str(ROLE_WORDS[role]), invitation_about(program, role)
            queue_email(
                key=f"invitation:{invitation.pk}",
                to=person.email,
                language=language,
                template="invitation",
                brand_id=brand_id,
                context={
                    "program": program,
                    "person": person,
                    "by": by,
                    "by_vp": by_vp,
                    "role": role_word,
                    "about": about,
                    "link": invitation_url(invitation, role),
                    "program_link": settings.SITE_URL + reverse("program", args=[program.pk]),
                    "unsubscribe_link": unsubscribe_url(person, "email_invitations"),
                },
                headers=list_unsubscribe_headers(person, "email_invitations"),
            )
            result.invited.append(person)
    return result


def invitation_about(program, role) -> str:
    """What the invitation says about the program, to the role invited. A program's summary is
    written for those who apply to be mentored ("New to the association? ... your first year"),
    so a mentor is told instead what mentoring in it asks of them."""
    if role != ROLES.MENTOR:
        return program.summary
    words = {
        "owner": program.owner_name,
        "months": program.length_months,
        "frequency": FREQUENCY_WORDS.get(program.meeting_frequency, program.get_meeting_frequency_display().lower()),
    }
    if program.kind == Program.Kind.NEW_MEMBER:
        text = ngettext(
            "As a mentor you would be beside a new member of %(owner)s for %(months)s month, meeting "
            "%(frequency)s, and share what your years in the profession taught you.",
            "As a mentor you would be beside a new member of %(owner)s for %(months)s months, meeting "
            "%(frequency)s, and share what your years in the profession taught you.",
            program.length_months,
        )
    else:
        text = ngettext(
            "As a mentor you would be beside a member of %(owner)s stepping into a leadership role for "
            "%(months)s month, meeting %(frequency)s, and share what your years in the profession taught you.",
            "As a mentor you would be beside a member of %(owner)s stepping into a leadership role for "
            "%(months)s months, meeting %(frequency)s, and share what your years in the profession taught you.",
            program.length_months,
        )
    return text % words


# --- The personal link ---------------------------------------------------------------------------


def invitation_for_token(token):
    """(invitation, role) a link opens, or None for a broken or altered link."""
    ids = links.read_token(INVITATION_LINK, token, 3)
    if ids is None or ids[2] not in CODE_ROLES:
        return None
    invitation = (
        Invitation.objects.select_related("program").filter(pk=ids[0], user_id=ids[1], user__is_active=True).first()
    )
    role = CODE_ROLES[ids[2]]
    if invitation is None or (invitation.kind == Kind.INVITATION and invitation.role != role):
        return None
    return invitation, role


def record_opened(*, invitation, user) -> bool:
    """The invited member followed their link (signed in as themselves): recorded the first time
    only. Someone else using a forwarded link is not counted."""
    if user.pk != invitation.user_id:
        return False
    return Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=timezone.now()) == 1


# --- What the chair sees ---------------------------------------------------------------------------


def recruitment_figures(program) -> dict:
    """{"announcement": {...}, "invitation": {...}}, each with how many were reached, opened the
    questionnaire from their link, and applied (sent a questionnaire to this program). One query."""
    applied = Exists(
        Application.objects.filter(program=program, user=OuterRef("user")).exclude(status=Application.Status.DRAFT)
    )
    rows = (
        Invitation.objects.filter(program=program)
        .annotate(has_applied=applied)
        .values("kind")
        .annotate(
            reached=Count("pk"),
            opened=Count("pk", filter=Q(opened_at__isnull=False)),
            applied=Count("pk", filter=Q(has_applied=True)),
        )
    )
    figures = {kind: {"reached": 0, "opened": 0, "applied": 0} for kind in Kind.values}
    for row in rows:
        figures[row["kind"]] = {name: row[name] for name in ("reached", "opened", "applied")}
    return figures


def named_invitations(program, *, limit=100):
    """The latest named invitations with whether each person opened and applied (one query)."""
    applied = Exists(
        Application.objects.filter(program=program, user=OuterRef("user")).exclude(status=Application.Status.DRAFT)
    )
    return list(
        Invitation.objects.filter(program=program, kind=Kind.INVITATION)
        .select_related("user", "invited_by")
        .annotate(has_applied=applied)
        .order_by("-created_at", "-pk")[:limit]
    )
