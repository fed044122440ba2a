from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import applicant
from flash import services


@pytest.fixture
def flash_program(world):
    program = world["program"]
    program.offers_flash = True
    program.save(update_fields=["offers_flash"])
    return program


@pytest.fixture
def mentor(flash_program):
    """A mentor the committee vetted into the program's pool."""
    return applicant(flash_program, "flash.mentor@example.org", "mentor", years=20).user


def offer(program, mentor, *, days=3, mode="video", note=""):
    return services.offer_slot(
        program=program, mentor=mentor, starts_at=timezone.now() + timedelta(days=days), mode=mode, note=note
    )


@pytest.fixture
def slot(flash_program, mentor):
    return offer(flash_program, mentor, note="Claims and careers")


@pytest.fixture
def make_slot(flash_program, mentor):
    return lambda **kwargs: offer(flash_program, mentor, **kwargs)
