"""The personal data matching keeps: names in the queue's history, and what a mentor wrote when
answering a proposed pair. Called by accounts.privacy."""

from django.db.models import Q

from accounts.privacy import REMOVED, expire_emails, redact

from .models import Proposal, ProposalEvent


def erase(user, *, secrets, addresses, nearby):
    ProposalEvent.objects.filter(actor=user).exclude(text="").update(text=REMOVED)
    redact(ProposalEvent.objects.all(), ("text",), secrets)


def expire_application(application, *, names):
    """What was written about the pairs proposed with a closed application (a mentor's answer, the
    committee's reasons): the events stay, without their words."""
    ProposalEvent.objects.filter(
        Q(proposal__mentee_application=application) | Q(proposal__mentor_application=application)
    ).exclude(text="").update(text="")
    # The emails about it (asked to mentor, not matched this time), once sent: the words go.
    keys = Q(key__startswith="unmatched:", key__endswith=f":{application.pk}")
    for proposal in Proposal.objects.filter(mentor_application=application).values_list("pk", flat=True):
        keys |= Q(key=f"mentor-ask:{proposal}")
    expire_emails(keys)
