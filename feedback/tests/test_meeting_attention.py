"""The nudge and the committee's attention queue count meetings the partners agreed on the site
(accepted, coming or past) as well as the ones they logged."""

from datetime import timedelta

from django.utils import timezone

from conftest import partnership_for
from feedback.services import nudge_quiet_partnerships, partnerships_needing_attention
from partnerships import meetings
from partnerships.models import ScheduledMeeting
from partnerships.tests.factories import accepted, in_days, propose

# --- The nudge and the committee's queue count scheduled meetings ----------------------------


def test_an_accepted_meeting_counts_as_a_meeting_for_the_nudge_and_the_queue(world):
    program = world["program"]
    p = partnership_for(program, world["people"]["chair"], days_ago=program.nudge_after_days + 5)
    today = timezone.localdate()
    assert partnerships_needing_attention(program, today=today)[0].reasons == (
        f"No meeting logged or scheduled for {program.nudge_after_days + 5} days",
    )
    meetings.accept_meeting(meeting=propose(p, starts_at=in_days(7)), by=p.mentor)
    assert partnerships_needing_attention(program, today=today) == []
    assert nudge_quiet_partnerships(today=today) == 0
    # A proposal nobody accepted does not count.
    ScheduledMeeting.objects.update(status="proposed")
    assert nudge_quiet_partnerships(today=today) == 2


def test_a_past_accepted_meeting_not_logged_still_counts(world):
    program = world["program"]
    p = partnership_for(program, world["people"]["chair"], days_ago=program.nudge_after_days + 5)
    meeting = accepted(p, in_days(1))
    ScheduledMeeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - timedelta(days=3))
    assert partnerships_needing_attention(program) == []
    later = timezone.localdate() + timedelta(days=program.nudge_after_days - 2)
    assert partnerships_needing_attention(program, today=later)[0].reasons == (
        f"No meeting logged or scheduled for {program.nudge_after_days + 1} days",
    )
