from django.db import transaction

from .models import Profile, User


def create_profile(*, user: User) -> Profile:
    """Every account has a profile; it is created empty and completed by the member."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def update_profile(*, user: User, data: dict) -> Profile:
    """Save the member's own profile form; names live on the user, the rest on the profile."""
    user.first_name = data["first_name"]
    user.last_name = data["last_name"]
    user.save(update_fields=["first_name", "last_name"])
    profile = create_profile(user=user)
    for field in (
        "association",
        "employer",
        "job_title",
        "years_in_profession",
        "member_since",
        "phone",
        "leadership_roles",
        "bio",
    ):
        setattr(profile, field, data[field])
    profile.save()
    return profile
