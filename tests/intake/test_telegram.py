import pytest

from casework.models import Case
from intake.models import InboundMessage
from tests.intake.conftest import TG_SECRET
from tests.intake.platforms import jpeg_bytes

pytestmark = pytest.mark.django_db


def update(update_id: int, chat_id=5551234, language="ru", **message):
    message.setdefault("message_id", update_id)
    message.setdefault("date", 1767225600)
    return {
        "update_id": update_id,
        "message": {
            "chat": {"id": chat_id, "type": "private", "first_name": "Ерлан"},
            "from": {
                "id": chat_id,
                "is_bot": False,
                "first_name": "Ерлан",
                "last_name": "Сейітов",
                "language_code": language,
            },
            **message,
        },
    }


def test_it_refuses_a_wrong_secret_token(post_webhook, channels):
    response = post_webhook("telegram", update(1, text="Яма"), signature="wrong")
    assert response.status_code == 403 and not InboundMessage.objects.exists()


def test_it_refuses_a_missing_secret_token(client, channels):
    response = client.post("/intake/telegram/", b"{}", content_type="application/json")
    assert response.status_code == 403 and not InboundMessage.objects.exists()


def test_unconfigured_bot_answers_404(client, db, monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    response = client.post(
        "/intake/telegram/",
        b"{}",
        content_type="application/json",
        HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN=TG_SECRET,
    )
    assert response.status_code == 404


def test_text_photo_and_location_make_a_case_with_the_photo(post_webhook, channels):
    channels.state.tg_files["AgACAgIAAx"] = jpeg_bytes()
    post_webhook("telegram", update(100, text="Көшеде шам жанбайды, түнде қараңғы"))
    post_webhook(
        "telegram",
        update(
            101,
            photo=[
                {
                    "file_id": "AgACAgIAAx",
                    "file_unique_id": "a",
                    "width": 64,
                    "height": 48,
                    "file_size": 900,
                },
                {
                    "file_id": "thumb",
                    "file_unique_id": "b",
                    "width": 8,
                    "height": 6,
                    "file_size": 90,
                },
            ],
        ),
    )
    post_webhook("telegram", update(102, location={"latitude": 50.2851, "longitude": 57.1622}))
    case = Case.objects.get()
    assert case.channel == "telegram" and case.attachments.count() == 1
    assert case.complainant.name == "Ерлан Сейітов" and case.complainant.language == "kk"
    reply = channels.sent_to("telegram")[-1].body
    assert reply["chat_id"] == 5551234 and case.tracking_code in reply["text"]
    assert "тіркелді" in reply["text"]
    assert any(c.startswith("GET /tg/file/bot") for c in channels.state.calls)


def test_a_redelivered_update_id_makes_no_second_message(post_webhook, channels):
    for _ in range(3):
        assert post_webhook("telegram", update(200, text="Яма")).status_code == 200
    assert InboundMessage.objects.count() == 1
    assert len(channels.sent_to("telegram")) == 1


def test_start_command_is_greeted_not_filed(post_webhook, channels):
    post_webhook("telegram", update(300, text="/start"))
    assert not Case.objects.exists()
    assert "Здравствуйте" in channels.sent_to("telegram")[-1].body["text"]


def test_group_chats_and_edits_are_stored_and_ignored(post_webhook, channels):
    group = update(400, text="Яма")
    group["message"]["chat"]["type"] = "group"
    post_webhook("telegram", group)
    post_webhook("telegram", {"update_id": 401, "edited_message": {"text": "x"}})
    assert set(InboundMessage.objects.values_list("kind", flat=True)) == {"event"}
    assert channels.state.sent == []


def test_an_update_without_update_id_is_malformed(post_webhook, channels):
    assert post_webhook("telegram", {"message": {}}).status_code == 200
    assert InboundMessage.objects.get().kind == "malformed"


def test_without_a_default_category_the_bot_asks_for_one(post_webhook, channels, monkeypatch):
    monkeypatch.delenv("INTAKE_DEFAULT_CATEGORY")
    post_webhook("telegram", update(500, text="Что-то непонятное во дворе"))
    post_webhook("telegram", update(501, location={"latitude": 50.2851, "longitude": 57.1622}))
    assert not Case.objects.exists()
    question = channels.sent_to("telegram")[-1].body["text"]
    assert "1. " in question and "2. " in question
    post_webhook("telegram", update(502, text="2"))
    case = Case.objects.get()
    assert case.category.code == "pothole"  # 1. corruption_report, 2. pothole (by code)
    assert case.description == "Что-то непонятное во дворе"


def test_the_secret_token_is_not_kept_with_the_message(post_webhook, channels):
    post_webhook("telegram", update(7, text="Яма"))
    headers = InboundMessage.objects.get().headers
    assert headers["Content-Type"] == "application/json"
    assert TG_SECRET not in str(headers)
