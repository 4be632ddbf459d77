"""What the inspector looks at where a repair is accepted or sent back: every photo of the case
(thumbnails linking to the staff photo view) and every warning the evidence checks raised about
them (`contractors.selectors.case_evidence_flags`: taken before the work order, far from the
site, without time or place, the same picture as a "before" photo or as another case's)."""

from __future__ import annotations

from dataclasses import dataclass, field

from casework.models import Attachment, Case
from contractors.selectors import EvidenceFlag, case_evidence_flags

# The steps where a repair is judged.
DECISIONS = frozenset({"verify", "return_for_rework"})
KIND_ORDER = {
    Attachment.Kind.COMPLAINT: 0,
    Attachment.Kind.BEFORE: 1,
    Attachment.Kind.AFTER: 2,
    Attachment.Kind.INSPECTION: 3,
}


@dataclass
class EvidencePhoto:
    attachment: Attachment
    flags: list[EvidenceFlag] = field(default_factory=list)

    @property
    def warnings(self) -> list[EvidenceFlag]:
        return [f for f in self.flags if f.severity == "warning"]


@dataclass
class RepairEvidence:
    photos: list[EvidencePhoto]
    flags: list[EvidenceFlag]  # warnings first, then notices

    @property
    def warnings(self) -> list[EvidenceFlag]:
        return [f for f in self.flags if f.severity == "warning"]


def repair_evidence(case: Case) -> RepairEvidence:
    flags = case_evidence_flags(case)
    by_photo: dict[int, list[EvidenceFlag]] = {}
    for flag in flags:
        by_photo.setdefault(flag.attachment_id, []).append(flag)
    attachments = sorted(
        case.attachments.filter(kind__in=list(KIND_ORDER)),
        key=lambda a: (KIND_ORDER[a.kind], a.uploaded_at, a.pk),
    )
    return RepairEvidence(
        photos=[EvidencePhoto(a, by_photo.get(a.pk, [])) for a in attachments], flags=flags
    )


def evidence_for_step(case: Case, action_names) -> RepairEvidence | None:
    """The evidence when one of `action_names` judges the repair, else None."""
    return repair_evidence(case) if DECISIONS & set(action_names) else None
