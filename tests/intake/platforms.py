"""A local stand-in for Meta's Graph API (WhatsApp Cloud API, Messenger) and Telegram's Bot API.

One HTTP server on 127.0.0.1 speaks the parts of each protocol intake uses: WhatsApp media id ->
media URL -> download with the bearer token, WhatsApp send message; Telegram getFile, file
download and sendMessage; Messenger user profile, Send API and image URLs. It records what was sent
and can be told to fail the next calls to a path, or to hang on the next call to a path.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

WA_TOKEN = "wa-access-token"
WA_PHONE_NUMBER_ID = "106540352242922"
TG_TOKEN = "123456:TEST-bot-token"
FB_PAGE_TOKEN = "fb-page-token"


def jpeg_bytes(size=(64, 48), color=(200, 60, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Sent:
    platform: str
    path: str
    body: dict
    headers: dict


@dataclass
class Hang:
    """The next call to a path prefix waits until `release` is set (or `seconds` pass), then is
    answered as usual. `arrived` and `ended` tell the test where that call is."""

    seconds: float = 30.0
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    ended: threading.Event = field(default_factory=threading.Event)


@dataclass
class State:
    wa_media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    tg_files: dict[str, bytes] = field(default_factory=dict)
    fb_files: dict[str, bytes] = field(default_factory=dict)
    fb_profiles: dict[str, dict] = field(default_factory=dict)
    sent: list[Sent] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    # path prefix -> how many next calls to it fail with 500
    failures: dict[str, int] = field(default_factory=dict)
    hangs: dict[str, Hang] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Handler(BaseHTTPRequestHandler):
    server: PlatformServer

    def log_message(self, format, *args):
        pass

    @property
    def state(self) -> State:
        return self.server.state

    def _reply(self, status: int, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _hang(self, path: str) -> None:
        with self.state.lock:
            hang = next(
                (
                    h
                    for prefix, h in self.state.hangs.items()
                    if path.startswith(prefix) and not h.arrived.is_set()
                ),
                None,
            )
            if hang is not None:
                hang.arrived.set()
        if hang is not None:
            hang.release.wait(hang.seconds)
            hang.ended.set()

    def _failing(self, path: str) -> bool:
        self._hang(path)
        with self.state.lock:
            self.state.calls.append(f"{self.command} {path}")
            for prefix, count in self.state.failures.items():
                if path.startswith(prefix) and count > 0:
                    self.state.failures[prefix] = count - 1
                    return True
        return False

    def _bearer_ok(self) -> bool:
        return self.headers.get("Authorization") == f"Bearer {WA_TOKEN}"

    def _json_body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        if self._failing(path):
            return self._reply(500, {"error": {"message": "temporary failure", "code": 2}})
        parts = path.strip("/").split("/")
        # WhatsApp: /wa/v23.0/<media-id> and /wa-cdn/<media-id>
        if parts[:2] == ["wa", "v23.0"] and len(parts) == 3:
            if not self._bearer_ok():
                return self._reply(401, {"error": {"message": "Invalid OAuth access token"}})
            media = self.state.wa_media.get(parts[2])
            if media is None:
                return self._reply(404, {"error": {"message": "Unsupported get request"}})
            content, mime = media
            base = f"http://127.0.0.1:{self.server.server_port}"
            return self._reply(
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{base}/wa-cdn/{parts[2]}",
                    "mime_type": mime,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "file_size": str(len(content)),
                    "id": parts[2],
                },
            )
        if parts[0] == "wa-cdn" and len(parts) == 2:
            if not self._bearer_ok():
                return self._reply(401, b"", "text/plain")
            media = self.state.wa_media.get(parts[1])
            if media is None:
                return self._reply(404, b"", "text/plain")
            return self._reply(200, media[0], media[1])
        # Telegram: /tg/bot<token>/getFile, /tg/file/bot<token>/<path>
        if parts[:1] == ["tg"] and parts[1] == f"bot{TG_TOKEN}" and parts[2] == "getFile":
            file_id = query.get("file_id", "")
            if file_id not in self.state.tg_files:
                return self._reply(
                    400,
                    {"ok": False, "error_code": 400, "description": "Bad Request: invalid file_id"},
                )
            return self._reply(
                200,
                {
                    "ok": True,
                    "result": {
                        "file_id": file_id,
                        "file_unique_id": "u" + file_id,
                        "file_size": len(self.state.tg_files[file_id]),
                        "file_path": f"photos/{file_id}.jpg",
                    },
                },
            )
        if parts[:3] == ["tg", "file", f"bot{TG_TOKEN}"]:
            file_id = parts[-1].removesuffix(".jpg")
            if file_id not in self.state.tg_files:
                return self._reply(404, b"", "text/plain")
            return self._reply(200, self.state.tg_files[file_id], "image/jpeg")
        if parts[:1] == ["tg"]:
            return self._reply(401, {"ok": False, "error_code": 401, "description": "Unauthorized"})
        # Messenger: /fb/v23.0/<psid>?fields=..., /fb-cdn/<name>
        if parts[:2] == ["fb", "v23.0"] and len(parts) == 3:
            if query.get("access_token") != FB_PAGE_TOKEN:
                return self._reply(400, {"error": {"message": "Invalid OAuth access token"}})
            profile = self.state.fb_profiles.get(parts[2])
            if profile is None:
                return self._reply(400, {"error": {"message": "No profile"}})
            return self._reply(200, {"id": parts[2], **profile})
        if parts[0] == "fb-cdn" and len(parts) == 2 and parts[1] in self.state.fb_files:
            return self._reply(200, self.state.fb_files[parts[1]], "image/jpeg")
        return self._reply(404, {"error": "unknown path"})

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        path = url.path
        if self._failing(path):
            return self._reply(500, {"error": {"message": "temporary failure", "code": 2}})
        body = self._json_body()
        parts = path.strip("/").split("/")
        with self.state.lock:
            number = len(self.state.sent) + 1
        if parts == ["wa", "v23.0", WA_PHONE_NUMBER_ID, "messages"]:
            if not self._bearer_ok():
                return self._reply(401, {"error": {"message": "Invalid OAuth access token"}})
            if body.get("messaging_product") != "whatsapp" or not (
                body.get("to") or body.get("recipient")
            ):
                return self._reply(400, {"error": {"message": "(#100) Invalid parameter"}})
            self._record("whatsapp", path, body)
            to = body.get("to") or body.get("recipient")
            return self._reply(
                200,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": to, "wa_id": to}],
                    "messages": [{"id": f"wamid.out.{number}"}],
                },
            )
        if parts == ["tg", f"bot{TG_TOKEN}", "sendMessage"]:
            if "chat_id" not in body or not body.get("text"):
                return self._reply(
                    400, {"ok": False, "error_code": 400, "description": "Bad Request"}
                )
            self._record("telegram", path, body)
            return self._reply(
                200,
                {
                    "ok": True,
                    "result": {
                        "message_id": number,
                        "chat": {"id": body["chat_id"], "type": "private"},
                        "date": 1767225600,
                        "text": body["text"],
                    },
                },
            )
        if parts == ["fb", "v23.0", "me", "messages"]:
            if query.get("access_token") != FB_PAGE_TOKEN:
                return self._reply(400, {"error": {"message": "Invalid OAuth access token"}})
            self._record("facebook", path, body)
            return self._reply(
                200, {"recipient_id": body["recipient"]["id"], "message_id": f"m_{number}"}
            )
        return self._reply(404, {"error": "unknown path"})

    def _record(self, platform: str, path: str, body: dict) -> None:
        with self.state.lock:
            self.state.sent.append(Sent(platform, path, body, dict(self.headers)))


class PlatformServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = State()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def environment(self) -> dict[str, str]:
        """Environment variables pointing intake's clients at this server."""
        return {
            "WHATSAPP_API_BASE": f"{self.base}/wa/v23.0",
            "WHATSAPP_ACCESS_TOKEN": WA_TOKEN,
            "WHATSAPP_PHONE_NUMBER_ID": WA_PHONE_NUMBER_ID,
            "TELEGRAM_API_BASE": f"{self.base}/tg",
            "TELEGRAM_BOT_TOKEN": TG_TOKEN,
            "FACEBOOK_API_BASE": f"{self.base}/fb/v23.0",
            "FACEBOOK_PAGE_TOKEN": FB_PAGE_TOKEN,
        }

    def hang(self, prefix: str, seconds: float = 30.0) -> Hang:
        """Make the next call to `prefix` hang for up to `seconds`."""
        hang = Hang(seconds=seconds)
        with self.state.lock:
            self.state.hangs[prefix] = hang
        return hang

    def sent_to(self, platform: str) -> list[Sent]:
        with self.state.lock:
            return [s for s in self.state.sent if s.platform == platform]

    def start(self) -> PlatformServer:
        threading.Thread(target=self.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        with self.state.lock:
            for hang in self.state.hangs.values():
                hang.release.set()
        self.shutdown()
        self.server_close()
