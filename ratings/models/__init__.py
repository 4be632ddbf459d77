from ratings.models.votes import Vote

__all__ = ["Vote"]
