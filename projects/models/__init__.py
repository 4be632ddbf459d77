from projects.models.cameras import Camera, Snapshot
from projects.models.comments import (
    ChatCode,
    ChatCodeMiss,
    Comment,
    Commenter,
    EmailCode,
    Follow,
)
from projects.models.documents import ProjectDocument
from projects.models.links import ProjectCase
from projects.models.milestones import Milestone
from projects.models.progress import ProgressObservation, ProgressPhoto
from projects.models.project import Project, ProjectContract

__all__ = [
    "Camera",
    "ChatCode",
    "ChatCodeMiss",
    "Comment",
    "Commenter",
    "EmailCode",
    "Follow",
    "Milestone",
    "ProgressObservation",
    "ProgressPhoto",
    "Project",
    "ProjectCase",
    "ProjectContract",
    "ProjectDocument",
    "Snapshot",
]
