"""The personal data matching keeps: names in the queue's history, and what a mentor wrote when
answering a proposed pair. Called by accounts.privacy."""

from accounts.privacy import REMOVED, redact

from .models import ProposalEvent


def erase(user, *, secrets, addresses, nearby):
    ProposalEvent.objects.filter(actor=user).exclude(text="").update(text=REMOVED)
    redact(ProposalEvent.objects.all(), ("text",), secrets)
