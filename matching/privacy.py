"""The personal data matching keeps: names in the queue's history, and what a mentor wrote when
answering a proposed pair. Called by accounts.privacy."""

from django.db.models import Q

from accounts.privacy import REMOVED, redact

from .models import ProposalEvent


def erase(user, *, secrets, addresses, nearby):
    ProposalEvent.objects.filter(actor=user).exclude(text="").update(text=REMOVED)
    redact(ProposalEvent.objects.all(), ("text",), secrets)


def expire_application(application, *, names):
    """What was written about the pairs proposed with a closed application (a mentor's answer, the
    committee's reasons): the events stay, without their words."""
    ProposalEvent.objects.filter(
        Q(proposal__mentee_application=application) | Q(proposal__mentor_application=application)
    ).exclude(text="").update(text="")
