"""The email branding pages' work: which brand an association's or a region's emails carry now,
and a preview of each kind of email in it, rendered from the real templates with a sample
context (made-up people: nobody's data), in the reader's language."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from mentoring.models import LocalAssociation
from outbox.emails import EmailTemplate, compose, render_email

EMAILS_DIR = Path(settings.BASE_DIR) / "templates" / "emails"
# Every kind of email the product sends: templates/emails/<kind>-subject.txt and -body.txt.
KINDS = sorted(path.name.removesuffix("-subject.txt") for path in EMAILS_DIR.glob("*-subject.txt"))


def brand_in_use(owner):
    """The brand `owner`'s emails carry now: its own, else (an association) its region's; None:
    the site's look."""
    if isinstance(owner, LocalAssociation):
        return owner.brand or owner.region.brand
    return owner.brand


def _person(first, last, email, **more):
    return SimpleNamespace(first_name=first, last_name=last, email=email, get_full_name=f"{first} {last}", pk=1, **more)


def sample_context(owner) -> dict:
    """A context every email template can be rendered with: a program of `owner`, made-up
    partners and links on the site (in the current language)."""
    site = settings.SITE_URL.rstrip("/")
    association = owner if isinstance(owner, LocalAssociation) else SimpleNamespace(name=owner.name)
    ana = _person("Ana", "Lee", "ana.lee@example.org")
    sam = _person("Sam", "Roy", "sam.roy@example.org")
    starts = timezone.now().replace(hour=15, minute=0, second=0, microsecond=0) + timedelta(days=7)
    program = SimpleNamespace(
        pk=1,
        name=_("%(owner)s mentoring program") % {"owner": owner.name},
        owner_name=owner.name,
        summary=_("A year beside an experienced member, to find your way in the profession."),
        expectations=_("Meet regularly, come prepared, keep what is said between you."),
        confidentiality=_("What you say to each other stays between the two of you."),
        get_meeting_frequency_display=_("Every month"),
        length_months=12,
        enrollment_closes_on=(timezone.localdate() + timedelta(days=30)),
        feedback_link_days=14,
        mentor_answer_days=7,
        waiting_notice_every_days=30,
        require_two_factor=False,
        orientation_required_before="no",
    )
    meeting = SimpleNamespace(
        pk=1,
        minutes=60,
        get_mode_display=_("Video call"),
        place="",
        video_url="https://meet.example.org/ana-sam",
        agenda=_("Goals for the year."),
        sequence=0,
        in_calendars=True,
    )
    link = f"{site}/mentoring/"
    return {
        "program": program,
        "person": ana,
        "user": ana,
        "partner": sam,
        "mentee": ana,
        "mentor": sam,
        "vp": sam,
        "by": sam,
        "partner_profile": SimpleNamespace(
            job_title=_("Claims adjuster"), employer="Acme Insurance", association=association.name, phone=""
        ),
        "partner_application": SimpleNamespace(introduction=_("I enjoy helping people find their feet.")),
        "application": SimpleNamespace(pk=1, role="mentee", program=program),
        "partnership": SimpleNamespace(pk=1, planned_end_on=timezone.localdate() + timedelta(days=365)),
        "association": association,
        "region": SimpleNamespace(name=getattr(owner, "region", owner).name, vice_president=sam),
        "officer": SimpleNamespace(role="president"),
        "seat": SimpleNamespace(role="member"),
        "recommendation": SimpleNamespace(mentor=sam, mentee=ana, note=_("Leads calmly.")),
        "orientation": SimpleNamespace(total=2, required_total=1),
        "solicitation": SimpleNamespace(is_final=False),
        "meeting": meeting,
        "starts": starts,
        "zone_name": "Toronto",
        "role": "mentee",
        "days": 14,
        "months": 12,
        "message": _("Welcome aboard."),
        "link": link,
        "page_url": link,
        "program_link": link,
        "mentee_link": link,
        "mentor_link": link,
        "keep_url": link,
        "unsubscribe_link": link,
        "expires_on": timezone.localdate() + timedelta(days=30),
        "records": [program.name],
        "milestones": [],
        "asks": [{"partner": sam, "program": program, "solicitation": SimpleNamespace(is_final=False), "link": link}],
    }


def subjects(*, owner, language) -> list[tuple[str, str]]:
    """(kind, its sample subject) of every kind of email: how the page names them."""
    context = sample_context(owner)
    return [(kind, EmailTemplate(kind, language).subject(context)) for kind in KINDS]


def preview(*, owner, kind, language):
    """(subject, HTML part) of one kind of email as `owner`'s brand would send it now."""
    subject, body = render_email(kind, sample_context(owner), language)
    message = compose(
        to="ana.lee@example.org", subject=subject, body=body, language=language, brand=brand_in_use(owner)
    )
    return message, message.alternatives[0][0]
