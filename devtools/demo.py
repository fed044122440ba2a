"""The demo association that `manage.py seed_demo` builds for `make run`.

Deterministic (a fixed random seed) and idempotent: running it again finds what exists by its
natural keys (names, email addresses) and creates only what is missing, so a second run adds
nothing and a partly seeded database is completed.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from faker import Faker

from accounts.models import Profile, User
from feedback.models import Response, Solicitation
from feedback.services import create_due_solicitations, create_final_rounds, rounds_for, send_solicitations
from matching import engine
from matching.services import build_pool, weights_for
from mentoring import services
from mentoring.models import (
    Application,
    AssociationOfficer,
    CommitteeMembership,
    LocalAssociation,
    Milestone,
    Objective,
    Partnership,
    Program,
    Question,
    Region,
    Resource,
    VettingNote,
)
from outbox import devmail
from outbox.emails import compose, send_pending_emails
from outbox.models import OutgoingEmail
from partnerships import life
from partnerships.models import Agreement, Goal, Meeting, MilestoneProgress

PASSWORD = "demo-mentoring-2026"  # noqa: S105 - the published demo password
MEMBER_COUNT = 400
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
    Login("partner@example.org", "Pat Partner", "mentee in a Lakeshore partnership: feedback due now"),
    Login("president@example.org", "Petra President", "president of Lakeshore: appoints its chair, reads its report"),
    Login("rising@example.org", "Riley Rising", "rising leader: chooses a mentor in the leadership program"),
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
    "partner@example.org": "Lakeshore",
    "president@example.org": "Lakeshore",
    "rising@example.org": "Lakeshore",
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
    created = {
        "regions": 0,
        "associations": 0,
        "members": 0,
        "programs": 0,
        "committee_seats": 0,
        "questionnaires": 0,
        "partnerships": 0,
    }

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

        programs = _programs(associations, people, today, created)
        created["questionnaires"] = _questionnaires(programs, people, today)
        created["partnerships"] = _partnerships(programs, people, today)
        created["partnerships"] += _feedback_due_now(programs["new_member"], people, today)
        created["scheduled_meetings"] = _scheduled_meetings(programs["new_member"], people)
        created["officers"] = _officers(people)
        _orientation(programs)
        _agreements_and_milestones(programs, people, today)
        created["invitations"] = _recruitment(programs["new_member"], people)
        created["records_kept"] = _records_kept(programs["new_member"], people, today)
        created["certificates"] = _completed_for_certificate(programs["new_member"], people, today)
        created["leadership_recommendations"] = _leaders(programs, people, today)
        created["partnerships_completed_on_time"] = _close_on_time(programs["new_member"], today)
        created["survey_questions_and_answers"] = _surveys(programs["new_member"])
        created["flash_slots"] = _flash(programs["new_member"], people)
        created["circle_members"] = _circles(programs["new_member"], people)
        created["mentor_requests"] = _members_choose(programs["leadership"], people)
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
        # Pat is a mentee of the new-member program: a member for months, not since 2014.
        mentee = login.email == "partner@example.org"
        # Riley is a rising leader: eight years in the profession, choosing a leadership mentor.
        rising = login.email == "rising@example.org"
        since = today.replace(year=today.year - (8 if rising else 12))
        if newcomer or mentee:
            since = today - timedelta(days=60 if newcomer else 300)
        user, made = _person(
            login.email,
            login.name,
            associations[LOGIN_HOMES[login.email]],
            password,
            years=1 if newcomer else 2 if mentee else 8 if rising else 18,
            since=since,
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
    bios = random.Random(SEED + 7)  # noqa: S311 - repeatable demo data; apart, so the rest stays as it was
    wanted = []
    for i in range(count):
        first, last = fake.first_name(), fake.last_name()
        email = f"{first}.{last}.{i:03d}@example.org".lower().replace("'", "")
        # About a third are recent joiners (mentee material), the rest spread over a career.
        years = rng.choice([0, 1, 1, 2, 2, 3]) if rng.random() < 0.35 else rng.randint(4, 35)
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
                    bio=_bio(bios, years) if rng.random() < 0.7 else "",
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


BIO_SENTENCES = [
    "Most of my clients are small businesses around the lake.",
    "I volunteer on our association's education committee.",
    "Before insurance I taught maths at a high school.",
    "I am studying for my CPCU designation.",
    "Outside work: sailing, two teenagers and a very old dog.",
    "I moved here from Texas three years ago and still miss the barbecue.",
    "I like explaining coverage in plain words; clients notice.",
    "Our office handles a lot of farm and crop policies.",
    "I coach a youth soccer team on Saturdays.",
    "I switched from banking and have never looked back.",
    "Happy to talk about claims, renewals or how to run a good meeting.",
    "I speak Spanish with many of our clients.",
]


def _bio(rng, years):
    """A short bio in a member's own words: believable, not filler text."""
    if years < 3:
        first = "New to insurance and glad to be here."
    elif years < 15:
        first = f"{years} years in insurance, most of them in personal lines."
    else:
        first = f"{years} years in the business, the last ten in commercial lines."
    return " ".join([first, *rng.sample(BIO_SENTENCES, rng.randint(1, 2))])


PROGRAM_SETUP = {
    "new_member": {
        "summary": (
            "New to the association? Get to know the profession and the local association with an "
            "experienced member of Lakeshore beside you for your first year."
        ),
        "mentee_joined_within_months": 24,
        "mentor_min_years": 5,
        "default_mentor_capacity": 1,
        "max_mentor_capacity": 2,
        "meeting_frequency": "monthly",
        "length_months": 12,
    },
    "leadership": {
        "summary": (
            "For members stepping into a leadership role: a year with an experienced leader from "
            "another local association of the Great Lakes region."
        ),
        "mentor_min_years": 10,
        "default_mentor_capacity": 1,
        "max_mentor_capacity": 3,
        "meeting_frequency": "fortnightly",
        "length_months": 9,
        "allow_both_roles": True,
    },
}
EXTRA_QUESTIONS = [
    (
        "Which line of business do you work in?",
        "single",
        ["Personal lines", "Commercial lines", "Claims", "Life and benefits"],
        2,
    ),
    ("How comfortable are you speaking in front of a group?", "scale", [], 1),
    (
        "What would you like to do together?",
        "multiple",
        ["Job shadowing", "Review my work", "Attend events", "Study for a designation"],
        1,
    ),
]
OBJECTIVES = [
    ("Participants are satisfied with their partnership", "satisfaction", 4.2),
    ("Partners answer the periodic feedback", "response_rate", 80),
    ("Participants renew their membership", "retention", 90),
]
RESOURCES = [
    ("Mentoring handbook for partners", "https://www.example.org/mentoring/handbook"),
    ("How to run a first meeting (video)", "https://www.example.org/mentoring/first-meeting"),
]
GOALS = [
    "Understand how the local association works and meet people",
    "Prepare for my first designation exam",
    "Grow my book of business with commercial clients",
    "Learn to lead a small team",
    "Get better at difficult client conversations",
    "Plan the next five years of my career",
    "Take on a committee role and do it well",
    "Balance a growing workload with family life",
]
INTRODUCTIONS = [
    "I enjoy helping people find their feet; I was helped a lot when I started.",
    "I am new to the industry after ten years in retail and keen to learn fast.",
    "I like plain talk, coffee meetings and a clear plan.",
    "I have run our office for years and love sharing what worked and what did not.",
]


def _programs(associations, people, today, created):
    lakeshore = associations[NEW_MEMBER_PROGRAM[1]]
    great_lakes = Region.objects.get(name=LEADERSHIP_PROGRAM[1])
    programs = {}
    for kind, name, owner in [
        ("new_member", NEW_MEMBER_PROGRAM[0], {"association": lakeshore}),
        ("leadership", LEADERSHIP_PROGRAM[0], {"region": great_lakes}),
    ]:
        program = Program.objects.filter(name=name).first()
        if program is None:
            program = services.create_program(
                name=name,
                kind=kind,
                enrollment_open=True,
                # The demo's committee has no authenticator apps; real programs keep this on.
                require_two_factor=False,
                **owner,
                **PROGRAM_SETUP[kind],
            )
            for text, qkind, choices, weight in EXTRA_QUESTIONS[: 2 if kind == "new_member" else 3]:
                Question.objects.create(program=program, text=text, kind=qkind, choices=choices, weight=weight)
            for description, measure, target in OBJECTIVES:
                Objective.objects.create(program=program, description=description, measure=measure, target=target)
            for title, url in RESOURCES:
                Resource.objects.create(program=program, title=title, url=url)
            created["programs"] += 1
        programs[kind] = program

    now = timezone.now()
    seats = [
        (programs["new_member"], "chair@example.org", CommitteeMembership.Role.CHAIR, "staff@example.org", True),
        # Not pledged yet: sign in as committee@ to see the pledge, then vet a candidate.
        (programs["new_member"], "committee@example.org", CommitteeMembership.Role.MEMBER, "chair@example.org", False),
        (
            programs["leadership"],
            "leadership.chair@example.org",
            CommitteeMembership.Role.CHAIR,
            "vp.great-lakes@example.org",
            True,
        ),
    ]
    for program, email, role, appointer, pledged in seats:
        _, made = CommitteeMembership.objects.get_or_create(
            program=program,
            user=people[email],
            defaults={
                "role": role,
                "appointed_by": people[appointer],
                "pledge_accepted_at": now if pledged else None,
                "pledge_version": program.pledge_version if pledged else "",
            },
        )
        created["committee_seats"] += made
    return programs


def _questionnaires(programs, people, today):
    """About 150 sent questionnaires: new members and experienced members of Lakeshore in the
    new-member program; rising leaders and seasoned ones of the region in the leadership program.
    Mentors are vetted (most approved, some waiting). Made directly, without emails."""
    if Application.objects.filter(program__in=programs.values()).exists():
        return 0
    rng = random.Random(SEED + 1)  # noqa: S311 - repeatable demo data
    named = {p.pk for p in people.values()}
    chairs = {
        "new_member": people["chair@example.org"],
        "leadership": people["leadership.chair@example.org"],
    }
    made = []
    for kind, program in programs.items():
        members = Profile.objects.select_related("user").exclude(user_id__in=named)
        if kind == "new_member":
            members = members.filter(association=program.association)
        else:
            members = members.filter(association__region=program.region)
        questions = list(program.questions.all())
        for profile in members.order_by("user_id"):
            years = profile.years_in_profession or 0
            joined_months = services.months_between(profile.member_since, today)
            if kind == "new_member":
                role = "mentee" if joined_months <= 24 else ("mentor" if years >= 5 else None)
                if role == "mentor" and rng.random() < 0.5:
                    role = None  # not every experienced member volunteers
            else:
                role = "mentor" if years >= 15 else ("mentee" if 2 <= years < 15 else None)
                if rng.random() < (0.4 if role == "mentor" else 0.2):
                    role = None
            if role is None:
                continue
            submitted = timezone.now() - timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
            status = "in_pool"
            if role == "mentor":
                status = rng.choices(["in_pool", "awaiting_vetting", "more_info", "declined"], [70, 20, 6, 4])[0]
            extra = {}
            for q in questions:
                if q.kind == "single":
                    extra[str(q.pk)] = rng.choice(q.choices)
                elif q.kind == "multiple":
                    extra[str(q.pk)] = rng.sample(q.choices, rng.randint(1, 2))
                else:
                    extra[str(q.pk)] = rng.randint(1, 5)
            made.append(
                Application(
                    program=program,
                    user=profile.user,
                    role=role,
                    status=status,
                    goals=rng.choice(GOALS),
                    topics=rng.sample(program.topics, rng.randint(2, 4)),
                    career_stage=_career_stage(years),
                    years_experience=years,
                    communication_modes=rng.sample(["in_person", "video", "phone"], rng.randint(1, 3)),
                    availability=rng.sample(
                        ["weekday_mornings", "weekday_daytime", "weekday_evenings", "weekends"], rng.randint(1, 3)
                    ),
                    hours_per_month=rng.choice([1, 2, 2, 4, 4, 8]),
                    meeting_frequency=rng.choice(["fortnightly", "monthly", "monthly", "quarterly"]),
                    languages=["English"] + (["Spanish"] if rng.random() < 0.2 else []),
                    capacity=rng.randint(1, program.max_mentor_capacity) if role == "mentor" else 1,
                    introduction=rng.choice(INTRODUCTIONS),
                    extra_answers=extra,
                    submitted_at=submitted,
                    decided_at=submitted + timedelta(days=3)
                    if status in ("in_pool", "declined") and role == "mentor"
                    else None,
                    message_to_member=(
                        "Could you tell us a little more about the teams you have led?" if status == "more_info" else ""
                    ),
                )
            )
    Application.objects.bulk_create(made)
    notes = []
    for application in Application.objects.filter(program__in=programs.values(), role="mentor").exclude(
        status="awaiting_vetting"
    ):
        kind = application.program.kind
        decision = {"in_pool": "approve", "declined": "decline", "more_info": "more_info"}[application.status]
        notes.append(
            VettingNote(
                application=application,
                author=chairs[kind],
                decision=decision,
                text="Spoke on the phone; references checked."
                if decision == "approve"
                else "Discussed at the committee meeting.",
            )
        )
    VettingNote.objects.bulk_create(notes)
    return len(made)


FEEDBACK_NOTES = [
    "",
    "",
    "We meet over coffee every month; very helpful.",
    "Hard to find time this quarter, but the calls are good.",
    "We don't really click. I would prefer someone closer to my line of business.",
]


def _partnerships(programs, people, today):
    """Partnerships under way, so the partnership pages, the attention queue and the reports
    have something to show: the matching engine pairs part of each pool, the pairs started
    weeks or months ago, and the feedback rounds due so far were answered (mostly happily).
    Started through the real service; their introductions belong to the past and are not sent."""

    if Partnership.objects.filter(program__in=programs.values()).exists():
        return 0
    rng = random.Random(SEED + 2)  # noqa: S311 - repeatable demo data
    made = 0
    for program in programs.values():
        pool = build_pool(program)
        result = engine.propose(
            pool.mentees, pool.mentors, rules=pool.rules, weights=weights_for(program), questions=pool.questions
        )
        for proposal in result.proposals[: len(result.proposals) * 2 // 3]:
            mentee_app = pool.applications[proposal.mentee_id]
            mentor_app = pool.applications[proposal.mentor_id]
            started = today - timedelta(days=rng.randint(20, 300))
            partnership = life.start(
                mentee_application=mentee_app,
                mentor_application=mentor_app,
                by=people["chair@example.org"],
                started_on=started,
            )
            OutgoingEmail.objects.filter(key__startswith=f"introduction:{partnership.pk}:").delete()
            Application.objects.filter(pk=mentee_app.pk).update(
                submitted_at=timezone.now() - timedelta(days=(today - started).days + rng.randint(7, 60)),
            )
            Partnership.objects.filter(pk=partnership.pk).update(
                created_at=timezone.now() - timedelta(days=(today - started).days)
            )
            made += 1
            Goal.objects.create(
                partnership=partnership,
                title=mentee_app.goals[:200],
                progress=rng.choice(["not_started", "under_way", "under_way", "achieved"]),
            )
            for _ in range(rng.randint(0, 4)):
                Meeting.objects.create(
                    partnership=partnership,
                    met_on=started + timedelta(days=rng.randint(1, max(1, (today - started).days))),
                    mode=rng.choice(["video", "in_person", "phone"]),
                    minutes=rng.choice([30, 45, 60, 90]),
                    logged_by=partnership.mentee,
                )
            unhappy = rng.random() < 0.12
            for number, due_on, is_final in rounds_for(
                program=program, started_on=started, planned_end_on=partnership.planned_end_on
            ):
                if due_on > today:
                    break
                for person, role in ((partnership.mentee, "mentee"), (partnership.mentor, "mentor")):
                    answered = rng.random() < 0.8
                    solicitation = Solicitation.objects.create(
                        partnership=partnership,
                        round=number,
                        is_final=is_final,
                        respondent=person,
                        role=role,
                        due_on=due_on,
                        status="answered" if answered else "sent",
                        sent_at=timezone.now() - timedelta(days=(today - due_on).days),
                        answered_at=timezone.now() - timedelta(days=max(0, (today - due_on).days - 2))
                        if answered
                        else None,
                    )
                    if answered:
                        low = unhappy and role == "mentee"
                        response = Response.objects.create(
                            solicitation=solicitation,
                            partnership=partnership,
                            respondent=person,
                            role=role,
                            round=number,
                            satisfaction=rng.choice([1, 2]) if low else rng.choice([3, 4, 4, 5, 5]),
                            met=rng.choice(["monthly", "fortnightly", "less"]),
                            progress=rng.choice(["some", "good", "good", "achieved"]) if not low else "none",
                            working="no" if low else rng.choice(["yes", "yes", "partly"]),
                            wants_new_partner=low,
                            concerns=FEEDBACK_NOTES[4] if low else rng.choice(FEEDBACK_NOTES[:4]) or None,
                            recommends_for_leadership=(rng.random() < 0.3)
                            if role == "mentor" and program.kind == "leadership"
                            else None,
                        )
                        Response.objects.filter(pk=response.pk).update(submitted_at=solicitation.answered_at)
    return made


def _feedback_due_now(program, people, today):
    """Pat Partner's partnership with Morgan Mentor reached its first feedback round today, so
    the feedback flow can be tried at once: `seed_demo` runs the feedback job after seeding, and
    both find the ask on their home page and in the emails page."""
    pat, morgan = people["partner@example.org"], people["mentor@example.org"]
    if Partnership.objects.filter(program=program, mentee=pat).exists():
        return 0
    started = today - timedelta(days=program.feedback_first_after_days)  # round 1 is due today
    common = {
        "program": program,
        "status": "in_pool",
        "topics": program.topics[:2],
        "communication_modes": ["video", "in_person"],
        "availability": ["weekday_evenings"],
        "hours_per_month": 2,
        "meeting_frequency": "monthly",
        "languages": ["English"],
        "submitted_at": timezone.now() - timedelta(days=(today - started).days + 10),
    }
    mentee_app = Application.objects.create(
        user=pat,
        role="mentee",
        goals="Find my feet in the association and learn how claims work in a small agency.",
        career_stage="early",
        years_experience=2,
        introduction="Two years into insurance; I handle small-business claims and want to grow.",
        **common,
    )
    mentor_app = Application.objects.filter(program=program, user=morgan).first()
    if mentor_app is None:
        mentor_app = Application.objects.create(
            user=morgan,
            role="mentor",
            goals="Give back what my own mentor gave me.",
            career_stage="senior",
            years_experience=18,
            capacity=2,
            introduction="Eighteen years in commercial lines; I coach our agency's new adjusters.",
            decided_at=common["submitted_at"] + timedelta(days=3),
            **common,
        )
        VettingNote.objects.create(
            application=mentor_app,
            author=people["chair@example.org"],
            decision="approve",
            text="Spoke on the phone; references checked.",
        )
    partnership = life.start(
        mentee_application=mentee_app, mentor_application=mentor_app, by=people["chair@example.org"], started_on=started
    )
    OutgoingEmail.objects.filter(key__startswith=f"introduction:{partnership.pk}:").delete()
    return 1


def _career_stage(years):
    if years < 2:
        return "student"
    if years < 5:
        return "early"
    if years < 15:
        return "mid"
    return "senior" if years < 30 else "executive"


def ask_what_is_due():
    """The feedback due today is asked now, not at the worker's first hourly run, so the
    feedback flow can be tried at once (Pat Partner's first round): the asks and their emails,
    as the hourly job would send them."""
    create_due_solicitations()
    send_solicitations()
    send_pending_emails()


def logins_table() -> str:
    """The demo logins as things stand now: the chairs are read from the database (a vice
    president may have appointed another), the others are who the demo made them."""
    chairs = {}
    for seat in CommitteeMembership.objects.filter(
        role=CommitteeMembership.Role.CHAIR, program__name__in=[NEW_MEMBER_PROGRAM[0], LEADERSHIP_PROGRAM[0]]
    ).select_related("user", "program"):
        chairs.setdefault(seat.user.email, (seat.user.get_full_name() or seat.user.email, []))[1].append(seat.program)
    rows = [(login.email, login.name, login.what) for login in LOGINS if "chairs the" not in login.what]
    for email, (name, programs) in chairs.items():
        rows.append((email, name, "chairs " + " and ".join(p.name for p in programs)))
    width = max(len(email) for email, _, _ in rows)
    lines = [f"Demo logins (password for all: {PASSWORD})", ""]
    lines += [f"  {email:<{width}}  {name}, {what}" for email, name, what in rows]
    lines += ["", f"  ...and {MEMBER_COUNT} more members, e.g. any address in the admin's user list."]
    return "\n".join(lines)


def _scheduled_meetings(program, people):
    """Pat Partner and Morgan Mentor arrange their meetings on the site: one they held two days
    ago and have not logged yet ("Log this meeting"), one agreed for later this week (the reminder
    goes out the day before), and one Morgan proposed that waits for Pat's answer. A few other
    pairs have a meeting agreed. Made as rows: their invitations belong to the past, like the
    introductions. (Times in the site's zone, at round hours.)"""
    from partnerships.models import ScheduledMeeting

    pat, morgan = people["partner@example.org"], people["mentor@example.org"]
    ours = Partnership.objects.filter(program=program, mentee=pat).first()
    if ours is None or ScheduledMeeting.objects.filter(partnership=ours).exists():
        return 0
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)

    def at(days, hour):
        return midnight + timedelta(days=days, hours=hour)

    agreed = {"status": "accepted", "in_calendars": True}
    rows = [
        ScheduledMeeting(
            partnership=ours,
            proposed_by=pat,
            starts_at=at(-2, 17),
            minutes=45,
            mode="video",
            video_url="https://meet.example.org/pat-morgan",
            agenda="First goals; the claims course.",
            **agreed,
        ),
        ScheduledMeeting(
            partnership=ours,
            proposed_by=morgan,
            starts_at=at(4, 12),
            minutes=60,
            mode="in_person",
            place="Harbor Café, 12 Lake Street",
            agenda="Lunch: how small agencies handle large losses.",
            **agreed,
        ),
        ScheduledMeeting(
            partnership=ours,
            proposed_by=morgan,
            starts_at=at(18, 18),
            minutes=30,
            mode="phone",
            place="Morgan calls Pat",
            agenda="Check-in before the spring conference.",
        ),
    ]
    others = Partnership.objects.filter(program=program, status="active").exclude(pk=ours.pk).order_by("pk")[:6]
    for number, partnership in enumerate(others):
        rows.append(
            ScheduledMeeting(
                partnership=partnership,
                proposed_by=partnership.mentee,
                starts_at=at(2 + number * 3, 18),
                minutes=60,
                mode="video",
                video_url=f"https://meet.example.org/pair-{partnership.pk}",
                **agreed,
            )
        )
    ScheduledMeeting.objects.bulk_create(rows)
    return len(rows)


def _flash(program, people):
    """The new-member program offers flash conversations: Morgan Mentor and two other vetted
    mentors each offer a one-hour slot or two this month, open for any member to book. Made as
    rows, at round hours in the site's zone."""
    from flash.models import Slot

    if not program.offers_flash:
        program.offers_flash = True
        program.save(update_fields=["offers_flash"])
    if Slot.objects.filter(program=program).exists():
        return 0
    mentors = [people["mentor@example.org"]] + [
        a.user
        for a in Application.objects.filter(program=program, role="mentor", status="in_pool")
        .exclude(user=people["mentor@example.org"])
        .select_related("user")
        .order_by("pk")[:2]
    ]
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    notes = ["Claims careers, and getting your first designation.", "Starting out in a small agency.", ""]
    rows = []
    for number, mentor in enumerate(mentors):
        for extra in range(2 if number == 0 else 1):
            rows.append(
                Slot(
                    program=program,
                    mentor=mentor,
                    starts_at=midnight + timedelta(days=3 + number * 2 + extra * 7, hours=12 + number),
                    mode=("video", "phone", "in_person")[number % 3],
                    note=notes[number],
                )
            )
    Slot.objects.bulk_create(rows)
    return len(rows)


def _circles(program, people):
    """The new-member program offers mentoring circles: Morgan Mentor leads "New in claims", with
    Pat Partner and two other mentees whose applications the program accepted (each pair keeps the
    rules of matching, as the committee's page would check), and a meeting next week. The circle
    is open, so a member such as Nico Newcomer can join it. Made as rows, quietly: seeding emails
    no one. Returns how many members it was given."""
    from circles.models import Circle, CircleMeeting, CircleMember
    from circles.rules import PairRules, person_reasons

    if not program.offers_circles:
        program.offers_circles = True
        program.save(update_fields=["offers_circles"])
    if Circle.objects.filter(program=program).exists():
        return 0
    morgan, pat = people["mentor@example.org"], people["partner@example.org"]
    accepted = (
        User.objects.filter(applications__program=program, applications__role="mentee")
        .filter(applications__status__in=["in_pool", "matched"])
        .exclude(pk=morgan.pk)
        .select_related("profile__association")
        .order_by("pk")
        .distinct()
    )
    candidates = [pat, *(user for user in accepted if user.pk != pat.pk)]
    rules = PairRules(program=program, users=[morgan, *candidates])
    mentees = [
        user
        for user in candidates
        if not person_reasons(program=program, user=user) and not rules.problems(user, morgan)
    ][:3]
    circle = Circle.objects.create(
        program=program,
        name="New in claims",
        topic="Claims careers, first designations, and how each of us handles a large loss.",
        open_to_join=True,
        status=Circle.Status.MEETING,
        created_by=people["chair@example.org"],
    )
    CircleMember.objects.create(circle=circle, user=morgan, role="mentor", added_by=people["chair@example.org"])
    for mentee in mentees:
        CircleMember.objects.create(circle=circle, user=mentee, role="mentee", added_by=people["chair@example.org"])
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    CircleMeeting.objects.create(
        circle=circle,
        scheduled_by=morgan,
        starts_at=midnight + timedelta(days=6, hours=18),
        minutes=60,
        mode="video",
        video_url="https://meet.example.org/new-in-claims",
        agenda="Introductions, and what each of you wants from the circle.",
    )
    return 1 + len(mentees)


def _members_choose(program, people):
    """The leadership program lets members choose their mentor (matching/choosing.py): Riley
    Rising (a demo login) waits in its pool and has asked the mentor who fits best, who has not
    answered yet; Riley can ask one more from *My mentoring* (that email, with the mentor's answer
    link, is in the emails page). Asked through the service, as a member would; seeding emails no one."""
    from matching import choosing
    from matching.models import Proposal

    if not program.members_choose:
        program.members_choose = True
        program.save(update_fields=["members_choose"])
    riley = people["rising@example.org"]
    mentee_app = Application.objects.filter(program=program, user=riley, role="mentee").first()
    if mentee_app is None:
        mentee_app = Application.objects.create(
            program=program,
            user=riley,
            role="mentee",
            status="in_pool",
            goals="Chair my local association's education committee next year, and run good meetings.",
            topics=program.topics[:3],
            career_stage="mid",
            years_experience=8,
            communication_modes=["video", "in_person"],
            availability=["weekday_evenings", "weekends"],
            hours_per_month=2,
            meeting_frequency="monthly",
            languages=["English"],
            introduction="Eight years in commercial lines; stepping into my first committee role.",
            submitted_at=timezone.now() - timedelta(days=5),
        )
    if Proposal.objects.filter(mentee_application=mentee_app, origin=Proposal.Origin.MEMBER).exists():
        return 0
    offered = choosing.offered_mentors(mentee_app)
    if not offered:
        return 0
    asked = choosing.ask_mentor(
        mentee_app=mentee_app,
        mentor_app=offered[0].application,
        note="I am about to chair my first committee and would value your experience of running one.",
    )
    OutgoingEmail.objects.filter(key=f"mentor-ask:{asked.pk}").delete()
    return 1


def _officers(people):
    """Lakeshore's president (a demo login) and a membership officer of Cascade (one of its members),
    as their VPs appointed them. Quietly: seeding emails no one. Returns how many were created."""
    lakeshore = LocalAssociation.objects.select_related("region").get(name="Lakeshore")
    cascade = LocalAssociation.objects.select_related("region").get(name="Cascade")
    wanted = [(lakeshore, people["president@example.org"], AssociationOfficer.Role.PRESIDENT)]
    member = User.objects.filter(profile__association=cascade).exclude(email__in=LOGIN_HOMES).order_by("email").first()
    if member is not None:
        wanted.append((cascade, member, AssociationOfficer.Role.MEMBERSHIP))
    created = 0
    for association, user, role in wanted:
        if not AssociationOfficer.objects.filter(association=association).exists():
            AssociationOfficer.objects.create(
                association=association, user=user, role=role, appointed_by=association.region.vice_president
            )
            created += 1
    return created


ORIENTATION = [
    # (kind, title, body, url, audience, required)
    (
        "page",
        "How our partnerships work",
        "A partnership lasts a year. Meet your partner about once a month, in person or by video.\n\n"
        "Agree on two or three goals at the first meeting and look back at them every few months. "
        "If something gets in the way, tell your partner early, and ask the committee for help at any time.",
        "",
        "both",
        True,
    ),
    (
        "acknowledgement",
        "Confidentiality",
        "I will keep what my partner tells me confidential, and ask before sharing anything with others.",
        "",
        "mentor",
        True,
    ),
    (
        "link",
        "Video: a first meeting that works (8 minutes)",
        "A short film from the national association on the first conversation between partners.",
        "https://www.example.org/mentoring/first-meeting",
        "both",
        False,
    ),
    (
        "page",
        "Getting the most from your mentor",
        "Come to each meeting with a question or a situation from your week. Your mentor is there to "
        "listen and to share what worked for them, not to do the work for you.",
        "",
        "mentee",
        False,
    ),
]


def _orientation(programs):
    """The Lakeshore program's orientation, required of mentors before vetting: vetted mentors
    have done it, candidates waiting for vetting are part-way (some done), and some mentees
    have started theirs."""
    # Imported here to keep this feature's lines together (the lead merges five features into this file).
    from mentoring.models import OrientationCompletion, OrientationItem
    from recruitment.orientation import add_item

    program = programs["new_member"]
    if program.orientation_items.exists():
        return
    items = [
        add_item(
            item=OrientationItem(
                program=program, kind=kind, title=title, body=body, url=url, audience=audience, required=required
            )
        )
        for kind, title, body, url, audience, required in ORIENTATION
    ]
    program.orientation_required_before = Program.OrientationRequired.BEFORE_VETTING
    program.save(update_fields=["orientation_required_before"])
    rng = random.Random(SEED + 7)  # noqa: S311 - repeatable demo data
    completions = []
    candidates = 0
    for application in program.applications.exclude(status="draft").order_by("pk"):
        mine = [i for i in items if i.is_for(application.role)]
        if application.role == "mentor" and application.status in ("in_pool", "matched"):
            done = mine
        elif application.role == "mentor":  # half ready to vet, half part-way or not started
            done = mine[: [len(mine), 1, len(mine), 0][candidates % 4]]
            candidates += 1
        else:
            done = mine[: rng.choice([0, 1, 1, 2])]
        completions += [OrientationCompletion(item=i, user_id=application.user_id) for i in done]
    OrientationCompletion.objects.bulk_create(completions, ignore_conflicts=True)


DEMO_TERMS = [
    "We meet on the first Tuesday of the month, and say so a day ahead if we can't make it.",
    "Calls before 8 pm, please; email is fine any time.",
    "We start each meeting with what went well since the last one.",
    "",
    "",
]


def _agreements_and_milestones(programs, people, today):
    """The partners' agreements and the milestones they marked done: most pairs confirmed within
    a few days (some with terms of their own), a few still wait for one partner, and most marked
    the milestones that came due (a few are behind). Pat Partner confirmed and added a term;
    Morgan Mentor has not confirmed yet, so Morgan sees the notice and the committee's attention
    queue shows it. Runs once (nothing is done while any milestone is marked)."""
    agreements = Agreement.objects.filter(
        partnership__program__in=programs.values(), mentee_confirmed_at__isnull=True, mentor_confirmed_at__isnull=True
    ).select_related("partnership")
    if MilestoneProgress.objects.filter(partnership__program__in=programs.values()).exists():
        return 0
    rng = random.Random(SEED + 16)  # noqa: S311 - repeatable demo data
    milestones = {}
    for m in Milestone.objects.filter(program__in=programs.values()):
        milestones.setdefault(m.program_id, []).append(m)
    pat = people["partner@example.org"]
    now = timezone.now()

    def moment(day):
        return now - timedelta(days=(today - day).days)

    made = 0
    for agreement in agreements:
        p = agreement.partnership
        age = (today - p.started_on).days
        first = p.started_on + timedelta(days=rng.randint(0, min(age, 6)))
        second = min(today, first + timedelta(days=rng.randint(0, 8)))
        chance = rng.random()
        if p.mentee_id == pat.pk:
            agreement.mentee_terms = DEMO_TERMS[0]
            agreement.mentee_confirmed_at = moment(first)
        elif chance < 0.85:
            agreement.mentee_terms = rng.choice(DEMO_TERMS)
            agreement.mentor_terms = rng.choice(DEMO_TERMS[1:])
            agreement.mentee_confirmed_at, agreement.mentor_confirmed_at = moment(first), moment(second)
        elif chance < 0.95:
            agreement.mentee_confirmed_at = moment(first)
        agreement.save(update_fields=["mentee_terms", "mentor_terms", "mentee_confirmed_at", "mentor_confirmed_at"])
        behind = rng.random() < 0.2
        for m in milestones.get(p.program_id, []):
            due = p.started_on + timedelta(days=m.day)
            if due > today or (behind and m.day > 0) or rng.random() < 0.1:
                continue
            done_on = min(today, max(p.started_on, due + timedelta(days=rng.randint(-3, 10))))
            MilestoneProgress.objects.create(
                partnership=p, milestone=m, done_on=done_on, marked_by=rng.choice([p.mentee, p.mentor])
            )
            made += 1
    return made


def _recruitment(program, people) -> int:
    """The Lakeshore chair invited four experienced members by name to mentor four days ago, and
    one opened the questionnaire since; three new members applied as mentees. The enrollment is
    left unannounced, for the chair to try as the README says (the seed used to send it, so
    "Announce it" only said it was done). Like the rest of the seed, it emails nobody: what it
    queued is taken out of the outbox."""
    from recruitment import services as recruitment
    from recruitment.models import Invitation

    if Invitation.objects.filter(program=program, kind="invitation").exists() or not program.is_open_on(
        timezone.localdate()
    ):
        return 0
    chair = people["chair@example.org"]
    named = [login.email for login in LOGINS]
    newcomers = list(
        recruitment.eligible_recipients(program)
        .filter(profile__years_in_profession__lte=3, profile__email_announcements=True)
        .exclude(email__in=named)
        .exclude(applications__program=program)
        .order_by("pk")[:3]
    )
    applied = []
    for user in newcomers:  # ... and three new members applied as mentees
        application = services.start_application(program=program, user=user, role="mentee")
        services.submit_application(
            application=application,
            answers={
                "goals": "Find my feet at Lakeshore and learn how the trade works beyond my own desk.",
                "topics": program.topics[:2],
                "career_stage": "early",
                "years_experience": user.profile.years_in_profession or 0,
                "communication_modes": ["video", "in_person"],
                "availability": ["weekday_evenings"],
                "hours_per_month": 2,
                "meeting_frequency": "monthly",
                "languages": ["English"],
                "introduction": "I joined the association this year and would like a guide.",
            },
            extra_answers={},
        )
        applied.append(application.pk)
    seasoned = list(
        recruitment.eligible_recipients(program)
        .filter(profile__years_in_profession__gte=15, profile__email_invitations=True)
        .exclude(email__in=named)
        .select_related("profile")[:4]
    )
    result = recruitment.invite(program=program, users=seasoned, role="mentor", by=chair)
    # Invited four days ago, opened since: never opened before it was sent ("invited Dec 2,
    # opened Dec 1").
    Invitation.objects.filter(program=program, kind="invitation").update(created_at=timezone.now() - timedelta(days=4))
    if result.invited:
        Invitation.objects.filter(program=program, kind="invitation", user=result.invited[0]).update(
            opened_at=timezone.now() - timedelta(days=1)
        )
    invited = Invitation.objects.filter(program=program, kind="invitation").values_list("pk", flat=True)
    OutgoingEmail.objects.filter(key__in=[f"invitation:{pk}" for pk in invited]).delete()
    for pk in applied:
        OutgoingEmail.objects.filter(key__startswith=f"application-received:{pk}:").delete()
    return len(result.invited)


def _records_kept(program, people, today):
    """Records kept no longer than needed: two pairs whose partnerships ended almost two years ago
    (one mentee kept the history, the others were told), and a questionnaire withdrawn
    as long ago, so the chair's "Records kept" page and the staff page have something to show. The
    warning emails belong to the past and are not sent."""
    from retention import services as retention
    from retention.models import RecordExpiry

    if RecordExpiry.objects.filter(partnership__program=program).exists():
        return 0
    chair = people["chair@example.org"]
    # Members of the association who have not applied to it (already seeded), as the alumni.
    logins = [login.email for login in LOGINS]
    alumni = list(
        User.objects.filter(profile__association=program.association, is_staff=False, is_active=True)
        .exclude(applications__program=program)
        .exclude(email__in=logins)
        .order_by("pk")[:5]
    )
    if len(alumni) < 5:
        return 0
    applications = {}
    for user, role in zip(alumni, ["mentee", "mentor", "mentee", "mentor", "mentee"], strict=True):
        years = user.profile.years_in_profession or (2 if role == "mentee" else 20)
        application = services.start_application(program=program, user=user, role=role)
        application = services.submit_application(
            application=application,
            answers={
                "goals": "Find my feet in the trade." if role == "mentee" else "Give back what I was given.",
                "career_stage": "early" if role == "mentee" else "senior",
                "years_experience": years,
                "communication_modes": ["video"],
                "availability": ["weekday_evenings"],
                "hours_per_month": 2,
                "meeting_frequency": "monthly",
                "languages": ["English"],
            },
            extra_answers={},
        )
        applications[len(applications)] = application
    for k in (1, 3):
        Application.objects.filter(pk=applications[k].pk).update(status="in_pool")
        VettingNote.objects.create(application=applications[k], author=chair, decision="approve")
    months = retention.keep_months()
    ended = [today - timedelta(days=30 * months - 12), today - timedelta(days=30 * months - 70)]
    pairs = [(0, 1), (2, 3)]
    for (mentee, mentor), ended_on in zip(pairs, ended, strict=True):
        partnership = life.start(
            mentee_application=applications[mentee],
            mentor_application=applications[mentor],
            by=chair,
            started_on=ended_on - timedelta(days=365),
        )
        life.complete(partnership=partnership, by=chair)
        Partnership.objects.filter(pk=partnership.pk).update(ended_on=ended_on)
    withdrawn = applications[4]
    services.withdraw_application(application=withdrawn)
    Application.objects.filter(pk=withdrawn.pk).update(updated_at=timezone.now() - timedelta(days=30 * months - 50))
    retention.run_retention_job(today=today)
    RecordExpiry.objects.filter(user=alumni[0]).update(kept_at=timezone.now())  # she kept her history
    # The other warnings belong to the past and are not sent; one is left in the outbox, so that
    # "Emails the site sent" shows the warning and its "Keep my history" link, as the README says.
    emails = [a.user.email for a in applications.values()]
    # The seed emails nobody; on a computer with the dev mailbox, one warning is kept there, so that
    # "Emails the site sent" shows it and its "Keep my history" link, as the README says.
    warning = OutgoingEmail.objects.filter(to__in=emails, key__startswith="record-expiry-warning:").first()
    if warning is not None and devmail.enabled():
        devmail.EmailBackend().send_messages([compose(to=warning.to, subject=warning.subject, body=warning.body)])
    OutgoingEmail.objects.filter(to__in=emails).delete()
    return len(pairs) + 1


def _completed_for_certificate(program, people, today) -> int:
    """Morgan Mentor mentored a newcomer in last year's Lakeshore program: a completed partnership
    with eight meetings logged, so My mentoring shows a mentoring history and a certificate of
    participation to open, print and download (and a committee Morgan applies to as a mentor
    sees the history)."""
    morgan = people["mentor@example.org"]
    if Partnership.objects.filter(mentor=morgan, status=Partnership.Status.COMPLETED).exists():
        return 0
    mentor_app = Application.objects.filter(program=program, user=morgan, role="mentor").first()
    mentee = (
        User.objects.filter(profile__association=program.association, profile__years_in_profession__lte=5)
        .exclude(email__in=[login.email for login in LOGINS])
        .exclude(applications__program=program)
        .order_by("pk")
        .first()
    )
    if mentor_app is None or mentee is None:
        return 0
    started = today - timedelta(days=420)
    ended = started + timedelta(days=180)
    mentee_app = Application.objects.create(
        program=program,
        user=mentee,
        role="mentee",
        status="matched",
        goals="Learn the trade beyond my own desk and meet people in the association.",
        career_stage="early",
        years_experience=1,
        topics=program.topics[:2],
        communication_modes=["video", "in_person"],
        availability=["weekday_evenings"],
        meeting_frequency="monthly",
        languages=["English"],
        submitted_at=timezone.now() - timedelta(days=450),
    )
    partnership = Partnership.objects.create(
        program=program,
        mentee=mentee,
        mentor=morgan,
        mentee_application=mentee_app,
        mentor_application=mentor_app,
        status=Partnership.Status.COMPLETED,
        started_on=started,
        planned_end_on=ended,
        ended_on=ended,
        end_reason=Partnership.EndReason.COMPLETED,
        mentee_consents_to_recognition=True,
        mentor_consents_to_recognition=True,
    )
    Meeting.objects.bulk_create(
        Meeting(
            partnership=partnership,
            met_on=started + timedelta(days=7 + 22 * i),
            mode=["in_person", "video"][i % 2],
            minutes=[60, 45, 90, 60, 60, 75, 45, 60][i],
            logged_by=morgan,
        )
        for i in range(8)
    )
    return 1


def _leaders(programs, people, today) -> int:
    """Succession: Lakeshore mentors recommended some of their mentees for leadership. Pat
    Partner's recommendation waits for her answer (her partnership page shows it); the others
    agreed, and the Great Lakes VP sees them in the region's pipeline, one already invited to the
    leadership program. Morgan Mentor's profile lists dated leadership roles. Emails queued
    here are taken out of the outbox, as elsewhere in the seed."""
    from django.core.exceptions import ValidationError

    from accounts.models import LeadershipRole
    from leadership import services as leadership
    from leadership.models import LeadershipRecommendation

    if LeadershipRecommendation.objects.exists():
        return 0
    morgan = people["mentor@example.org"]
    for title, where, start, end in [
        ("president", "Lakeshore local association", date(2019, 1, 1), date(2020, 12, 31)),
        ("committee_chair", "Great Lakes region education committee", date(2022, 3, 1), None),
    ]:
        LeadershipRole.objects.get_or_create(
            user=morgan, title=title, organisation=where, started_on=start, defaults={"ended_on": end}
        )
    partnerships = list(
        Partnership.objects.filter(program=programs["new_member"], status__in=["active", "completed"])
        .select_related("mentee__profile__association__region", "mentor")
        .order_by("pk")
    )
    pat = people["partner@example.org"]
    chosen = [p for p in partnerships if p.mentee_id == pat.pk][:1]
    chosen += [p for p in partnerships if p.mentee_id != pat.pk][:4]
    notes = [
        "Pat runs our study group and keeps everyone on track: a fine secretary in the making.",
        "Took the lead on our claims workshop and the room followed. Ready for a board seat.",
        "Organised the Lakeshore newcomers' evening without being asked.",
        "Calm under pressure and well liked; would serve well on the education committee.",
        "",
    ]
    made = []
    for partnership, note in zip(chosen, notes, strict=False):
        if leadership.standing(partnership) is not None:
            continue
        made.append(leadership.recommend(partnership=partnership, by=partnership.mentor, note=note))
    for rec in made:
        if rec.mentee_id != pat.pk:
            leadership.answer_recommendation(recommendation=rec, by=rec.mentee, consent=True)
    agreed = [rec for rec in made if rec.mentee_id != pat.pk]
    if agreed:
        try:
            leadership.invite_recommended(
                recommendations=agreed[:1], program=programs["leadership"], by=agreed[0].region.vice_president
            )
        except ValidationError:
            pass  # the leadership program is not open today: the VP's page says so
    OutgoingEmail.objects.filter(key__startswith="leadership-").delete()
    invited = LeadershipRecommendation.objects.exclude(invitation=None).values_list("invitation_id", flat=True)
    OutgoingEmail.objects.filter(key__in=[f"invitation:{pk}" for pk in invited]).delete()
    return len(made)


def _close_on_time(program, today) -> int:
    """Close on time (feedback/closing.py): of Lakeshore's partnerships without a demo login, one
    passed its planned end 12 days ago (Partnerships, "Needs attention", says the day it completes
    automatically unless extended) and one 45 days ago, which the job completed: its follow-up
    log says so, and both partners find the close-out survey on their home page. Like the rest of
    the seed, it emails nobody: what the completion queued is taken out of the outbox."""
    from django.db.models import Max

    from feedback import closing
    from partnerships.models import FollowUp

    if FollowUp.objects.filter(partnership__program=program, kind="completed", author__isnull=True).exists():
        return 0
    named = [login.email for login in LOGINS]
    pairs = list(
        Partnership.objects.filter(program=program, status="active")
        .exclude(mentee__email__in=named)
        .exclude(mentor__email__in=named)
        .order_by("pk")[:2]
    )
    if len(pairs) < 2:
        return 0
    for partnership, days in zip(pairs, (12, program.grace_days_after_end + 15), strict=True):
        end = today - timedelta(days=days)
        Partnership.objects.filter(pk=partnership.pk).update(planned_end_on=end, started_on=end - timedelta(days=365))
    queued_before = OutgoingEmail.objects.aggregate(last=Max("pk"))["last"] or 0
    completed = closing.complete_overdue_partnerships(today=today)
    create_final_rounds(today=today)  # the close-out survey, as the feedback job asks it
    OutgoingEmail.objects.filter(pk__gt=queued_before).delete()  # the thanks, the meetings called off
    return completed


def _surveys(program) -> int:
    """The Lakeshore chair's own feedback questions: a "would you recommend" score and a choice
    in the periodic feedback, and a close-out question with a short text for the final round.
    The rounds already answered answer them too, so the report shows their results (and "too
    few to report" for the mentees-only choice while few have answered it)."""
    from feedback import surveys
    from feedback.models import SurveyAnswer, SurveyQuestion

    if SurveyQuestion.objects.filter(program=program).exists():
        return 0
    rng = random.Random(SEED + 17)  # noqa: S311 - repeatable demo data
    nps = surveys.add_question(
        program=program,
        survey="periodic",
        audience="both",
        kind="nps",
        text="How likely are you to recommend this program to a colleague?",
        required=True,
    )
    helps = surveys.add_question(
        program=program,
        survey="periodic",
        audience="mentee",
        kind="single",
        text="What helps you most so far?",
        choices=["Regular meetings", "Setting goals together", "Meeting people in the trade"],
    )
    surveys.add_question(
        program=program,
        survey="closeout",
        audience="both",
        kind="single",
        text="Would you take part again?",
        choices=["Yes, as a mentee", "Yes, as a mentor", "Not for now"],
    )
    surveys.add_question(
        program=program, survey="closeout", audience="both", kind="text", text="One thing we should change?"
    )
    versions = {q.pk: v for q, v in surveys.with_current_versions([nps, helps])}
    rows = []
    for response in Response.objects.filter(partnership__program=program, solicitation__is_final=False):
        happy = response.satisfaction >= 4
        score = rng.choice([9, 10, 10, 8]) if happy else rng.choice([3, 5, 6, 7])
        rows.append(SurveyAnswer(response=response, question=nps, version=versions[nps.pk], number=score))
        if response.role == "mentee" and rng.random() < 0.5:
            choice = rng.choice(versions[helps.pk].choices)
            rows.append(SurveyAnswer(response=response, question=helps, version=versions[helps.pk], choice=choice))
    SurveyAnswer.objects.bulk_create(rows)
    return 4 + len(rows)
