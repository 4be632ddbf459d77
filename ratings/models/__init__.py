from ratings.models.holds import VoteHold, VoteHoldReview
from ratings.models.votes import Vote, VoteChainHead, VoteRequest

__all__ = ["Vote", "VoteChainHead", "VoteHold", "VoteHoldReview", "VoteRequest"]
