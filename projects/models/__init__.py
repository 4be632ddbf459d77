from projects.models.project import Project, ProjectContract

__all__ = ["Project", "ProjectContract"]
from projects.models.cameras import Camera, Snapshot  # noqa: E402  (projcams)

__all__ += ["Camera", "Snapshot"]
