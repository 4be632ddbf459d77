"""What the bot says to a citizen, in the language they wrote in."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from casework.models import Case
from casework.notices import tracking_url
from intake import conf


def _in(language: str, build) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return build()


def greeting(language: str) -> str:
    return _in(
        language,
        lambda: _(
            "Hello! This is the akimat's complaint service for roads, yards and construction. "
            "Describe the problem, send a photo and the location, and we will register your "
            "complaint and send you its tracking code."
        ),
    )


def case_opened(case: Case, language: str) -> str:
    return _in(
        language,
        lambda: (
            _(
                "Your complaint is registered under the number %(code)s. The answer is due by "
                "%(due)s. Follow it here: %(url)s"
            )
            % {
                "code": case.tracking_code,
                "due": timezone.localtime(case.due_at).strftime("%d.%m.%Y"),
                "url": tracking_url(case),
            }
        ),
    )


def still_needed(
    language: str,
    *,
    text: bool,
    place: bool,
    categories: list | None = None,
    received: bool = True,
) -> str:
    """Thank the citizen and ask for what the complaint still lacks."""

    def build() -> str:
        sentences = [_("Thank you, received.")] if received else []
        if text:
            sentences.append(_("Please describe the problem in a few words."))
        if place:
            sentences.append(
                _(
                    "Please send the location of the problem (attach → Location) or reply "
                    "with the address."
                )
            )
        message = " ".join(sentences)
        if categories:
            lines = [_("What kind of problem is it? Reply with its number:")]
            lines += [f"{number}. {category.name}" for number, category in categories]
            message = (message + "\n" if message else "") + "\n".join(lines)
        return message

    return _in(language, build).strip()


def photo_failed(language: str) -> str:
    return _in(
        language,
        lambda: (
            _(
                "We could not receive your photo. Please send it again as a photo (JPEG, PNG or "
                "WebP, up to %(mb)d MB)."
            )
            % {"mb": conf.media_max_bytes() // 2**20}
        ),
    )


def place_unknown(language: str) -> str:
    return _in(
        language,
        lambda: _(
            "We could not find a district we serve at this location. Please check the point or "
            "reply with the address."
        ),
    )


def not_registered(language: str, problems: list[str]) -> str:
    return _in(
        language,
        lambda: (
            _("We could not register the complaint: %(problems)s")
            % {"problems": " ".join(problems)}
        ),
    )


def category_not_understood(language: str) -> str:
    return _in(language, lambda: _("Please reply with one of the numbers from the list."))
