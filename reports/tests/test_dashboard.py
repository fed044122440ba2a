"""The committee's dashboard says what to do next, with counts: the set-up, the enrollment to
announce (recruitment), the mentors to vet and the matches to propose. (Moved from
mentoring/tests/test_committee.py: it reads the recruitment app, above mentoring.)"""

import re

import pytest
from django.urls import reverse

from conftest import applicant
from mentoring.models import Application, Program
from recruitment.services import announce_enrollment


@pytest.fixture
def people(world):
    return world["people"]


def url(name, program, *args):
    return reverse("committee:dashboard" if name == "dashboard" else f"committee:{name}", args=[program.pk, *args])


def test_the_dashboard_says_what_to_do_next_with_counts(client, world, people, program):
    chair, member = people["chair"], people["committee_member"]
    Program.objects.filter(pk=program.pk).update(summary="")
    for k in range(2):
        applicant(program, f"new.mentor.{k}@example.org", "mentor", years=12, employer=f"Firm {k}")
    Application.objects.filter(program=program, role="mentor").update(status=Application.Status.AWAITING_VETTING)
    for k in range(3):
        applicant(program, f"waiting.{k}@example.org", "mentee", employer=f"Mentee Firm {k}")
    client.force_login(chair)
    page = client.get(url("dashboard", program)).content.decode()
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    assert steps == [
        "Finish the program&#x27;s set-up: 1 thing to do before members can apply "
        "(a summary members read before they apply)",
        "Enrollment is open and not announced yet (2 members to tell)",
        "2 mentors to vet",
    ]
    Application.objects.filter(program=program, role="mentor").update(status=Application.Status.IN_POOL)
    Program.objects.filter(pk=program.pk).update(summary="A year beside an experienced member.")
    page = client.get(url("dashboard", program)).content.decode()
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    assert steps == [
        "Enrollment is open and not announced yet (2 members to tell)",
        "3 mentees are waiting and 2 mentors ready: propose matches",
    ]
    announce_enrollment(program=program, by=chair)  # announced: the step is done
    page = client.get(url("dashboard", program)).content.decode()
    steps = re.findall(r'<span class="flex-grow-1">([^<]+)</span>', page)
    assert steps == ["3 mentees are waiting and 2 mentors ready: propose matches"]
    # A committee member sees what is theirs to do; the chair's own steps are not offered.
    client.force_login(member)
    page = client.get(url("dashboard", program)).content.decode()
    assert "Nothing waits for you right now." in page
