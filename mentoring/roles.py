"""Who may do what. Views ask these; templates get the answers from the context processor."""

from dataclasses import dataclass, field

from .models import AssociationOfficer, CommitteeMembership, Region


@dataclass(frozen=True)
class Roles:
    is_staff: bool = False
    vp_regions: list = field(default_factory=list)
    committee_seats: list = field(default_factory=list)
    offices: list = field(default_factory=list)  # AssociationOfficer rows, with their association

    @property
    def is_vp(self):
        return bool(self.vp_regions)

    @property
    def chairs(self):
        return [seat for seat in self.committee_seats if seat.is_chair]

    @property
    def officer_associations(self):
        """The local associations the person is an officer of (once each)."""
        return list({office.association_id: office.association for office in self.offices}.values())


def roles_for(user) -> Roles:
    """Three queries, whatever the number of seats and offices."""
    if not user.is_authenticated:
        return Roles()
    return Roles(
        is_staff=user.is_staff,
        vp_regions=list(Region.objects.filter(vice_president=user)),
        committee_seats=list(CommitteeMembership.objects.filter(user=user).select_related("program")),
        offices=list(AssociationOfficer.objects.current().filter(user=user).select_related("association")),
    )
