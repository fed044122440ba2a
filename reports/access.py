"""Who may read an association's report (a 404 otherwise, as for mentoring.access)."""

from django.db.models import Q
from django.shortcuts import get_object_or_404

from mentoring.models import AssociationOfficer, LocalAssociation


def association_for_report_reader_or_404(user, association_id):
    """A local association's report: staff, the VP of its region, and its officers."""
    associations = LocalAssociation.objects.select_related("region")
    if not user.is_staff:
        officers = AssociationOfficer.objects.current().filter(user=user).values("association_id")
        associations = associations.filter(Q(region__vice_president=user) | Q(pk__in=officers))
    return get_object_or_404(associations, pk=association_id)
