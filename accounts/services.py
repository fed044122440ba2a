from django.db import transaction

from .models import LeadershipRole, Profile, User
from .privacy import note_earlier_name


def create_profile(*, user: User) -> Profile:
    """Every account has a profile; it is created empty and completed by the member."""
    # With its association: the pages that show a profile name it.
    profile, _ = Profile.objects.select_related("association").get_or_create(user=user)
    return profile


@transaction.atomic
def update_profile(*, user: User, data: dict) -> Profile:
    """Save the member's own profile form; names live on the user, every other field (whichever the
    form has) on the profile."""
    data = dict(data)
    earlier = {"first_name": user.first_name, "last_name": user.last_name}
    user.first_name = data.pop("first_name")
    user.last_name = data.pop("last_name")
    user.save(update_fields=["first_name", "last_name"])
    note_earlier_name(user, **earlier)  # so that erasing the account finds it too
    profile = create_profile(user=user)
    for field, value in data.items():
        setattr(profile, Profile._meta.get_field(field).name, value)  # an unknown name fails loudly
    profile.save()
    return profile


ROLE_FIELDS = ("title", "other_title", "organisation", "started_on", "ended_on")


@transaction.atomic
def save_leadership_role(*, user: User, data: dict, role: LeadershipRole | None = None) -> LeadershipRole:
    """Add a dated leadership role to the member's profile, or change one of their own."""
    if role is not None and role.user_id != user.pk:
        raise ValueError("Not the member's own role.")
    role = role or LeadershipRole(user=user)
    for name in ROLE_FIELDS:
        setattr(role, name, data.get(name) or ("" if name in ("other_title",) else None))
    if role.title != LeadershipRole.Title.OTHER:
        role.other_title = ""
    role.save()
    return role


@transaction.atomic
def remove_leadership_role(*, user: User, role: LeadershipRole) -> None:
    LeadershipRole.objects.filter(pk=role.pk, user=user).delete()
