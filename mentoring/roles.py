"""Who may do what. Views ask these; templates get the answers from the context processor."""

from dataclasses import dataclass, field

from django.db.models import F, Value

from . import compiled
from .models import AssociationOfficer, CommitteeMembership, Region


@dataclass(frozen=True)
class Seat:
    program_id: int
    program_name: str
    role: str

    @property
    def is_chair(self):
        return self.role == CommitteeMembership.Role.CHAIR

    @property
    def role_label(self):
        return CommitteeMembership.Role(self.role).label


@dataclass(frozen=True)
class Office:
    association_id: int
    association_name: str
    role: str

    @property
    def role_label(self):
        return AssociationOfficer.Role(self.role).label


@dataclass(frozen=True)
class Place:
    """A region or a local association: what a page needs to name it and link to it."""

    pk: int
    name: str


@dataclass(frozen=True)
class Roles:
    is_staff: bool = False
    vp_regions: list = field(default_factory=list)  # Places
    committee_seats: list = field(default_factory=list)  # Seats
    offices: list = field(default_factory=list)  # Offices, current ones only

    @property
    def is_vp(self):
        return bool(self.vp_regions)

    @property
    def chairs(self):
        return [seat for seat in self.committee_seats if seat.is_chair]

    @property
    def officer_associations(self):
        """The local associations the person is an officer of (once each)."""
        return list({o.association_id: Place(o.association_id, o.association_name) for o in self.offices}.values())


def roles_of(request) -> Roles:
    """The signed-in person's roles, computed once per request: the navigation (through the
    context processor) and the view share them."""
    if not hasattr(request, "_roles"):
        request._roles = roles_for(request.user)
    return request._roles


def roles_for(user) -> Roles:
    """One query, whatever the number of seats and offices: every page's navigation asks it."""
    if not user.is_authenticated:
        return Roles()
    found = {"seat": [], "vp": [], "office": []}
    for kind, target, name, role in _role_rows(user.pk):
        found[kind].append((target, name, role))
    # The models' own orders: seats by program then role, regions by name, offices by their
    # association's name then role.
    return Roles(
        is_staff=user.is_staff,
        vp_regions=[Place(pk, name) for pk, name, _ in sorted(found["vp"], key=lambda r: (r[1], r[0]))],
        committee_seats=[Seat(*row) for row in sorted(found["seat"], key=lambda r: (r[0], r[2]))],
        offices=[Office(*row) for row in sorted(found["office"], key=lambda r: (r[1], r[0], r[2]))],
    )


def _roles_query(user_id):
    """(kind, program or region or association id, its name, role) of each seat, region and
    current office of the person."""

    def rows(queryset, kind, target, name, role):
        return queryset.annotate(_kind=Value(kind), _target=F(target), _name=F(name), _role=role).values_list(
            "_kind", "_target", "_name", "_role"
        )

    seats = CommitteeMembership.objects.filter(user_id=user_id)
    seats = rows(seats, "seat", "program_id", "program__name", F("role"))
    regions = rows(Region.objects.filter(vice_president_id=user_id), "vp", "id", "name", Value(""))
    offices = AssociationOfficer.objects.current().filter(user_id=user_id)
    offices = rows(offices, "office", "association_id", "association__name", F("role"))
    return seats.order_by().union(regions.order_by(), offices.order_by(), all=True).order_by("_kind")


def _role_rows(user_id):
    """The rows of _roles_query, compiled once per process (mentoring.compiled): building and
    compiling a union of three querysets took 3 ms of every page, many times the query's own
    time. The values are plain (text and ids): the database's rows are what the ORM would give."""
    return compiled.rows("roles", _roles_query, user_id=user_id)[1]
