import pytest

from devtools import demo
from feedback.services import partnerships_needing_attention
from mentoring.models import Partnership
from partnerships.agreements import timeline_progress
from partnerships.models import Agreement, MilestoneProgress

pytestmark = pytest.mark.django_db


def test_the_demo_shows_agreements_confirmed_and_waiting_and_milestones_done_and_behind():
    demo.seed(members=120)
    pat = Agreement.objects.get(partnership__mentee__email="partner@example.org")
    assert pat.mentee_terms and pat.mentee_confirmed_at and pat.mentor_confirmed_at is None
    program = pat.partnership.program
    reasons = {a.partnership.pk: a.reasons for a in partnerships_needing_attention(program)}
    assert any(r.startswith("The agreement is not confirmed after") for r in reasons[pat.partnership_id])
    agreements = list(Agreement.objects.all())
    confirmed = sum(a.is_confirmed for a in agreements)
    assert 0.6 * len(agreements) < confirmed < len(agreements)
    assert sum(bool(a.mentee_terms or a.mentor_terms) for a in agreements) >= 3
    progress = timeline_progress(Partnership.objects.all()).values()
    assert any(p.done for p in progress) and any(p.behind for p in progress)
    before = (MilestoneProgress.objects.count(), sorted((a.pk, a.fingerprint) for a in Agreement.objects.all()))
    demo.seed(members=120)
    assert before == (MilestoneProgress.objects.count(), sorted((a.pk, a.fingerprint) for a in Agreement.objects.all()))
