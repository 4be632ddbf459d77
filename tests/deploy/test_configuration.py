"""deploy/: nginx's limits and internal locations follow the settings; settings for PgBouncer,
the replica and Sentinel; gunicorn's config loads."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from casework.media import ACCEL_PREFIX
from deploy.render import render

ROOT = Path(__file__).resolve().parents[2]
LOCATIONS = (ROOT / "deploy/nginx/locations.conf.in").read_text()


def test_upload_paths_take_ten_photos_of_max_upload_bytes():
    text = render(LOCATIONS, {"MAX_UPLOAD_BYTES": str(2**20)})
    upload = re.search(r"complain\|contractor[^{]*\{\s*client_max_body_size (\d+);", text)
    assert int(upload.group(1)) == 10 * 2**20 + 2_621_440 + 64 * 1024
    form = re.search(r"^client_max_body_size (\d+);", text, re.M)
    assert int(form.group(1)) == 2_621_440 + 64 * 1024


def test_every_storage_has_an_internal_location_where_file_response_points():
    text = render(
        LOCATIONS,
        {"MEDIA_ROOT": "/m", "PRIVATE_MEDIA_ROOT": "/p", "STATIC_ROOT": "/s"},
    )
    aliases = {
        "default": "/m/",
        "private": "/p/",
        "reports": "/p/reports/",
    }
    for storage, folder in aliases.items():
        block = re.search(
            rf"location {re.escape(ACCEL_PREFIX)}{storage}/ \{{\s*internal;\s*alias ([^;]+);", text
        )
        assert block and block.group(1) == folder, storage
    assert re.search(r"location /media/ \{\s*return 404;", text)
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in text
    assert "proxy_set_header X-Request-ID $request_id;" in text


def test_a_placeholder_without_value_stops_the_render():
    with pytest.raises(SystemExit, match="NOT_THERE is not set"):
        render("@@NOT_THERE@@", {})


def test_nginx_accepts_the_rendered_configuration(tmp_path):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx):
        pytest.skip("nginx is not installed (.ci/run installs it)")
    (tmp_path / "locations.conf").write_text(
        render(LOCATIONS, {"MEDIA_ROOT": str(tmp_path), "PRIVATE_MEDIA_ROOT": str(tmp_path),
                           "STATIC_ROOT": str(tmp_path)})
    )  # fmt: skip
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log;\n"
        "events {}\nhttp { upstream baqylau_app { server 127.0.0.1:9; }\n"
        f"server {{ listen 127.0.0.1:9; include {tmp_path}/locations.conf; }} }}\n"
    )
    result = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr


def settings_in(env: dict[str, str], expression: str) -> str:
    """Evaluate an expression over config.settings loaded with `env` (a fresh interpreter)."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    code = f"import config.settings as s; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False,
        env={**base, "DEBUG": "1", **env},
    )  # fmt: skip
    return (result.stdout + result.stderr).strip()


def test_behind_pgbouncer_no_server_side_cursors_and_no_prepared_statements():
    out = settings_in(
        {"DATABASE_URL": "postgres://app@127.0.0.1:6432/baqylau", "DB_PGBOUNCER": "1"},
        "s.DATABASES['default']['DISABLE_SERVER_SIDE_CURSORS'],"
        " s.DATABASES['default']['OPTIONS']['prepare_threshold']",
    )
    assert out == "True None"


def test_replica_and_direct_urls_make_aliases_that_tests_mirror():
    out = settings_in(
        {
            "DATABASE_URL": "postgres://app@127.0.0.1:6432/baqylau",
            "DATABASE_REPLICA_URL": "postgres://app@10.0.0.22:5432/baqylau",
            "DATABASE_DIRECT_URL": "postgres://app@10.0.0.21:5432/baqylau",
        },
        "s.DATABASES['replica']['HOST'], s.DATABASES['direct']['HOST'],"
        " s.DATABASES['replica']['TEST'], s.DATABASE_ROUTERS",
    )
    assert out == ("10.0.0.22 10.0.0.21 {'MIRROR': 'default'} ['casework.replica.ReplicaRouter']")


def test_a_sentinel_broker_needs_the_master_name():
    urls = "sentinel://127.0.0.1:26379/0;sentinel://127.0.0.1:26380/0"
    out = settings_in({"REDIS_URL": urls}, "1")
    assert "REDIS_SENTINEL_MASTER must name the master" in out
    out = settings_in(
        {"REDIS_URL": urls, "REDIS_SENTINEL_MASTER": "baqylau"},
        "s.CELERY_BROKER_TRANSPORT_OPTIONS['master_name'], s.CACHES['default']['BACKEND']",
    )
    assert out == "baqylau config.redis_sentinel.SentinelRedisCache"


def test_sentinel_addresses_are_read_from_the_broker_urls():
    from config.redis_sentinel import sentinel_addresses

    hosts, db, password = sentinel_addresses(
        ["sentinel://:pw@10.0.0.31:26379/2", "sentinel://10.0.0.32:26380/2"]
    )
    assert hosts == [("10.0.0.31", 26379), ("10.0.0.32", 26380)]
    assert db == 2 and password == "pw"


def test_unknown_media_storage_is_refused():
    assert "MEDIA_STORAGE must be 'local' or 's3'" in settings_in({"MEDIA_STORAGE": "ftp"}, "1")


def test_gunicorn_config_binds_where_it_is_told():
    namespace: dict = {}
    os.environ["GUNICORN_BIND"] = "127.0.0.1:8123"
    try:
        exec((ROOT / "deploy/gunicorn.conf.py").read_text(), namespace)
    finally:
        del os.environ["GUNICORN_BIND"]
    assert namespace["bind"] == ["127.0.0.1:8123"]
    assert namespace["worker_class"] == "sync"
