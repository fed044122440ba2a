"""Growing leaders: a mentor recommends their mentee for leadership, the mentee is asked and
consents (or not) before the region's vice president hears of it, and the VP invites the
recommended members to the region's leadership program with a personal link (recruitment's
invitation, so the link opens the questionnaire and counts as opened and applied).

The pipeline follows each consented recommendation: recommended, invited, applied, matched,
and the leadership roles the member has taken since (their profile's dated roles)."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.language import language_of
from accounts.models import LeadershipRole
from mentoring import compiled
from mentoring.branding import brand_id_for
from mentoring.models import Application, Partnership, Program
from outbox.emails import queue_email
from recruitment import services as recruitment

from .models import NOTE_MAX, LeadershipRecommendation

Status = LeadershipRecommendation.Status
STAGES = ("recommended", "invited", "applied", "matched", "roles")
STAGE_LABELS = {
    "recommended": gettext_lazy("Recommended (and agreed)"),
    "invited": gettext_lazy("Invited"),
    "applied": gettext_lazy("Applied"),
    "matched": gettext_lazy("Matched"),
    "roles": gettext_lazy("Took a leadership role since"),
}


def can_recommend(partnership, user) -> bool:
    """The mentor of an active or completed partnership (either kind of program)."""
    return (
        partnership.mentor_id == user.pk
        and partnership.status in (Partnership.Status.ACTIVE, Partnership.Status.COMPLETED)
        and getattr(getattr(partnership.mentee, "profile", None), "association_id", None) is not None
    )


def standing(partnership):
    """The recommendation of this partnership's mentee that is waiting or stands, or None."""
    return (
        LeadershipRecommendation.objects.filter(
            mentee_id=partnership.mentee_id, status__in=[Status.ASKED, Status.CONSENTED]
        )
        .select_related("mentor")
        .first()
    )


def _mentee_region(partnership):
    return partnership.mentee.profile.association.region


@transaction.atomic
def recommend(*, partnership, by, note) -> LeadershipRecommendation:
    """The mentor recommends their mentee. The mentee is asked first (by email, with a link to
    their page); the region's VP hears of it only once the mentee agrees."""
    partnership = Partnership.objects.select_related("mentee__profile__association__region", "program").get(
        pk=partnership.pk
    )
    if not can_recommend(partnership, by):
        raise ValidationError(_("Only the mentor of an active or completed partnership can recommend the mentee."))
    note = (note or "").strip()
    if len(note) > LeadershipRecommendation._meta.get_field("note").max_length:
        raise ValidationError(_("Please keep the note to %(count)s characters.") % {"count": NOTE_MAX})
    region = _mentee_region(partnership)
    try:
        with transaction.atomic():
            recommendation = LeadershipRecommendation.objects.create(
                partnership=partnership,
                mentor=by,
                mentee=partnership.mentee,
                region=region,
                note=note,
            )
    except IntegrityError:
        name = partnership.mentee.get_full_name()
        if name:
            text = _(
                "%(name)s has been recommended already; the recommendation is waiting for their answer or stands."
            ) % {"name": name}
        else:
            text = _(
                "Your mentee has been recommended already; the recommendation is waiting for their answer or stands."
            )
        raise ValidationError(text) from None
    queue_email(
        key=f"leadership-asked:{recommendation.pk}",
        to=partnership.mentee.email,
        language=language_of(partnership.mentee),
        template="leadership_asked",
        brand_id=brand_id_for(program=partnership.program),
        context={
            "recommendation": recommendation,
            "mentee": partnership.mentee,
            "mentor": by,
            "region": region,
            "link": settings.SITE_URL + reverse("recommendation", args=[recommendation.pk]),
        },
    )
    return recommendation


@transaction.atomic
def answer_recommendation(*, recommendation, by, consent: bool) -> LeadershipRecommendation:
    """The mentee agrees (the region's VP is told) or declines (nobody else hears of it)."""
    recommendation = (
        LeadershipRecommendation.objects.select_for_update(of=("self",))
        .select_related("region__vice_president", "mentee", "mentor")
        .get(pk=recommendation.pk)
    )
    if recommendation.mentee_id != by.pk:
        raise ValidationError(_("Only the member recommended can answer."))
    if recommendation.status != Status.ASKED:
        raise ValidationError(
            _("You have answered already: %(answer)s.") % {"answer": str(recommendation.status_to_mentee).lower()}
        )
    recommendation.status = Status.CONSENTED if consent else Status.DECLINED
    recommendation.answered_at = timezone.now()
    recommendation.save(update_fields=["status", "answered_at"])
    vp = recommendation.region.vice_president
    if consent and vp is not None:
        queue_email(
            key=f"leadership-consented:{recommendation.pk}",
            to=vp.email,
            language=language_of(vp),
            template="leadership_consented",
            brand_id=brand_id_for(region=recommendation.region_id),
            context={
                "recommendation": recommendation,
                "vp": vp,
                "link": settings.SITE_URL + reverse("leadership_pipeline", args=[recommendation.region_id]),
            },
        )
    return recommendation


@transaction.atomic
def withdraw_recommendation(*, recommendation, by) -> LeadershipRecommendation:
    recommendation = LeadershipRecommendation.objects.select_for_update().get(pk=recommendation.pk)
    if recommendation.mentor_id != by.pk or recommendation.status not in (Status.ASKED, Status.CONSENTED):
        raise ValidationError(_("This recommendation can't be withdrawn."))
    recommendation.status = Status.WITHDRAWN
    recommendation.save(update_fields=["status"])
    return recommendation


def leadership_programs(region):
    return Program.objects.filter(kind=Program.Kind.LEADERSHIP, region=region).order_by("name")


@transaction.atomic
def invite_recommended(*, recommendations, program, by, today=None) -> recruitment.InviteResult:
    """The region's VP invites consented recommendations to one of the region's leadership
    programs, as mentees, through recruitment's named invitations (each person emailed once;
    those who turned personal invitations off are skipped, and the result says so)."""
    if program.kind != Program.Kind.LEADERSHIP or program.region.vice_president_id != by.pk:
        raise ValidationError(_("Only the region's vice president invites to its leadership program."))
    ids = [r.pk for r in recommendations]
    rows = list(
        LeadershipRecommendation.objects.select_for_update(of=("self",))
        .filter(pk__in=ids, region=program.region, status=Status.CONSENTED)
        .select_related("mentee__profile")
    )
    if len(rows) != len(set(ids)):
        raise ValidationError(_("Please choose among the members who agreed to be recommended."))
    if not rows:
        raise ValidationError(_("Please choose at least one member to invite."))
    result = recruitment.invite(
        program=program, users=[r.mentee for r in rows], role="mentee", by=by, today=today, by_vp=True
    )
    invitations = {
        i.user_id: i
        for i in program.invitations.filter(kind="invitation", role="mentee", user__in=[r.mentee_id for r in rows])
    }
    now = timezone.now()
    for row in rows:
        invitation = invitations.get(row.mentee_id)
        if invitation is not None and row.invitation_id is None:
            row.invitation, row.invited_at = invitation, now
            row.save(update_fields=["invitation", "invited_at"])
    return result


# --- The pipeline -----------------------------------------------------------------------------


@dataclass
class Row:
    recommendation: LeadershipRecommendation
    invited: bool
    applied: bool
    matched: bool
    took_role: bool  # a leadership role started on the day they were recommended or since
    roles: list  # those roles (read only when asked for: pipeline(roles=True))

    @property
    def stage(self):
        for name, reached in (
            ("roles", self.took_role),
            ("matched", self.matched),
            ("applied", self.applied),
            ("invited", self.invited),
        ):
            if reached:
                return name
        return "recommended"

    @property
    def stage_label(self):
        return STAGE_LABELS[self.stage]


def _recommended(region_id, start=None, end=None):
    programs = leadership_programs(region_id).values("pk")
    applied = (
        Application.objects.filter(program__in=programs, user=OuterRef("mentee"), role="mentee")
        .exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])
        .order_by()
    )
    matched = Partnership.objects.filter(program__in=programs, mentee=OuterRef("mentee")).order_by()
    took_role = LeadershipRole.objects.filter(user=OuterRef("mentee"), started_on__gte=OuterRef("asked_on"))
    recommended = (
        LeadershipRecommendation.objects.filter(region=region_id, status=Status.CONSENTED)
        .select_related("mentee__profile__association", "mentor", "partnership__program", "invitation")
        # The day they were recommended, in the current time zone (compiled once per time zone).
        .annotate(asked_on=TruncDate("asked_at"))
        .annotate(mentee_applied=Exists(applied), mentee_matched=Exists(matched), mentee_took_role=Exists(took_role))
    )
    if start is not None:
        recommended = recommended.filter(answered_at__date__gte=start, answered_at__date__lte=end)
    return recommended.order_by("-answered_at", "-pk")


def pipeline(region, *, period=None, roles=True) -> list[Row]:
    """Each consented recommendation of the region (answered in the period, if given) with how
    far the member has come. One query, whatever the number of rows: the recommendations, each
    with whether its member applied to and was matched in the region's leadership programs and
    took a leadership role since; it is compiled once per process (mentoring.compiled). With
    `roles`, a second query reads those roles, for the pages that name them (the report only
    counts them)."""
    dates = {} if period is None else {"start": period.start, "end": period.end}
    rows = compiled.objects(("pipeline", period is None), _recommended, region_id=region.pk, **dates)
    held = {}
    if roles:
        for role in LeadershipRole.objects.filter(user__in={r.mentee_id for r in rows}).order_by("started_on", "pk"):
            held.setdefault(role.user_id, []).append(role)
    out = []
    for r in rows:
        since = timezone.localdate(r.asked_at)
        out.append(
            Row(
                recommendation=r,
                invited=r.invitation_id is not None,
                applied=r.mentee_applied,
                matched=r.mentee_matched,
                took_role=r.mentee_took_role,
                roles=[role for role in held.get(r.mentee_id, []) if role.started_on >= since],
            )
        )
    return out


def stage_counts(rows) -> dict:
    """How many of the recommended members reached each stage (whatever the way: a member who
    applied on their own counts as applied)."""
    return {
        "recommended": len(rows),
        "invited": sum(r.invited for r in rows),
        "applied": sum(r.applied for r in rows),
        "matched": sum(r.matched for r in rows),
        "roles": sum(r.took_role for r in rows),
    }


def stages(rows) -> list:
    """[(label, count)] in the pipeline's order."""
    counts = stage_counts(rows)
    return [(STAGE_LABELS[name], counts[name]) for name in STAGES]


def _waiting_for_mentee(user_id, partnership_id):
    return (
        LeadershipRecommendation.objects.filter(
            mentee=user_id, partnership=partnership_id, status=Status.ASKED
        ).select_related("mentor")[:1]  # the latest (the model's order), as first() gave
    )


def leadership_card(partnership, user) -> dict | None:
    """What the partnership page shows about leadership: to the mentor, the button to recommend
    (or where their recommendation stands); to the mentee, a recommendation waiting for them."""
    if partnership.mentor_id == user.pk:
        if not can_recommend(partnership, user):
            return None
        return {"mentor": True, "standing": standing(partnership)}
    # With its mentor, whom the card names; compiled once per process (mentoring.compiled).
    found = compiled.objects("leadership-waiting", _waiting_for_mentee, user_id=user.pk, partnership_id=partnership.pk)
    waiting = found[0] if found else None
    return {"mentor": False, "standing": waiting} if waiting else None
