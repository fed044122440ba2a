"""Members choose their mentor (choosing.py): a program that lets them, and its people."""

import pytest

from conftest import applicant
from outbox.models import OutgoingEmail


@pytest.fixture
def choosing_program(world):
    """The Northport new-member program, with members choosing their mentor (the committee approves)."""
    program = world["program"]
    program.members_choose = True
    program.save(update_fields=["members_choose"])
    return program


@pytest.fixture
def make_mentor(choosing_program):
    """A vetted mentor of the program, each with an employer of their own."""

    def make(tag, **kwargs):
        kwargs.setdefault("years", 20)
        kwargs.setdefault("employer", f"Mentor Firm {tag}")
        return applicant(choosing_program, f"mentor.{tag}@example.org", "mentor", **kwargs)

    return make


@pytest.fixture
def make_mentee(choosing_program):
    """A mentee of the program whose application is accepted (waiting in the pool)."""

    def make(tag, **kwargs):
        kwargs.setdefault("employer", f"Mentee Firm {tag}")
        return applicant(choosing_program, f"mentee.{tag}@example.org", "mentee", **kwargs)

    return make


@pytest.fixture
def sent():
    """The emails queued with keys starting so, oldest first."""
    return lambda prefix: list(OutgoingEmail.objects.filter(key__startswith=prefix).order_by("pk"))
