"""The personal data matching keeps: names in the queue's history. Called by accounts.privacy."""

from accounts.privacy import redact

from .models import ProposalEvent


def erase(user, *, secrets, addresses, nearby):
    redact(ProposalEvent.objects.all(), ("text",), secrets)
