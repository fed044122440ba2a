"""Who may open a leadership recommendation (a 404 otherwise, as for mentoring.access)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from .models import LeadershipRecommendation


def recommendation_for_mentee_or_404(user, recommendation_id):
    """A leadership recommendation: the member recommended, and the mentor who wrote it."""
    return get_object_or_404(
        LeadershipRecommendation.objects.select_related("mentor", "mentee", "region__vice_president").filter(
            Q(mentee=user) | Q(mentor=user)
        ),
        pk=recommendation_id,
    )
