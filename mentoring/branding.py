"""Whose look an email has: a local association's or a region's brand (outbox.models.Brand).

A leadership program's emails carry its region's brand; a new-member program's its local
association's, or its region's when the association has none; emails of no program (account
emails) the site's own look. The brand is chosen when the email is queued (its id on the outbox
row); its logo, colour and names are read when it is sent."""

from django.db import transaction
from django.db.models.functions import Coalesce

from outbox.models import Brand

from .models import LocalAssociation, Program, Region


def brand_id_for(*, program=None, association=None, region=None) -> int | None:
    """The brand of an email about `program` (or about a local association, or a region): one
    small query."""
    if program is not None:
        if program.kind == Program.Kind.LEADERSHIP:
            region = program.region_id
        else:
            association = program.association_id
    if association is not None:
        pk = getattr(association, "pk", association)
        return (
            LocalAssociation.objects.filter(pk=pk)
            .values_list(Coalesce("brand_id", "region__brand_id"), flat=True)
            .first()
        )
    if region is not None:
        pk = getattr(region, "pk", region)
        return Region.objects.filter(pk=pk).values_list("brand_id", flat=True).first()
    return None


def brands_for(programs) -> dict:
    """{program id: its Brand or None} for many programs at once (a feedback batch): two queries."""
    owners = {
        pk: brand_id
        for pk, brand_id in Program.objects.filter(pk__in=[p.pk for p in programs]).values_list(
            "pk", Coalesce("region__brand_id", "association__brand_id", "association__region__brand_id")
        )
    }
    brands = Brand.objects.defer("logo").in_bulk({b for b in owners.values() if b})
    return {pk: brands.get(brand_id) for pk, brand_id in owners.items()}


@transaction.atomic
def save_brand(*, owner, sender_name, colour, reply_to, logo=None, remove_logo=False) -> Brand:
    """Set the brand of `owner` (a LocalAssociation or a Region), made at its first save. The
    values are cleaned already (outbox.brands); `logo`: clean_logo's fields, or None to keep the
    one there is."""
    owner = type(owner).objects.select_for_update().get(pk=owner.pk)
    brand = owner.brand or Brand()
    brand.organisation = owner.name[:120]
    brand.sender_name, brand.colour, brand.reply_to = sender_name, colour, reply_to
    if logo:
        for field, value in logo.items():
            setattr(brand, field, value)
    elif remove_logo:
        brand.logo, brand.logo_type, brand.logo_digest, brand.logo_width, brand.logo_height = None, "", "", 0, 0
    brand.save()
    if owner.brand_id != brand.pk:
        owner.brand = brand
        owner.save(update_fields=["brand"])
    return brand
