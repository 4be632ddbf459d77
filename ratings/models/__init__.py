from ratings.models.figures import RatingFigure
from ratings.models.votes import Vote

__all__ = ["RatingFigure", "Vote"]
