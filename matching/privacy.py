"""The personal data matching keeps: names in the queue's history, what a mentor wrote when
answering a proposed pair, and a mentee's own requests to mentors (members choose) with the note
they wrote. Called by accounts.privacy."""

from django.db.models import Q

from accounts.privacy import REMOVED, expire_emails, redact

from .models import Proposal, ProposalEvent


def export(user) -> dict:
    """The requests the member sent to mentors, with their own note; never a mentor's note to the committee."""
    asked = (
        Proposal.objects.filter(origin=Proposal.Origin.MEMBER, mentee_application__user=user)
        .select_related("program", "mentor_application__user")
        .order_by("created_at", "pk")
    )
    notes = dict(
        ProposalEvent.objects.filter(proposal__in=asked, kind=ProposalEvent.Kind.MEMBER_ASKED).values_list(
            "proposal_id", "text"
        )
    )
    return {
        "mentor_requests": [
            {
                "program": p.program.name,
                "mentor": p.mentor_application.user.get_full_name(),
                "asked_at": p.created_at.isoformat(),
                "status": p.status,
                "note": notes.get(p.pk, ""),
            }
            for p in asked
        ]
    }


def erase(user, *, secrets, addresses, nearby):
    ProposalEvent.objects.filter(actor=user).exclude(text="").update(text=REMOVED)
    redact(ProposalEvent.objects.all(), ("text",), secrets)
    # Their requests to mentors close (the places they held are free), and the emails that carried
    # their note to each mentor keep no word of it.
    theirs = Proposal.objects.filter(origin=Proposal.Origin.MEMBER, mentee_application__user=user)
    theirs.filter(status__in=(Proposal.Status.AWAITING_MENTOR, Proposal.Status.PROPOSED)).update(
        status=Proposal.Status.WITHDRAWN
    )
    keys = Q(pk__in=[])
    for pk in theirs.values_list("pk", flat=True):
        keys |= Q(key=f"mentor-ask:{pk}")
    expire_emails(keys)


def expire_application(application, *, names):
    """What was written about the pairs proposed with a closed application (a mentor's answer, the
    committee's reasons, a mentee's note): the events stay, without their words."""
    ProposalEvent.objects.filter(
        Q(proposal__mentee_application=application) | Q(proposal__mentor_application=application)
    ).exclude(text="").update(text="")
    # The emails about it (asked to mentor, not matched this time, a member's request and its
    # answer), once sent: the words go.
    keys = Q(key__startswith="unmatched:", key__endswith=f":{application.pk}")
    for proposal in Proposal.objects.filter(mentor_application=application).values_list("pk", flat=True):
        keys |= Q(key=f"mentor-ask:{proposal}") | Q(key=f"member-ask-closed:{proposal}")
    for proposal in Proposal.objects.filter(mentee_application=application, origin=Proposal.Origin.MEMBER).values_list(
        "pk", flat=True
    ):
        keys |= Q(key=f"mentor-ask:{proposal}") | Q(key__startswith=f"member-ask-answer:{proposal}:")
    expire_emails(keys)
