import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_check(**env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEYS")
    }
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_app_refuses_to_start_without_secret_key_when_debug_is_off():
    result = run_check(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_app_refuses_to_start_without_encryption_keys_when_debug_is_off():
    result = run_check(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS must be set" in result.stderr


def test_app_starts_with_production_settings():
    from cryptography.fernet import Fernet

    result = run_check(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="baqylau.example.kz",
    )
    assert result.returncode == 0, result.stderr


def test_time_zone_is_almaty_utc_plus_five():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Almaty"
    offset = dt.datetime(2026, 6, 1, tzinfo=ZoneInfo(settings.TIME_ZONE)).utcoffset()
    assert offset == dt.timedelta(hours=5)
    assert [code for code, _ in settings.LANGUAGES] == ["kk", "ru", "en"]
