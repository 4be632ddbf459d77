from oversight.models.acts import AcceptanceAct, AcceptanceActPhoto, AcceptanceActSignatory, Unit
from oversight.models.attribution import DecisionAttribution
from oversight.models.failures import AcceptedWorkFailure
from oversight.models.inquiries import (
    CustodyTransfer,
    EvidenceItem,
    Finding,
    Inquiry,
    InquiryLogEntry,
    InquiryLogHead,
    InquiryNote,
    InquiryParty,
    InquirySubject,
    Sanction,
)
from oversight.models.posts import Occupancy, Person, Position
from oversight.models.red_flags import RedFlagDecision, RedFlagHit, RedFlagHitFigures

__all__ = [
    "AcceptanceAct",
    "AcceptanceActPhoto",
    "AcceptanceActSignatory",
    "AcceptedWorkFailure",
    "CustodyTransfer",
    "DecisionAttribution",
    "EvidenceItem",
    "Finding",
    "Inquiry",
    "InquiryLogEntry",
    "InquiryLogHead",
    "InquiryNote",
    "InquiryParty",
    "InquirySubject",
    "Occupancy",
    "Person",
    "Position",
    "RedFlagDecision",
    "RedFlagHit",
    "RedFlagHitFigures",
    "Sanction",
    "Unit",
]
