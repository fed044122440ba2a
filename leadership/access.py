"""Who may open the leadership pages: a recommendation, an association's officers, a region's
pipeline (a 404 otherwise, as for mentoring.access)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from mentoring.models import AssociationOfficer, LocalAssociation, Region

from .models import LeadershipRecommendation


def recommendation_for_mentee_or_404(user, recommendation_id):
    """A leadership recommendation: the member recommended, and the mentor who wrote it."""
    return get_object_or_404(
        LeadershipRecommendation.objects.select_related("mentor", "mentee", "region__vice_president").filter(
            Q(mentee=user) | Q(mentor=user)
        ),
        pk=recommendation_id,
    )


def association_for_officer_manager_or_404(user, association_id):
    """The officers page of a local association: staff, and the VP of its region."""
    associations = LocalAssociation.objects.select_related("region")
    if not user.is_staff:
        associations = associations.filter(region__vice_president=user)
    return get_object_or_404(associations, pk=association_id)


def region_for_vp_or_404(user, region_id):
    """A region's leadership pipeline: its vice president only (names of recommended members)."""
    return get_object_or_404(Region.objects.filter(vice_president=user), pk=region_id)


def association_for_brander_or_404(user, association_id):
    """A local association's email branding: staff, and its current officers."""
    associations = LocalAssociation.objects.select_related("region__brand", "brand")
    if not user.is_staff:
        associations = associations.filter(
            pk__in=AssociationOfficer.objects.current().filter(user=user).values("association_id")
        )
    return get_object_or_404(associations, pk=association_id)


def region_for_brander_or_404(user, region_id):
    """A region's email branding: staff, and its vice president."""
    regions = Region.objects.select_related("brand")
    if not user.is_staff:
        regions = regions.filter(vice_president=user)
    return get_object_or_404(regions, pk=region_id)
