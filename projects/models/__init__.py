from projects.models.project import Project, ProjectContract

__all__ = ["Project", "ProjectContract"]
