from datetime import timedelta

import pytest
from django.utils import timezone

from circles import services
from conftest import applicant


@pytest.fixture
def circles_program(world):
    program = world["program"]
    program.offers_circles = True
    program.save(update_fields=["offers_circles"])
    return program


@pytest.fixture
def mentor(circles_program):
    """A mentor the committee vetted into the program's pool (another employer than the mentees')."""
    return applicant(circles_program, "circle.mentor@example.org", "mentor", years=20, employer="Mentor Firm").user


@pytest.fixture
def mentees(circles_program):
    """Three members whose mentee applications the program accepted."""
    return [
        applicant(circles_program, f"circle.mentee{n}@example.org", "mentee", employer=f"Firm {n}").user
        for n in range(1, 4)
    ]


@pytest.fixture
def circle(circles_program, world):
    return services.create_circle(
        program=circles_program, by=world["people"]["chair"], name="New in claims", topic="Claims careers"
    )


@pytest.fixture
def formed(circle, mentor, mentees, world):
    """The circle with its mentor and three mentees, as the committee forms it."""
    chair = world["people"]["chair"]
    services.add_member(circle=circle, user=mentor, role="mentor", by=chair)
    for mentee in mentees:
        services.add_member(circle=circle, user=mentee, role="mentee", by=chair)
    return circle


def _schedule(circle, by, *, days=3, **kwargs):
    return services.schedule_meeting(
        circle=circle,
        by=by,
        starts_at=timezone.now() + timedelta(days=days),
        minutes=kwargs.pop("minutes", 60),
        mode=kwargs.pop("mode", "video"),
        **kwargs,
    )


@pytest.fixture
def schedule():
    """schedule(circle, by, days=3, **fields): a meeting of the circle, through the service."""
    return _schedule


@pytest.fixture
def meeting(formed, mentor):
    return _schedule(formed, mentor, agenda="First steps")
