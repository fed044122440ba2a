"""The rules of matching, for each mentor-mentee pair of a circle.

A circle is no way around matching's rules (MISSION: "every rule of matching holds on every
path"): each mentee and each mentor of a circle must be a pair the matching engine could propose
as things stand now. The checks are the engine's own (matching.engine.pair_problem_keys: the
program's scope of associations or regions, the same employer, a partnership dissolved between
them, a pair the committee rejected or the mentor declined, a partner either asked to avoid),
given the same facts matching.services gives it; their words are matching's (matching.words).
Whether each person may take part at all (membership, local association or region, a complete
profile, an open account) is mentoring's (membership_reasons), checked as it stands today.
"""

from django.db.models import Value
from django.utils.translation import gettext as _

from matching import engine
from matching.models import EmployerSpelling, Proposal
from matching.words import warnings as pair_words
from mentoring.models import Application, Partnership, Program
from mentoring.services import membership_reasons


def person_reasons(*, program, user) -> list[str]:
    """Why this person may not be in one of the program's circles now, in words (none: they may)."""
    if not user.is_active:
        return [_("This account is closed.")]
    return membership_reasons(program=program, user=user)


DISSOLVED = "dissolved"


class PairRules:
    """The engine's view of these people and the program's rules, read in a fixed number of
    queries (three), whatever the number of people; then `problems(mentee, mentor)` for any pair of
    them costs none. The users come with profile__association (the engine compares associations,
    regions and employers)."""

    def __init__(self, *, program, users):
        users = {user.pk: user for user in users}
        ids = set(users)
        avoid = {}
        # A partner asked to avoid in any application of theirs: it is about the person, not the program.
        for user_id, avoided in Application.objects.filter(user_id__in=ids).values_list("user_id", "avoid_partner_ids"):
            avoid.setdefault(user_id, set()).update(avoided or ())
        spellings = {
            engine.employer_key(s): same for s, same in EmployerSpelling.objects.values_list("spelling", "same_as")
        }
        self.members = {pk: _member(user, avoid.get(pk, ()), spellings) for pk, user in users.items()}
        # The pairs decided before, in one query: partnerships dissolved (in any program), and pairs
        # this program's committee rejected or whose mentor declined.
        dissolved_pairs = (
            Partnership.objects.filter(status=Partnership.Status.DISSOLVED, mentee_id__in=ids, mentor_id__in=ids)
            .order_by()
            .values_list("mentee_id", "mentor_id", Value(DISSOLVED))
        )
        decided_pairs = (
            Proposal.objects.filter(
                program=program,
                status__in=[Proposal.Status.REJECTED, Proposal.Status.MENTOR_DECLINED],
                mentee_application__user_id__in=ids,
                mentor_application__user_id__in=ids,
            )
            .order_by()
            .values_list("mentee_application__user_id", "mentor_application__user_id", "status")
        )
        pairs = {DISSOLVED: set(), Proposal.Status.REJECTED: set(), Proposal.Status.MENTOR_DECLINED: set()}
        for mentee_id, mentor_id, what in dissolved_pairs.union(decided_pairs, all=True).order_by():
            pairs[what].add((mentee_id, mentor_id))
        dissolved = pairs[DISSOLVED]
        self.rules = engine.Rules(
            # As matching's pool: a new-member program pairs within one association, a leadership
            # program across associations of one region.
            scope="association" if program.kind == Program.Kind.NEW_MEMBER else "region",
            allow_same_employer=program.allow_same_employer,
            # Either way round: what broke was between the two people, whoever mentored whom.
            forbidden=frozenset(dissolved | {(b, a) for a, b in dissolved}),
            rejected=frozenset(pairs[Proposal.Status.REJECTED]),
            declined=frozenset(pairs[Proposal.Status.MENTOR_DECLINED]),
        )

    def problems(self, mentee, mentor) -> list[dict]:
        """The rules the pair breaks, as keys and values (matching.words words them)."""
        return engine.pair_problem_keys(self.members[mentee.pk], self.members[mentor.pk], rules=self.rules)


def _member(user, avoid, spellings):
    """The engine's view of a person (as matching.services builds it from an application; a
    circle's member need not have one)."""
    profile = getattr(user, "profile", None)
    association = getattr(profile, "association", None)
    employer = (profile.employer if profile else "") or ""
    return engine.Member(
        id=user.pk,
        user_id=user.pk,
        association_id=association.pk if association else 0,
        region_id=association.region_id if association else 0,
        employer=spellings.get(engine.employer_key(employer), employer),
        avoid=frozenset(avoid),
    )


def joining_problems(*, circle, user, role, members, named=True) -> list[str]:
    """Why `user` may not come into `circle` as `role`, in words (none: they may). `members`: the
    circle's CircleMember rows now, with user__profile__association. `named`: the committee reads
    who and why; a member joining by themselves is only told the circle is not open to them (what
    another member asked, or their employer, is not theirs to read)."""
    program = circle.program
    reasons = person_reasons(program=program, user=user)
    others = [m.user for m in members if m.role != role and m.user_id != user.pk]
    if not others:
        return reasons
    rules = PairRules(program=program, users=[user, *others])
    for other in others:
        mentee, mentor = (user, other) if role == "mentee" else (other, user)
        problems = rules.problems(mentee, mentor)
        if not problems:
            continue
        if not named:
            return [*reasons, _("This circle is not open to you. Please choose another.")]
        for words in pair_words(problems):
            reasons.append(
                _("%(mentee)s and %(mentor)s: %(why)s")
                % {"mentee": mentee.get_full_name(), "mentor": mentor.get_full_name(), "why": words}
            )
    return reasons


def barred_circles(*, program, user, circles) -> set:
    """Of `circles` (each with its members as `people`, users with profile__association), the ids
    of those `user` may not join as a mentee because of a mentor in them. Three queries."""
    mentors = {m.user_id: m.user for c in circles for m in c.people if m.role == "mentor"}
    mentors.pop(user.pk, None)
    if not mentors:
        return set()
    rules = PairRules(program=program, users=[user, *mentors.values()])
    barred = {pk for pk, mentor in mentors.items() if rules.problems(user, mentor)}
    return {c.pk for c in circles if any(m.role == "mentor" and m.user_id in barred for m in c.people)}
