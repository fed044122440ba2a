"""mentoring's models, one module per noun. Import them from here: `from mentoring.models import
Program`. (Migrations refer to a few functions by their path here, too.)"""

from .access import ConfidentialAccess
from .applications import Application, VettingNote
from .organisation import AssociationOfficer, LocalAssociation, Region
from .orientation import OrientationCompletion, OrientationItem
from .partnerships import Partnership
from .programs import (
    AVAILABILITY,
    COMMUNICATION_CHANNELS,
    DEFAULT_CONFIDENTIALITY,
    DEFAULT_ENDING_EARLY,
    DEFAULT_EXPECTATIONS,
    DEFAULT_MILESTONES,
    DEFAULT_PLEDGE,
    DEFAULT_TOPICS,
    ChoiceWords,
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

__all__ = [
    "ChoiceWords",
    "AVAILABILITY",
    "COMMUNICATION_CHANNELS",
    "DEFAULT_CONFIDENTIALITY",
    "DEFAULT_ENDING_EARLY",
    "DEFAULT_EXPECTATIONS",
    "DEFAULT_MILESTONES",
    "DEFAULT_PLEDGE",
    "DEFAULT_TOPICS",
    "Application",
    "AssociationOfficer",
    "CommitteeMembership",
    "ConfidentialAccess",
    "LocalAssociation",
    "MeetingFrequency",
    "Milestone",
    "Objective",
    "OrientationCompletion",
    "OrientationItem",
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
