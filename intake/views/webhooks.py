"""Webhooks of the chat platforms. They only authenticate, store the raw body and answer.

A channel whose secrets are unset answers 404. A bad or missing signature is 403 and nothing is
stored. A body that is not what the platform sends is stored with its error and answered 200, so
that the platform stops retrying and staff see it in the intake errors list; JSON nested deeper
than any platform nests it is stored the same way but answered 400 (no platform sent that).

These views take the bursts (Meta retries everything it could not deliver), so each reads its
channel's settings once per request and its headers straight from the WSGI environ.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from intake import conf
from intake.channels import facebook, telegram, whatsapp
from intake.channels.base import Item, Malformed, TooDeep, malformed_item, meta_signature_valid
from intake.inbound import messages_store, request_headers

Split = Callable[[bytes], list[Item]]


def _handshake(request: HttpRequest, verify_token: str) -> HttpResponse:
    """Meta's subscription check: echo hub.challenge when hub.verify_token matches."""
    mode = request.GET.get("hub.mode", "")
    token = request.GET.get("hub.verify_token", "")
    challenge = request.GET.get("hub.challenge", "")
    if mode != "subscribe" or not challenge or len(challenge) > 200:
        return HttpResponse("hub.mode=subscribe and hub.challenge are required", status=400)
    if not hmac.compare_digest(token.encode(), verify_token.encode()):
        return HttpResponse("wrong verify token", status=403, content_type="text/plain")
    return HttpResponse(challenge, content_type="text/plain")


def _accept(channel: str, request: HttpRequest, split: Split) -> HttpResponse:
    body = request.body
    refused = ""
    try:
        items = split(body)
    except TooDeep as exc:
        refused = str(exc)
        items = [malformed_item(body, refused)]
    except Malformed as exc:
        items = [malformed_item(body, str(exc))]
    stored = messages_store(channel, body, request_headers(request), items)
    if refused:
        return JsonResponse({"ok": False, "error": refused, "stored": stored}, status=400)
    return JsonResponse({"ok": True, "stored": stored})


def _meta_webhook(
    request: HttpRequest,
    settings: conf.WhatsAppConf | conf.FacebookConf,
    channel: str,
    split: Split,
) -> HttpResponse:
    """WhatsApp and Messenger: the GET handshake, then signed POSTs."""
    if not settings.enabled:
        raise Http404(f"{channel} is not configured")
    if request.method == "GET":
        return _handshake(request, settings.verify_token)
    signature = request.META.get("HTTP_X_HUB_SIGNATURE_256", "")
    if not meta_signature_valid(request.body, signature, settings.app_secret):
        return HttpResponse("bad signature", status=403, content_type="text/plain")
    return _accept(channel, request, split)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def whatsapp_webhook(request: HttpRequest) -> HttpResponse:
    return _meta_webhook(request, conf.whatsapp(), whatsapp.CHANNEL, whatsapp.split)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def facebook_webhook(request: HttpRequest) -> HttpResponse:
    return _meta_webhook(request, conf.facebook(), facebook.CHANNEL, facebook.split)


@csrf_exempt
@require_http_methods(["POST"])
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    settings = conf.telegram()
    if not settings.enabled:
        raise Http404("Telegram is not configured")
    secret = request.META.get("HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN", "")
    if not telegram.secret_valid(secret, settings.secret_token):
        return HttpResponse("bad secret token", status=403, content_type="text/plain")
    return _accept(telegram.CHANNEL, request, telegram.split)
