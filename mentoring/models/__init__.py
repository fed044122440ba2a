"""mentoring's models, one module per noun. Import them from here: `from mentoring.models import
Program`. (Migrations refer to a few functions by their path here, too.)"""

from .access import ConfidentialAccess
from .applications import Application, VettingNote
from .organisation import LocalAssociation, Region
from .outbox import OutgoingEmail
from .partnerships import Goal, Meeting, Partnership
from .programs import (
    AVAILABILITY,
    COMMUNICATION_CHANNELS,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_EXPECTATIONS,
    DEFAULT_MILESTONES,
    DEFAULT_PLEDGE,
    DEFAULT_TOPICS,
    CommitteeMembership,
    MeetingFrequency,
    Milestone,
    Objective,
    Program,
    Question,
    Resource,
    SiteSettings,
    default_channels,
    default_topics,
    resource_path,
)
from .recruitment import Announcement, Invitation

__all__ = [
    "AVAILABILITY",
    "COMMUNICATION_CHANNELS",
    "DEFAULT_CONFIDENTIALITY",
    "DEFAULT_EXPECTATIONS",
    "DEFAULT_MILESTONES",
    "DEFAULT_PLEDGE",
    "DEFAULT_TOPICS",
    "Announcement",
    "Application",
    "CommitteeMembership",
    "ConfidentialAccess",
    "Goal",
    "Invitation",
    "LocalAssociation",
    "Meeting",
    "MeetingFrequency",
    "Milestone",
    "Objective",
    "OutgoingEmail",
    "Partnership",
    "Program",
    "Question",
    "Region",
    "Resource",
    "SiteSettings",
    "VettingNote",
    "default_channels",
    "default_topics",
    "resource_path",
]
