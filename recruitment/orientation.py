"""The orientation a member goes through on the way into a program: the member completes items,
the chair adds, edits, orders and removes them and says when the orientation is required
(recruitment.orientation_views). The models and the reading rules (who has which items, who is
done, the gate before vetting or matching) are the core's: mentoring.orientation."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mentoring.models import OrientationCompletion, OrientationItem, Program

Required = Program.OrientationRequired


def complete_item(*, item, user) -> OrientationCompletion:
    """Record that the member completed the item. Doing it again (a second click, two tabs)
    keeps the first record."""
    try:
        with transaction.atomic():
            completion, _created = OrientationCompletion.objects.get_or_create(item=item, user=user)
    except IntegrityError:  # two clicks at once: the other one recorded it
        completion = OrientationCompletion.objects.get(item=item, user=user)
    return completion


# --- The chair's list -------------------------------------------------------------------------


@transaction.atomic
def add_item(*, item) -> OrientationItem:
    """A new item goes last."""
    Program.objects.select_for_update().filter(pk=item.program_id).exists()
    last = item.program.orientation_items.order_by("-position").values_list("position", flat=True).first()
    item.position = 0 if last is None else last + 1
    item.save()
    return item


@transaction.atomic
def save_item(*, item, replaced_file="") -> OrientationItem:
    """Save the chair's changes; a file the item no longer uses is removed after the commit."""
    item.save()
    if replaced_file and item.file.name != replaced_file:
        storage = item.file.storage
        transaction.on_commit(lambda: storage.delete(replaced_file))
    return item


@transaction.atomic
def move_item(*, item, up) -> None:
    """Swap the item with the one before (up) or after it. The whole list is renumbered 0, 1, 2...
    first, so items with the same position (older data) move as expected."""
    Program.objects.select_for_update().filter(pk=item.program_id).exists()
    items = list(item.program.orientation_items.order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items):
        if each.position != position:
            each.position = position
            each.save(update_fields=["position"])


@transaction.atomic
def delete_item(*, item) -> None:
    """Remove an item (and who completed it). Members who had only this item left are done."""
    if item.file:
        stored = item.file
        transaction.on_commit(lambda: stored.delete(save=False))
    item.delete()


def set_requirement(*, program, required_before) -> Program:
    if required_before not in Required.values:
        raise ValidationError(_("Please choose when the orientation is required."))
    program.orientation_required_before = required_before
    program.save(update_fields=["orientation_required_before"])
    return program
