"""A refused webhook signature is counted for Prometheus, by channel; an accepted one is not."""

from config.metrics import WEBHOOK_SIGNATURE_FAILURES
from tests.intake.conftest import wa_text


def failures(channel: str) -> float:
    return WEBHOOK_SIGNATURE_FAILURES.labels(channel)._value.get()


def test_a_bad_signature_is_counted(post_webhook, channels):
    before = failures("whatsapp")
    response = post_webhook("whatsapp", wa_text("wamid.m1", "яма"), signature="sha256=00")
    assert response.status_code == 403
    assert failures("whatsapp") == before + 1


def test_a_good_signature_is_not_counted(post_webhook, channels):
    before = failures("whatsapp")
    assert post_webhook("whatsapp", wa_text("wamid.m2", "яма")).status_code == 200
    assert failures("whatsapp") == before
