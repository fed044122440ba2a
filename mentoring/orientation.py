"""The program's orientation, read: the items for a member's roles, what they have done, and
(where the program says so) the gate before vetting or matching. The questionnaire, the vetting
service, the matching pool and the reports read these. Completing items and the chair's editing
are recruitment's (recruitment.orientation)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import ngettext

from .models import Application, OrientationCompletion, OrientationItem, Program

Required = Program.OrientationRequired


def items_for(program, roles):
    """The program's items for members in these roles, in the chair's order."""
    audiences = [OrientationItem.Audience.BOTH, *roles]
    return program.orientation_items.filter(audience__in=audiences).order_by("position", "id")


@dataclass
class Orientation:
    """A member's orientation in one program: each item with when it was done (or None)."""

    items: list = field(default_factory=list)  # [(item, completed_at or None)]

    @property
    def total(self):
        return len(self.items)

    @property
    def done(self):
        return sum(1 for _, at in self.items if at)

    @property
    def required_total(self):
        return sum(1 for item, _ in self.items if item.required)

    @property
    def required_done(self):
        return sum(1 for item, at in self.items if item.required and at)

    @property
    def required_left(self):
        return self.required_total - self.required_done

    @property
    def finished(self):
        return self.required_left == 0

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 100


def orientation_for(program, user, roles) -> Orientation:
    """The items for this member in these roles (e.g. ["mentor"]), with what they have done.
    Two queries."""
    items = list(items_for(program, roles))
    done = dict(
        OrientationCompletion.objects.filter(user=user, item__in=[i.pk for i in items]).values_list(
            "item_id", "completed_at"
        )
    )
    return Orientation(items=[(item, done.get(item.pk)) for item in items])


def with_orientation(applications):
    """Annotate applications with `orientation_required` (the required items for their role)
    and `orientation_done` (how many of those the member completed): one query for any number."""
    for_role = Q(audience=OrientationItem.Audience.BOTH) | Q(audience=OuterRef("role"))
    required = (
        OrientationItem.objects.filter(for_role, program=OuterRef("program"), required=True)
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done_for_role = Q(item__audience=OrientationItem.Audience.BOTH) | Q(item__audience=OuterRef("role"))
    done = (
        OrientationCompletion.objects.filter(
            done_for_role, user=OuterRef("user"), item__program=OuterRef("program"), item__required=True
        )
        .order_by()
        .values("user")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return applications.annotate(
        orientation_required=Coalesce(Subquery(required, output_field=IntegerField()), Value(0)),
        orientation_done=Coalesce(Subquery(done, output_field=IntegerField()), Value(0)),
    )


def orientation_item_count():
    """For an applications queryset: how many items (required or not) are for their role."""
    for_role = Q(audience=OrientationItem.Audience.BOTH) | Q(audience=OuterRef("role"))
    counted = (
        OrientationItem.objects.filter(for_role, program=OuterRef("program"))
        .order_by()
        .values("program")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def gates(program, stage):
    """Whether the program requires the orientation before this stage ("vetting" or "matching")."""
    return program.orientation_required_before == stage


def split_for_vetting(applications, program):
    """(ready, waiting) filters of mentor applications for the vetting queue: waiting ones have
    required items left and the program requires the orientation before vetting."""
    annotated = with_orientation(applications)
    if not gates(program, Required.BEFORE_VETTING):
        return annotated, annotated.none()
    unfinished = Q(orientation_done__lt=F("orientation_required"))
    return annotated.exclude(unfinished), annotated.filter(unfinished)


def waiting_for_orientation(*, program, applications, stage, as_keys=False) -> dict:
    """{application id: "why, in words"} for the applications whose member has required items
    left, where the program requires the orientation before `stage`; with `as_keys`, why is
    {"key": "orientation", "done": n, "required": n} (worded when read: services.held_back_words).
    Two queries at most, whatever the number of applications."""
    if not gates(program, stage) or not applications:
        return {}
    ids = [a.pk for a in applications]
    counted = with_orientation(Application.objects.filter(pk__in=ids)).values_list(
        "pk", "orientation_required", "orientation_done"
    )
    if as_keys:
        return {
            pk: {"key": "orientation", "done": done, "required": required}
            for pk, required, done in counted
            if done < required
        }
    return {pk: waiting_words(done, required) for pk, required, done in counted if done < required}


def waiting_in_pool(program, *, limit=25):
    """For the matching queue: (how many, the first `limit`) members in the pool who are left out
    of matching until they finish the required orientation (programs that require it before
    matching). Two queries."""
    if not gates(program, Required.BEFORE_MATCHING):
        return 0, []
    waiting = (
        with_orientation(Application.objects.filter(program=program, status=Application.Status.IN_POOL))
        .filter(orientation_done__lt=F("orientation_required"))
        .select_related("user")
        .order_by("submitted_at", "pk")
    )
    first = list(waiting[:limit])
    return (len(first) if len(first) < limit else waiting.count()), first


def waiting_words(done, required):
    return ngettext(
        "waiting for the orientation: %(done)s of %(required)s required item done",
        "waiting for the orientation: %(done)s of %(required)s required items done",
        required,
    ) % {"done": done, "required": required}


def check_ready_for_vetting(application):
    """The vetting service's gate: a decision waits until the candidate finished the orientation."""
    program = application.program
    if not gates(program, Required.BEFORE_VETTING):
        return
    progress = orientation_for(program, application.user, [application.role])
    if not progress.finished:
        raise ValidationError(
            ngettext(
                "%(person)s has not finished the orientation yet (%(done)s of %(required)s required item "
                "done). The committee can decide once they have; until then you can add a note.",
                "%(person)s has not finished the orientation yet (%(done)s of %(required)s required items "
                "done). The committee can decide once they have; until then you can add a note.",
                progress.required_total,
            )
            % {"person": application.user, "done": progress.required_done, "required": progress.required_total}
        )
