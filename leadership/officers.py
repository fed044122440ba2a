"""A local association's officers: who appoints them and what they may do.

Staff, or the vice president of the association's region, appoint a president and membership
officers among the association's members. Officers appoint the chair of their association's
new-member program (mentoring.access.can_appoint_chair) and read its report."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.language import language_of
from accounts.models import User
from mentoring.branding import brand_id_for
from mentoring.models import AssociationOfficer, LocalAssociation
from outbox.emails import queue_email

Role = AssociationOfficer.Role


def can_manage_officers(user, association) -> bool:
    """Staff, and the vice president of the association's region."""
    return user.is_staff or (user.pk is not None and association.region.vice_president_id == user.pk)


def members_of(association):
    """Who may be an officer: the association's active members, by name."""
    return (
        User.objects.filter(is_active=True, profile__association=association)
        .select_related("profile__association")
        .order_by("last_name", "first_name", "pk")
    )


@transaction.atomic
def appoint_officer(*, association, user, role, by) -> AssociationOfficer:
    """`user` takes the role; a new president replaces the one before (who stays a member). The
    new officer is emailed."""
    if not can_manage_officers(by, association):
        raise ValidationError(_("Only staff or the region's vice president appoint officers."))
    if role not in Role.values:
        raise ValidationError(_("Choose president or membership officer."))
    if not members_of(association).filter(pk=user.pk).exists():
        raise ValidationError(
            _("%(person)s is not a member of %(association)s, so can't be one of its officers.")
            % {"person": user, "association": association}
        )
    LocalAssociation.objects.select_for_update().get(pk=association.pk)  # one appointment at a time
    if AssociationOfficer.objects.filter(association=association, user=user, role=role).exists():
        if role == Role.PRESIDENT:
            text = _("%(person)s is %(association)s's president already.")
        else:
            text = _("%(person)s is %(association)s's membership officer already.")
        raise ValidationError(text % {"person": user, "association": association})
    if role == Role.PRESIDENT:
        AssociationOfficer.objects.filter(association=association, role=Role.PRESIDENT).delete()
    officer = AssociationOfficer.objects.create(
        association=association, user=user, role=role, appointed_by=by, appointed_at=timezone.now()
    )
    queue_email(
        key=f"officer-appointed:{officer.pk}",
        to=user.email,
        language=language_of(user),
        template="officer_appointed",
        brand_id=brand_id_for(association=association),
        context={"officer": officer, "association": association, "person": user, "by": by},
    )
    return officer


@transaction.atomic
def remove_officer(*, officer, by) -> None:
    if not can_manage_officers(by, officer.association):
        raise ValidationError(_("Only staff or the region's vice president remove officers."))
    officer.delete()
