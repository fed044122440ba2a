"""partnerships' models: what two partners (and their committee) record during a partnership.
The Partnership record itself is the core's (mentoring.models.Partnership). Import them from
here: `from partnerships.models import Agreement`. None of them is in the admin."""

from .agreements import TERMS_MAX_LENGTH, Agreement, MilestoneProgress
from .follow_ups import FollowUp
from .goals import Goal
from .meetings import Meeting, ScheduledMeeting

__all__ = ["TERMS_MAX_LENGTH", "Agreement", "FollowUp", "Goal", "Meeting", "MilestoneProgress", "ScheduledMeeting"]
