from projects.models.documents import ProjectDocument
from projects.models.links import ProjectCase
from projects.models.milestones import Milestone
from projects.models.progress import ProgressObservation, ProgressPhoto
from projects.models.project import Project, ProjectContract

__all__ = [
    "Milestone",
    "ProgressObservation",
    "ProgressPhoto",
    "Project",
    "ProjectCase",
    "ProjectContract",
    "ProjectDocument",
]
