from django.db import transaction

from .models import Profile, User


def create_profile(*, user: User) -> Profile:
    """Every account has a profile; it is created empty and completed by the member."""
    profile, _ = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def update_profile(*, user: User, data: dict) -> Profile:
    """Save the member's own profile form; names live on the user, every other field (whichever the
    form has) on the profile."""
    data = dict(data)
    user.first_name = data.pop("first_name")
    user.last_name = data.pop("last_name")
    user.save(update_fields=["first_name", "last_name"])
    profile = create_profile(user=user)
    for field, value in data.items():
        setattr(profile, Profile._meta.get_field(field).name, value)  # an unknown name fails loudly
    profile.save()
    return profile
