import email
import email.policy
import logging
import socket
import threading

import pytest


@pytest.fixture(autouse=True)
def _no_map_tiles(settings):
    # No browser or page of ours may reach outside 127.0.0.1 in tests.
    settings.MAP_TILE_URL = ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What a real SMTP server on 127.0.0.1 received."""

    def __init__(self):
        self.controller = None
        self.port = 0
        self._lock = threading.Lock()
        self._messages = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._lock:
            self._messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted"

    @property
    def messages(self):
        with self._lock:
            return list(self._messages)

    def to(self, address: str):
        return [m for rcpt, m in self.messages if address in rcpt]

    def subjects(self):
        return sorted(str(m["Subject"]) for _rcpt, m in self.messages)

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings):
    """A real SMTP server (aiosmtpd) on a free port; Django's SMTP backend talks to it."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    mailbox = Mailbox()
    mailbox.port = port = free_port()
    mailbox.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    yield mailbox
    mailbox.stop()


def deliver_all() -> int:
    """Run every due outbox job here, as the relay and a worker would, until none is left."""
    from casework import outbox

    total = 0
    for _ in range(10):
        ran = outbox.relay(inline=True)
        total += ran
        if not ran:
            break
    return total
