from projects.models.cameras import Camera, Snapshot  # projcams
from projects.models.comments import Comment, Commenter, EmailCode, Follow  # projcams
from projects.models.project import Project, ProjectContract

__all__ = ["Project", "ProjectContract"]
__all__ += ["Camera", "Snapshot"]  # projcams
__all__ += ["Comment", "Commenter", "EmailCode", "Follow"]  # projcams
