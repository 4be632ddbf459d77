"""A receipt after /complain/ by e-mail (through the outbox and Django's SMTP backend, to a real
SMTP server on 127.0.0.1) when an address is given; SMS to phone callers through an HTTP SMS
gateway (a local server here) when one is configured, and "unreachable" when none is."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from casework import notices, services
from casework.models import Case, OutboxJob
from intake import sms
from tests.workflows.conftest import deliver_all, smtp  # noqa: F401  (the SMTP fixture)

pytestmark = pytest.mark.django_db

GATEWAY_TOKEN = "sms-gateway-token"


class Gateway(BaseHTTPRequestHandler):
    def log_message(self, format, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        server = self.server
        with server.lock:
            server.received.append((self.path, dict(self.headers), json.loads(body)))
            failing = server.fail > 0
            server.fail -= failing
        status = 503 if failing else 200
        data = b'{"status": "queued"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture
def gateway(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    server.received, server.fail, server.lock = [], 0, threading.Lock()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("SMS_GATEWAY_URL", f"http://127.0.0.1:{server.server_port}/send")
    monkeypatch.setenv("SMS_GATEWAY_TOKEN", GATEWAY_TOKEN)
    monkeypatch.setattr("intake.http.BACKOFF", 0.01)
    yield server
    server.shutdown()
    server.server_close()


def web_form(world, **overrides):
    data = {
        "category": world.pothole.pk,
        "district": world.a1.pk,
        "title": "",
        "description": "Глубокая яма у дома 12 по улице Маресьева",
        "latitude": "50.283900",
        "longitude": "57.167000",
        "address": "",
        "name": "Айгүл",
        "phone": "",
        "email": "aigul@example.kz",
    }
    data.update(overrides)
    return data


def test_a_web_complaint_with_an_address_gets_its_receipt_by_email(client, world, smtp):  # noqa: F811
    response = client.post("/complain/", web_form(world))
    assert response.status_code == 302
    case = Case.objects.get()
    assert OutboxJob.objects.filter(kind="citizen_receipt", payload__case=case.pk).count() == 1
    deliver_all()
    received = smtp.to("aigul@example.kz")
    assert len(received) == 1
    message = received[0]
    assert case.tracking_code in str(message["Subject"])
    body = message.get_content()
    assert case.tracking_code in body and f"/track/{case.tracking_code}/?t=" in body
    # Run again: still one.
    assert deliver_all() == 0 and len(smtp.to("aigul@example.kz")) == 1


def test_no_address_no_receipt(client, world):
    client.post("/complain/", web_form(world, email="", name=""))
    client.post("/complain/", web_form(world, email="", phone="+77011234567"))
    assert Case.objects.count() == 2
    assert not OutboxJob.objects.filter(kind="citizen_receipt").exists()


def test_a_phone_caller_gets_an_sms_receipt_and_updates_through_the_gateway(client, world, gateway):
    client.force_login(world.clerk)
    response = client.post(
        "/intake/phone/",
        {
            "category": world.pothole.pk,
            "caller_name": "Бауыржан",
            "caller_phone": "8 701 555 00 00",
            "caller_language": "ru",
            "title": "Яма у остановки",
            "description": "Звонящий сообщил о яме у остановки.",
            "address": "остановка «Шанхай»",
            "latitude": "",
            "longitude": "",
            "received_at": "",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    deliver_all()
    assert len(gateway.received) == 1
    path, headers, body = gateway.received[0]
    assert path == "/send" and headers["Authorization"] == f"Bearer {GATEWAY_TOKEN}"
    assert body["to"] == "+77015550000"
    assert case.tracking_code in body["text"] and "/track/" in body["text"]

    services.case_assign(case, actor=world.clerk, department=world.dep_a1)
    deliver_all()
    assert len(gateway.received) == 2
    update = gateway.received[1][2]
    assert update["to"] == "+77015550000" and case.tracking_code in update["text"]
    assert "Бауыржан" not in update["text"]


def test_a_failing_gateway_is_retried_by_the_outbox(world, gateway):
    gateway.fail = 10  # every attempt of the first run fails
    case = world.case(channel="phone", complainant={"name": "Б", "phone": "+77015550000"})
    deliver_all()
    job = OutboxJob.objects.get(kind="citizen_receipt", payload__case=case.pk)
    assert job.status != OutboxJob.Status.DONE and job.attempts >= 1
    assert gateway.received  # it was tried


def test_without_a_gateway_a_phone_caller_stays_unreachable(world, monkeypatch):
    monkeypatch.delenv("SMS_GATEWAY_URL", raising=False)
    case = world.case(channel="phone", complainant={"name": "Б", "phone": "+77015550000"})
    assert not sms.enabled()
    assert notices.citizen_send(case, "Тест") == "unreachable"


@pytest.mark.parametrize(
    ("given", "normal"),
    [
        ("+7 (701) 555-00-00", "+77015550000"),
        ("87015550000", "+77015550000"),
        ("7015550000", "+77015550000"),
        ("+998 90 123 45 67", "+998901234567"),
        ("555", ""),
        ("", ""),
    ],
)
def test_phone_numbers_are_written_for_the_gateway(given, normal):
    assert sms.phone_normal(given) == normal
