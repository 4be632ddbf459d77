"""Intake settings, read from the environment each time they are used.

A chat channel is enabled only when its secrets are set; otherwise its webhook answers 404 rather
than accept unsigned traffic. Every variable is listed in README.md.
"""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


@dataclass(frozen=True)
class WhatsAppConf:
    verify_token: str
    app_secret: str
    access_token: str
    phone_number_id: str
    api_base: str
    template_name: str
    public_number: str = ""  # the number citizens write to (wa.me links), digits only

    @property
    def enabled(self) -> bool:
        return bool(self.verify_token and self.app_secret)


@dataclass(frozen=True)
class TelegramConf:
    bot_token: str
    secret_token: str
    api_base: str
    bot_username: str = ""  # without the @ (t.me links)

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.secret_token)


@dataclass(frozen=True)
class FacebookConf:
    verify_token: str
    app_secret: str
    page_token: str
    api_base: str

    @property
    def enabled(self) -> bool:
        return bool(self.verify_token and self.app_secret)


@dataclass(frozen=True)
class SmsConf:
    gateway_url: str
    token: str
    sender: str

    @property
    def enabled(self) -> bool:
        return bool(self.gateway_url)


def whatsapp() -> WhatsAppConf:
    return WhatsAppConf(
        verify_token=_env("WHATSAPP_VERIFY_TOKEN"),
        app_secret=_env("WHATSAPP_APP_SECRET"),
        access_token=_env("WHATSAPP_ACCESS_TOKEN"),
        phone_number_id=_env("WHATSAPP_PHONE_NUMBER_ID"),
        api_base=_env("WHATSAPP_API_BASE", "https://graph.facebook.com/v23.0").rstrip("/"),
        template_name=_env("WHATSAPP_TEMPLATE_NAME", "baqylau_case_update"),
        public_number="".join(c for c in _env("WHATSAPP_PUBLIC_NUMBER") if c.isdigit()),
    )


def telegram() -> TelegramConf:
    return TelegramConf(
        bot_token=_env("TELEGRAM_BOT_TOKEN"),
        secret_token=_env("TELEGRAM_SECRET_TOKEN"),
        api_base=_env("TELEGRAM_API_BASE", "https://api.telegram.org").rstrip("/"),
        bot_username=_env("TELEGRAM_BOT_USERNAME").lstrip("@"),
    )


def facebook() -> FacebookConf:
    return FacebookConf(
        verify_token=_env("FACEBOOK_VERIFY_TOKEN"),
        app_secret=_env("FACEBOOK_APP_SECRET"),
        page_token=_env("FACEBOOK_PAGE_TOKEN"),
        api_base=_env("FACEBOOK_API_BASE", "https://graph.facebook.com/v23.0").rstrip("/"),
    )


def sms() -> SmsConf:
    """An HTTP SMS gateway: POST {"to", "text", "from"} as JSON, bearer token when set."""
    return SmsConf(
        gateway_url=_env("SMS_GATEWAY_URL"),
        token=_env("SMS_GATEWAY_TOKEN"),
        sender=_env("SMS_SENDER", "Baqylau"),
    )


def default_district_code() -> str:
    """District for chat and Open311 complaints whose place matches no district area."""
    return _env("INTAKE_DEFAULT_DISTRICT")


def default_category_code() -> str:
    """Category for chat complaints whose text names none; unset = ask the citizen."""
    return _env("INTAKE_DEFAULT_CATEGORY")


def web_rate() -> str:
    """Attempts (filed or refused) one IP address may make at the web form, django-ratelimit
    syntax."""
    return _env("INTAKE_WEB_RATE", "5/10m")


def track_rate() -> str:
    """Tracking pages (and confirmations, disputes) one IP address may open, django-ratelimit
    syntax."""
    return _env("INTAKE_TRACK_RATE", "30/10m")


def media_max_bytes() -> int:
    return int(_env("INTAKE_MEDIA_MAX_BYTES", str(5 * 1024 * 1024)))
