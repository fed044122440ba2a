"""The demo association that `manage.py seed_demo` builds for `make run`.

Deterministic (a fixed random seed) and idempotent: running it again finds what exists by its
natural keys (names, email addresses) and creates only what is missing, so a second run adds
nothing and a partly seeded database is completed.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from accounts.models import Profile, User

from .models import CommitteeMembership, LocalAssociation, Program, Region

PASSWORD = "demo-mentoring-2026"  # noqa: S105 - the published demo password
PLEDGE_VERSION = "demo"
MEMBER_COUNT = 200
SEED = 2026

REGIONS = {
    "Great Lakes": [("Lakeshore", "Chicago"), ("Riverside", "Milwaukee"), ("Harbor City", "Cleveland")],
    "Pacific": [("Bay Area", "Oakland"), ("Cascade", "Portland"), ("Sound", "Seattle")],
}
NEW_MEMBER_PROGRAM = ("Lakeshore new-member mentoring", "Lakeshore")
LEADERSHIP_PROGRAM = ("Great Lakes leadership mentoring", "Great Lakes")

JOB_TITLES = [
    "Claims adjuster",
    "Underwriter",
    "Senior underwriter",
    "Account manager",
    "Agency principal",
    "Risk manager",
    "Customer service representative",
    "Producer",
    "Commercial lines manager",
    "Personal lines specialist",
    "Loss control consultant",
    "Benefits consultant",
    "Office manager",
    "Marketing coordinator",
    "Compliance officer",
]
EMPLOYERS = [
    "Harbor Mutual",
    "Lakeside Insurance Group",
    "Northwind Assurance",
    "Pioneer Risk Partners",
    "Summit Brokerage",
    "Bluewater Underwriters",
    "Cedar & Pine Agency",
    "Keystone Benefits",
    "Granite State Casualty",
    "Evergreen Specialty",
    "Meridian Claims Services",
    "Redwood Life",
]
LEADERSHIP_ROLES = [
    "Treasurer, {local}",
    "Program chair, {local}",
    "Membership chair, {local}",
    "President, {local}",
    "Education committee, {region} region",
    "Newsletter editor, {local}",
]


@dataclass(frozen=True)
class Login:
    email: str
    name: str
    what: str


# The named people a visitor signs in as. Their local association is by name.
LOGINS = [
    Login("staff@example.org", "Sam Staff", "association staff: Django admin at /admin/"),
    Login("vp.great-lakes@example.org", "Grace Lake", "vice president, Great Lakes region"),
    Login("vp.pacific@example.org", "Paul Pacific", "vice president, Pacific region"),
    Login("chair@example.org", "Chris Chair", "chairs the Lakeshore new-member program"),
    Login("leadership.chair@example.org", "Lee Leader", "chairs the Great Lakes leadership program"),
    Login("committee@example.org", "Cameron Committee", "committee member, Lakeshore new-member program"),
    Login("mentor@example.org", "Morgan Mentor", "experienced member of Lakeshore"),
    Login("newmember@example.org", "Nico Newcomer", "joined Lakeshore this year"),
]
LOGIN_HOMES = {
    "staff@example.org": "Riverside",
    "vp.great-lakes@example.org": "Harbor City",
    "vp.pacific@example.org": "Cascade",
    "chair@example.org": "Lakeshore",
    "leadership.chair@example.org": "Riverside",
    "committee@example.org": "Lakeshore",
    "mentor@example.org": "Lakeshore",
    "newmember@example.org": "Lakeshore",
}


# When the next renewal is due, relative to today: ahead for active members, past for the others.
RENEWAL_OFFSETS = {
    "active": lambda rng: rng.randint(10, 360),
    "grace": lambda rng: -rng.randint(1, 30),
    "lapsed": lambda rng: -rng.randint(60, 400),
}


def seed(*, members=MEMBER_COUNT, today=None) -> dict:
    """Create whatever of the demo association is missing. Returns how many rows were created."""
    today = today or timezone.localdate()
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not security
    fake = Faker("en_US")
    fake.seed_instance(SEED)
    password = make_password(PASSWORD)  # hashed once: hashing 200 times would take seconds
    created = {"regions": 0, "associations": 0, "members": 0, "programs": 0, "committee_seats": 0}

    with transaction.atomic():
        associations = {}
        for region_name, locals_ in REGIONS.items():
            region, made = Region.objects.get_or_create(name=region_name)
            created["regions"] += made
            for name, city in locals_:
                association, made = LocalAssociation.objects.get_or_create(
                    name=name, defaults={"region": region, "city": city}
                )
                created["associations"] += made
                associations[name] = association

        people = _named_people(associations, password, today, created)
        created["members"] += _members(associations, password, rng, fake, members, today)

        for region_name in REGIONS:
            vp = people[f"vp.{region_name.lower().replace(' ', '-')}@example.org"]
            Region.objects.filter(name=region_name, vice_president__isnull=True).update(vice_president=vp)

        _programs(associations, people, today, created)
    return created


def _person(email, name, association, password, *, years, since, today, **user_fields):
    first, last = name.split(" ", 1)
    user, made = User.objects.get_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "password": password, **user_fields}
    )
    if made:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        Profile.objects.create(
            user=user,
            association=association,
            employer=EMPLOYERS[len(email) % len(EMPLOYERS)],
            job_title="Association staff" if user.is_staff else JOB_TITLES[len(name) % len(JOB_TITLES)],
            years_in_profession=years,
            member_since=since,
            renewal_date=today + timedelta(days=200),
        )
    return user, made


def _named_people(associations, password, today, created):
    people = {}
    for login in LOGINS:
        newcomer = login.email == "newmember@example.org"
        user, made = _person(
            login.email,
            login.name,
            associations[LOGIN_HOMES[login.email]],
            password,
            years=1 if newcomer else 18,
            since=today - timedelta(days=60) if newcomer else today.replace(year=today.year - 12),
            today=today,
            is_staff=login.email == "staff@example.org",
            is_superuser=login.email == "staff@example.org",
        )
        created["members"] += made
        people[login.email] = user
    return people


def _members(associations, password, rng, fake, count, today):
    """Realistic, varied members spread over the six local associations, created in bulk."""
    locals_ = list(associations.values())
    wanted = []
    for i in range(count):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}.{i:03d}@example.org".lower().replace("'", "")
        # A third are recent joiners (mentee material), the rest spread over a career.
        years = rng.choice([0, 1, 1, 2, 2, 3]) if i % 3 == 0 else rng.randint(4, 35)
        joined_years_ago = min(years, rng.randint(0, 25)) if years else 0
        since = today - timedelta(days=365 * joined_years_ago + rng.randint(10, 300))
        association = locals_[i % len(locals_)]
        status = rng.choices(["active", "grace", "lapsed"], weights=[80, 12, 8])[0]
        roles = ""
        if years >= 10 and rng.random() < 0.4:
            roles = rng.choice(LEADERSHIP_ROLES).format(local=association.name, region=association.region.name)
        wanted.append(
            (
                User(email=email, first_name=first, last_name=last, password=password),
                dict(
                    association=association,
                    employer=rng.choice(EMPLOYERS),
                    job_title=rng.choice(JOB_TITLES),
                    years_in_profession=years,
                    member_since=since,
                    membership_status=status,
                    renewal_date=today + timedelta(days=RENEWAL_OFFSETS[status](rng)),
                    leadership_roles=roles,
                    bio=fake.paragraph(nb_sentences=rng.randint(1, 3)) if rng.random() < 0.7 else "",
                    phone=fake.numerify("(###) 555-0###") if rng.random() < 0.6 else "",
                ),
            )
        )
    existing = set(User.objects.filter(email__in=[u.email for u, _ in wanted]).values_list("email", flat=True))
    missing = [(u, p) for u, p in wanted if u.email not in existing]
    User.objects.bulk_create([u for u, _ in missing])
    by_email = dict(User.objects.filter(email__in=[u.email for u, _ in missing]).values_list("email", "id"))
    EmailAddress.objects.bulk_create(
        [EmailAddress(user_id=by_email[u.email], email=u.email, verified=True, primary=True) for u, _ in missing]
    )
    Profile.objects.bulk_create([Profile(user_id=by_email[u.email], **p) for u, p in missing])
    return len(missing)


def _programs(associations, people, today, created):
    now = timezone.now()
    lakeshore = associations[NEW_MEMBER_PROGRAM[1]]
    new_member, made = Program.objects.get_or_create(
        name=NEW_MEMBER_PROGRAM[0], defaults={"kind": Program.Kind.NEW_MEMBER, "association": lakeshore}
    )
    created["programs"] += made
    leadership, made = Program.objects.get_or_create(
        name=LEADERSHIP_PROGRAM[0],
        defaults={"kind": Program.Kind.LEADERSHIP, "region": Region.objects.get(name=LEADERSHIP_PROGRAM[1])},
    )
    created["programs"] += made
    seats = [
        (new_member, "chair@example.org", CommitteeMembership.Role.CHAIR, "staff@example.org"),
        (new_member, "committee@example.org", CommitteeMembership.Role.MEMBER, "chair@example.org"),
        (leadership, "leadership.chair@example.org", CommitteeMembership.Role.CHAIR, "vp.great-lakes@example.org"),
    ]
    for program, email, role, appointer in seats:
        _, made = CommitteeMembership.objects.get_or_create(
            program=program,
            user=people[email],
            defaults={
                "role": role,
                "appointed_by": people[appointer],
                "pledge_accepted_at": now,
                "pledge_version": PLEDGE_VERSION,
            },
        )
        created["committee_seats"] += made


def logins_table() -> str:
    width = max(len(login.email) for login in LOGINS)
    lines = [f"Demo logins (password for all: {PASSWORD})", ""]
    lines += [f"  {login.email:<{width}}  {login.name}, {login.what}" for login in LOGINS]
    lines += ["", f"  ...and {MEMBER_COUNT} more members, e.g. any address in the admin's user list."]
    return "\n".join(lines)
