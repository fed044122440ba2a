"""The demo shows closing on time: one partnership completed automatically, one about to be."""

import pytest

from devtools import demo
from feedback import services
from feedback.models import Solicitation
from mentoring.models import Program
from partnerships.models import FollowUp

pytestmark = pytest.mark.django_db


def test_the_demo_shows_one_partnership_completed_on_time_and_one_about_to_be():
    demo.seed()
    program = Program.objects.get(kind="new_member")
    auto = FollowUp.objects.filter(partnership__program=program, kind="completed", author__isnull=True)
    assert auto.count() == 1
    assert Solicitation.objects.filter(partnership=auto.get().partnership, is_final=True).count() == 2
    reasons = [r for a in services.partnerships_needing_attention(program) for r in a.reasons]
    assert any(r.startswith("Past its planned end (12 days); completes automatically on") for r in reasons)
    assert demo.seed()["partnerships_completed_on_time"] == 0  # seeding twice adds nothing
    assert auto.count() == 1
