"""Forms of the vote pages. The services check the scores again; these only render and parse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ratings.models import VoteHoldReview

SCORES = [(n, str(n)) for n in range(1, 6)]


class VoteForm(forms.Form):
    result_score = forms.TypedChoiceField(
        label=_("The result on the ground (1 = very bad, 5 = very good)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    answer_score = forms.TypedChoiceField(
        label=_("The answer you got (1 = very bad, 5 = very good)"),
        choices=SCORES,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ClerkVoteForm(VoteForm):
    tracking_code = forms.CharField(label=_("Tracking code"), max_length=32)


class HoldReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=VoteHoldReview.Decision.choices)
    note = forms.CharField(required=False, max_length=2000)
