from casework.models.audit import AuditHead, CaseEvent
from casework.models.calendar import CalendarOverride
from casework.models.case import Attachment, Case, CaseUpdateRefused, Complainant, TrackingSequence
from casework.models.escalation import Escalation, EscalationLevel
from casework.models.map_cell import CaseMapCell
from casework.models.org import (
    Category,
    CategoryRouting,
    Department,
    District,
    Official,
    Region,
    StaffProfile,
)
from casework.models.outbox import OutboxJob
from casework.models.staff_notice import StaffNotice

__all__ = [
    "Attachment",
    "AuditHead",
    "CalendarOverride",
    "Case",
    "CaseEvent",
    "CaseMapCell",
    "CaseUpdateRefused",
    "Category",
    "CategoryRouting",
    "Complainant",
    "Department",
    "Escalation",
    "EscalationLevel",
    "District",
    "Official",
    "OutboxJob",
    "Region",
    "StaffNotice",
    "StaffProfile",
    "TrackingSequence",
]
