import functools
from importlib import resources

from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy

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


@functools.cache
def canonical_time_zones() -> dict[str, str]:
    """{zone: country} for the time zones people choose from: each country's current zones as the
    pinned tzdata package lists them (zone.tab), so without the backward aliases ("US/Eastern",
    "Asia/Calcutta") and the "Etc/GMT+5" kind, whose sign reads backwards, but with every
    country's own city (Europe/Amsterdam, which the tz database now links to Brussels).
    available_timezones() gave 599 names with every old alias."""
    folder = resources.files("tzdata").joinpath("zoneinfo")

    def rows(name):
        text = folder.joinpath(name).read_text(encoding="utf-8")
        return [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]

    countries = {row[0]: row[1] for row in rows("iso3166.tab")}
    return {row[2]: countries.get(row[0], row[0]) for row in rows("zone.tab")}


def time_zone_choices(saved: str = "") -> list:
    """The zones grouped by continent or ocean, each named by its city and country ("America":
    "New York (United States)", ...), for a select with groups. A zone saved before under an old
    name stays on the list, so that the form keeps it until the member picks another."""
    groups = {}
    for zone, country in canonical_time_zones().items():
        area, place = zone.split("/", 1)
        groups.setdefault(area, []).append((zone, f"{place.replace('_', ' ').replace('/', ' / ')} ({country})"))
    choices = [(area, sorted(zones, key=lambda choice: choice[1])) for area, zones in sorted(groups.items())]
    if saved and saved not in canonical_time_zones():
        older = gettext_lazy("%(zone)s (an older name)") % {"zone": saved.replace("_", " ")}
        choices.insert(0, (gettext_lazy("Saved before"), [(saved, older)]))
    return choices


# Why someone is asked to sign in, from where the sign-in leads next (allauth's `next`): a member
# who followed a link from an email read only "Sign In", with no word of what they came for.
SIGN_IN_REASONS = {
    "invitation": gettext_lazy("You were invited by name: sign in to open your questionnaire."),
    "apply": gettext_lazy("Sign in to open your questionnaire."),
    "committee:": gettext_lazy("Sign in to reach the program's committee, where you were appointed or added."),
    "partnership": gettext_lazy("Sign in to open your partnership's page."),
    "my_mentoring": gettext_lazy("Sign in to see your mentoring."),
    "orientation": gettext_lazy("Sign in to open the program's orientation."),
    "certificate": gettext_lazy("Sign in to open your certificate of participation."),
    "recommendation": gettext_lazy("Sign in to read the recommendation for leadership."),
    "association_officers": gettext_lazy("Sign in to appoint the local association's officers."),
    "appoint_chair": gettext_lazy("Sign in to appoint the program's chair."),
}


def sign_in_reason(next_url: str) -> str:
    """A short line above the sign-in form saying what the person is signing in for, or ""."""
    if not next_url or not url_has_allowed_host_and_scheme(next_url, allowed_hosts=None):
        return ""
    try:
        name = resolve(next_url.split("#", 1)[0].split("?", 1)[0]).view_name
    except Resolver404:
        return ""
    return SIGN_IN_REASONS.get(name) or SIGN_IN_REASONS.get(name.split(":", 1)[0] + ":", "")
