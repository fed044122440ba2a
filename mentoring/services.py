"""The program rules: committees, questionnaires and vetting. Views, the admin, the demo seed
and the tests all go through these functions."""

from dataclasses import dataclass
from datetime import date

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import dateformat, timezone
from django.utils.translation import gettext, ngettext, pgettext

from accounts.language import language_of
from accounts.models import User
from outbox.emails import queue_email

from .branding import brand_id_for
from .models import DEFAULT_MILESTONES, Application, CommitteeMembership, Milestone, Program, VettingNote
from .orientation import check_ready_for_vetting, orientation_for, waiting_words

Role = CommitteeMembership.Role
Status = Application.Status

# Draft answers are kept as typed; this caps what one autosave may store.
MAX_DRAFT_CHARS = 40_000


# --- Programs and committees ------------------------------------------------------------------


@transaction.atomic
def create_program(*, name, kind, association=None, region=None, **fields) -> Program:
    # Leaders are busy people whose plans change: their mentors accept before anyone is introduced.
    fields.setdefault("mentor_accepts_first", kind == Program.Kind.LEADERSHIP)
    program = Program.objects.create(name=name, kind=kind, association=association, region=region, **fields)
    add_default_milestones(program=program)
    return program


@dataclass(frozen=True)
class SetupItem:
    key: str
    label: str
    done: bool
    needed: bool  # before members can apply (the others are recommended)
    where: str  # the set-up section, or the page, where it is done


def setup_checklist(program, **changes) -> list[SetupItem]:
    """What a program needs in place before enrollment opens: the framework partners agree to
    (a summary, goal areas, guidelines, the committee's pledge) and, recommended, a committee
    and enrollment dates. ``changes``: values about to be saved (the set-up form checks them)."""

    def value(name):
        return changes.get(name, getattr(program, name))

    def filled(name):
        # A text the chair writes in two languages (mentoring/translation.py) is there in either.
        names = [f"{name}_{code}" for code, _ in settings.LANGUAGES] if hasattr(program, f"{name}_en") else [name]
        return any(str(value(n) or "").strip() for n in names)

    others = program.committee.exclude(role=CommitteeMembership.Role.CHAIR).exists() if program.pk else False
    return [
        SetupItem(
            "summary", gettext("A summary members read before they apply"), filled("summary"), True, "essentials"
        ),
        SetupItem("topics", gettext("Goal areas for the questionnaire"), bool(value("topics")), True, "essentials"),
        SetupItem(
            "guidelines",
            gettext("Guidelines for partners: what is expected, and confidentiality"),
            filled("expectations") and filled("confidentiality"),
            True,
            "guidelines",
        ),
        SetupItem(
            "pledge", gettext("The committee's confidentiality pledge"), filled("pledge_text"), True, "guidelines"
        ),
        SetupItem("committee", gettext("A committee: at least one member besides the chair"), others, False, "members"),
        SetupItem(
            "dates",
            gettext("Enrollment dates (or open enrollment by hand)"),
            bool(value("enrollment_opens_on")) or bool(value("enrollment_open")),
            False,
            "essentials",
        ),
    ]


def add_default_milestones(*, program):
    if not program.milestones.exists():
        Milestone.objects.bulk_create(
            Milestone(program=program, day=day, title=title, description=text)
            for day, title, text in DEFAULT_MILESTONES
        )


def members_of_program_area(program):
    """The members who may sit on the program's committee: those of its local association
    (new-member programs) or of its region (leadership programs), by name."""
    users = User.objects.filter(is_active=True).select_related("profile__association")
    if program.kind == Program.Kind.NEW_MEMBER:
        users = users.filter(profile__association_id=program.association_id)
    else:
        users = users.filter(profile__association__region_id=program.region_id)
    return users.order_by("last_name", "first_name", "pk")


def _member_of_program_area(user, program):
    association = getattr(getattr(user, "profile", None), "association", None)
    if association is None:
        return False
    if program.kind == Program.Kind.NEW_MEMBER:
        return association.pk == program.association_id
    return association.region_id == program.region_id


@transaction.atomic
def appoint_chair(*, program, user, by) -> CommitteeMembership:
    """The new chair takes the seat; the previous chair stays on the committee as a member."""
    if not _member_of_program_area(user, program):
        raise ValidationError(
            gettext("%(person)s is not a member of %(area)s, so can't chair this program.")
            % {"person": user, "area": program.owner_name}
        )
    Program.objects.select_for_update().get(pk=program.pk)  # one appointment at a time
    program.committee.filter(role=Role.CHAIR).exclude(user=user).update(role=Role.MEMBER)
    seat, created = CommitteeMembership.objects.get_or_create(
        program=program, user=user, defaults={"role": Role.CHAIR, "appointed_by": by}
    )
    if not created and seat.role != Role.CHAIR:
        seat.role = Role.CHAIR
        seat.save(update_fields=["role"])
    queue_email(
        key=f"chair-appointed:{seat.pk}:{timezone.now():%Y%m%d%H%M%S}",
        to=user.email,
        language=language_of(user),
        template="chair_appointed",
        brand_id=brand_id_for(program=program),
        context={"program": program, "person": user, "by": by},
    )
    return seat


@transaction.atomic
def add_committee_member(*, program, user, role, by) -> CommitteeMembership:
    if role == Role.CHAIR:
        raise ValidationError(gettext("Use “Appoint a chair” to change the chair."))
    if not _member_of_program_area(user, program):
        raise ValidationError(
            gettext("%(person)s is not a member of %(area)s.") % {"person": user, "area": program.owner_name}
        )
    try:
        with transaction.atomic():
            seat = CommitteeMembership.objects.create(program=program, user=user, role=role, appointed_by=by)
    except IntegrityError:
        raise ValidationError(gettext("%(person)s is already on this committee.") % {"person": user}) from None
    queue_email(
        key=f"committee-added:{seat.pk}",
        to=user.email,
        language=language_of(user),
        template="committee_added",
        brand_id=brand_id_for(program=program),
        context={"program": program, "person": user, "seat": seat, "by": by},
    )
    return seat


def remove_committee_member(*, seat, by):
    if seat.is_chair:
        raise ValidationError(gettext("The chair can't be removed. Appoint a new chair first."))
    seat.delete()


def accept_pledge(*, seat) -> CommitteeMembership:
    seat.pledge_accepted_at = timezone.now()
    seat.pledge_version = seat.program.pledge_version
    seat.save(update_fields=["pledge_accepted_at", "pledge_version"])
    return seat


# --- Eligibility ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Eligibility:
    reasons: tuple = ()

    @property
    def ok(self):
        return not self.reasons


def months_between(earlier, later):
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def membership_reasons(*, program, user) -> list[str]:
    """Why this member may not take part in the program at all, in words (none: they may): a
    complete profile, the program's local association or region, a membership in good standing.
    The application checks these (eligibility) and so do flash conversations (flash/)."""
    profile = getattr(user, "profile", None)
    if profile is None or not profile.is_complete:
        return [gettext("Please complete your profile first (local association, job title, date you joined).")]
    reasons = []
    if not _member_of_program_area(user, program):
        reasons.append(gettext("This program is for members of %(area)s.") % {"area": program.owner_name})
    if profile.membership_status == profile.MembershipStatus.LAPSED:
        reasons.append(gettext("Your membership has lapsed. Renew it to take part."))
    return reasons


def eligibility(*, program, user, role, today=None, existing=None) -> Eligibility:
    """Can this member apply to this program in this role? If not, every reason, in words."""
    today = today or timezone.localdate()
    profile = getattr(user, "profile", None)
    reasons = membership_reasons(program=program, user=user)
    if profile is None or not profile.is_complete:
        return Eligibility(tuple(reasons))
    if not program.is_open_on(today):
        reasons.append(_closed_reason(program, today))
    if role == Application.Role.MENTEE and program.mentee_joined_within_months is not None:
        months = months_between(profile.member_since, today)
        if months > program.mentee_joined_within_months:
            reasons.append(
                gettext(
                    "Mentees in this program joined the association in the last %(limit)s months; "
                    "you joined %(months)s months ago. You could apply as a mentor instead."
                )
                % {"limit": program.mentee_joined_within_months, "months": months}
            )
    if role == Application.Role.MENTOR:
        years = max(profile.years_in_profession or 0, months_between(profile.member_since, today) // 12)
        if years < program.mentor_min_years:
            reasons.append(
                ngettext(
                    "Mentors in this program have at least %(least)s years of membership or experience; "
                    "your profile shows %(years)s year.",
                    "Mentors in this program have at least %(least)s years of membership or experience; "
                    "your profile shows %(years)s years.",
                    years,
                )
                % {"least": program.mentor_min_years, "years": years}
            )
    existing = existing if existing is not None else list(program.applications.filter(user=user))
    other = [a for a in existing if a.role != role and a.status != Status.WITHDRAWN]
    if other and not program.allow_both_roles:
        reasons.append(
            gettext("You have already applied as mentor; this program takes each member in one role.")
            if other[0].role == Application.Role.MENTOR
            else gettext("You have already applied as mentee; this program takes each member in one role.")
        )
    return Eligibility(tuple(reasons))


def held_back(*, program, applications, as_keys=False) -> dict:
    """Members who applied but cannot be matched now, because their situation changed since
    (checked at every matching run, not only when they applied): {application id: why, in words}.
    With `as_keys`, why is a key and its values ({"key": "lapsed", "date": "2026-03-01"}), to be
    saved and worded when read, in the reader's language (held_back_words). The applications come
    with user__profile__association__region; no query is made."""
    held = {}
    for application in applications:
        user = application.user
        profile = getattr(user, "profile", None)
        association = getattr(profile, "association", None)
        if not user.is_active:
            held[application.pk] = {"key": "account_closed"}
        elif association is None:
            held[application.pk] = {"key": "no_association"}
        elif profile.membership_status == profile.MembershipStatus.LAPSED:
            held[application.pk] = {"key": "lapsed"}
            if profile.renewal_date:
                held[application.pk]["date"] = profile.renewal_date.isoformat()
        elif not _member_of_program_area(user, program):
            why = {"key": "moved"}
            if program.kind == Program.Kind.NEW_MEMBER:
                why["association"] = association.name
            else:
                why["region"] = str(association.region)
            if program.kind == Program.Kind.LEADERSHIP:
                why["owner_region"] = str(program.region)
            else:
                why["owner"] = str(program.association)
            held[application.pk] = why
    if as_keys:
        return held
    return {pk: held_back_words(why) for pk, why in held.items()}


def held_back_words(why) -> str:
    """The words for a reason saved by held_back(as_keys=True) or waiting_for_orientation(as_keys=True),
    in the active language (the reader's). Reasons saved as words before (a str) are shown as saved."""
    if isinstance(why, str):
        return why
    key = why.get("key")
    if key == "account_closed":
        return gettext("their account is closed")
    if key == "no_association":
        return gettext("their profile has no local association")
    if key == "lapsed":
        if why.get("date"):
            day = date.fromisoformat(why["date"])
            return gettext("membership lapsed on %(date)s") % {"date": dateformat.format(day, gettext("j F Y"))}
        return gettext("membership lapsed")
    if key == "moved":
        region = pgettext("a region in a sentence", "%(region)s region")
        where = why["association"] if "association" in why else region % {"region": why["region"]}
        owner = why["owner"] if "owner" in why else region % {"region": why["owner_region"]}
        return gettext("now a member of %(where)s, not of %(owner)s") % {"where": where, "owner": owner}
    if key == "orientation":
        return waiting_words(why["done"], why["required"])
    return why.get("text", "")


def _closed_reason(program, today):
    if program.enrollment_open and program.enrollment_opens_on and today < program.enrollment_opens_on:
        return gettext("Applications open on %(date)s.") % {
            "date": dateformat.format(program.enrollment_opens_on, gettext("F j, Y"))
        }
    if program.enrollment_open and program.enrollment_closes_on and today > program.enrollment_closes_on:
        return gettext("Applications closed on %(date)s.") % {
            "date": dateformat.format(program.enrollment_closes_on, gettext("F j, Y"))
        }
    return gettext("This program is not taking applications at the moment.")


# --- Questionnaires ---------------------------------------------------------------------------


def start_application(*, program, user, role) -> Application:
    """The member's application in this role, created as a draft the first time."""
    profile = user.profile
    application, _ = Application.objects.get_or_create(
        program=program,
        user=user,
        role=role,
        defaults={"years_experience": profile.years_in_profession, "capacity": program.default_mentor_capacity},
    )
    return application


def save_draft(*, application, data) -> Application:
    """Keep what the member typed, exactly as typed, whether or not it is valid yet.

    `data` is the posted form as {field: [values]}. Only the questionnaire's own fields are
    kept, each value capped, the whole capped, so a hostile post can't grow the row."""
    draft, total = {}, 0
    for name, values in data.items():
        if name == "csrfmiddlewaretoken" or len(name) > 40:
            continue
        # NUL is the one character PostgreSQL can't keep in JSON; the form says so on sending.
        name = name.replace("\x00", "")
        kept = [str(v).replace("\x00", "")[:4000] for v in values[:50]]
        total += sum(len(v) for v in kept) + len(name)
        if total > MAX_DRAFT_CHARS:
            break
        draft[name] = kept
    application.draft = draft
    application.draft_saved_at = timezone.now()
    application.save(update_fields=["draft", "draft_saved_at", "updated_at"])
    return application


QUESTIONNAIRE_FIELDS = [
    "goals",
    "topics",
    "career_stage",
    "years_experience",
    "communication_modes",
    "availability",
    "hours_per_month",
    "meeting_frequency",
    "languages",
    "partner_preferences",
    "preferred_partner_emails",
    "avoid_emails",
    "capacity",
    "introduction",
]


@transaction.atomic
def submit_application(*, application, answers, extra_answers) -> Application:
    """Save a valid questionnaire. The first submission sends it to the committee (mentors) or
    into the matching pool (mentees); later ones update the answers until the member is matched."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_editable:
        raise ValidationError(gettext("This application can't be changed any more."))
    for name in QUESTIONNAIRE_FIELDS:
        if name in answers:
            setattr(application, name, answers[name])
    if application.role == Application.Role.MENTEE:
        application.capacity = 1
    application.extra_answers = extra_answers
    _resolve_partners(application)
    application.draft = {}
    application.draft_saved_at = None
    first_time = application.status == Status.DRAFT
    if first_time or application.status == Status.MORE_INFO:
        application.status = Status.AWAITING_VETTING if application.role == Application.Role.MENTOR else Status.IN_POOL
    if first_time:
        application.submitted_at = timezone.now()
    application.save()
    if first_time:
        queue_email(
            # Once per sending: a member who withdrew and applies again hears from us again.
            key=f"application-received:{application.pk}:{application.submitted_at:%Y%m%d%H%M%S%f}",
            to=application.user.email,
            language=language_of(application.user),
            template="application_received",
            brand_id=brand_id_for(program=application.program),
            context={
                "application": application,
                "program": application.program,
                "person": application.user,
                "orientation": orientation_for(application.program, application.user, [application.role]),
            },
        )
    return application


def _members_by_address(addresses) -> dict:
    """{lowercased address: user id} for the addresses that belong to an account (any of its
    addresses, not only the primary one)."""
    addresses = {a.lower() for a in addresses}
    if not addresses:
        return {}
    found = dict(User.objects.filter(email__in=addresses).values_list("email", "id"))
    for email, user_id in EmailAddress.objects.filter(email__in=addresses).values_list("email", "user_id"):
        found.setdefault(email.lower(), user_id)
    return found


def _resolve_partners(application):
    """The addresses a member named as preferred or avoided partners, as members. An address
    without an account is kept, and resolved when it signs up (resolve_partner_addresses)."""
    found = _members_by_address([*application.preferred_partner_emails, *application.avoid_emails])
    application.preferred_partner_ids = [
        found[e.lower()] for e in application.preferred_partner_emails if e.lower() in found
    ]
    application.avoid_partner_ids = [found[e.lower()] for e in application.avoid_emails if e.lower() in found]


def resolve_partner_addresses(*, user) -> int:
    """Someone confirmed an address: other members who named it as a partner to prefer or avoid
    now name this member. Returns how many questionnaires changed."""
    addresses = {a.lower() for a in EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    addresses.add(user.email.lower())
    holding = Q()
    for address in addresses:
        holding |= Q(p__icontains=address) | Q(v__icontains=address)
    rows = Application.objects.exclude(user=user).annotate(
        p=Cast("preferred_partner_emails", TextField()), v=Cast("avoid_emails", TextField())
    )
    changed = 0
    for application in rows.filter(holding):
        before = (list(application.preferred_partner_ids), list(application.avoid_partner_ids))
        for emails, ids in (
            (application.preferred_partner_emails, application.preferred_partner_ids),
            (application.avoid_emails, application.avoid_partner_ids),
        ):
            if any(e.lower() in addresses for e in emails) and user.pk not in ids:
                ids.append(user.pk)
        if before != (application.preferred_partner_ids, application.avoid_partner_ids):
            application.save(update_fields=["preferred_partner_ids", "avoid_partner_ids"])
            changed += 1
    return changed


@transaction.atomic
def withdraw_application(*, application) -> Application:
    application = Application.objects.select_for_update().get(pk=application.pk)
    if not application.is_editable:
        raise ValidationError(gettext("This application can't be withdrawn any more."))
    application.status = Status.WITHDRAWN
    application.save(update_fields=["status", "updated_at"])
    return application


def reopen_application(*, application) -> Application:
    """A withdrawn application becomes a draft again, answers kept."""
    if application.status == Status.WITHDRAWN:
        application.status = Status.DRAFT
        application.submitted_at = None
        application.save(update_fields=["status", "submitted_at", "updated_at"])
    return application


# --- Vetting ----------------------------------------------------------------------------------

DECISION_STATUS = {
    VettingNote.Decision.APPROVE: Status.IN_POOL,
    VettingNote.Decision.DECLINE: Status.DECLINED,
    VettingNote.Decision.MORE_INFO: Status.MORE_INFO,
}


@transaction.atomic
def vet_mentor(*, application, by, decision, note="", message="") -> VettingNote:
    """Record a committee member's note and, unless it is a note only, the decision.

    The note is internal; `message` goes to the candidate (asked for when more information is
    needed). The candidate is emailed the decision once."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.role != Application.Role.MENTOR:
        raise ValidationError(gettext("Only mentor applications are vetted."))
    if decision != VettingNote.Decision.NOTE:
        if application.status not in (Status.AWAITING_VETTING, Status.MORE_INFO):
            raise ValidationError(
                gettext("This application is “%(status)s”: nothing to decide.")
                % {"status": application.get_status_display()}
            )
        check_ready_for_vetting(application)
        if decision == VettingNote.Decision.MORE_INFO and not message.strip():
            raise ValidationError(gettext("Tell the candidate what information you need."))
    elif not note.strip():
        raise ValidationError(gettext("Write a note, or choose a decision."))
    vetting_note = VettingNote.objects.create(application=application, author=by, decision=decision, text=note)
    if decision != VettingNote.Decision.NOTE:
        application.status = DECISION_STATUS[decision]
        application.message_to_member = message
        application.decided_at = timezone.now()
        application.save(update_fields=["status", "message_to_member", "decided_at", "updated_at"])
        queue_email(
            key=f"vetting-decision:{vetting_note.pk}",
            to=application.user.email,
            language=language_of(application.user),
            template=f"vetting_{decision}",
            brand_id=brand_id_for(program=application.program),
            context={
                "application": application,
                "program": application.program,
                "person": application.user,
                "message": message,
            },
        )
    return vetting_note


def find_member(email) -> User | None:
    return User.objects.filter(email__iexact=email.strip(), is_active=True).select_related("profile").first()
