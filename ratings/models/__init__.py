from ratings.models.figures import RatingFigure
from ratings.models.holds import VoteHold, VoteHoldReview
from ratings.models.votes import Vote, VoteChainHead, VoteRequest

__all__ = ["RatingFigure", "Vote", "VoteChainHead", "VoteHold", "VoteHoldReview", "VoteRequest"]
