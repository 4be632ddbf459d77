#!/usr/bin/env python3
"""`make smoke`: the production stack on one machine, every piece real, faults injected.

Started here, on free loopback ports, from Debian's and PyPI's packages (never the shared 5432 and
6379 services, nor their data directories):

    nginx -> two gunicorns -> PgBouncer (transaction mode) -> PostgreSQL primary
                                                    \\-> streaming replica (reports read here)
    Redis master + replica, three Sentinels (the Celery broker and the cache, sentinel://)
    Celery workers: one for `default` and `notify`, one for `reports`; beat (exactly one)
    moto's S3 server (media and reports, private bucket, signed URLs)
    a local stand-in for Meta's Graph API (replies) and an SMTP server (aiosmtpd): what is sent

The application runs as `baqylau_app`, a role that does not own the tables (deploy/postgres/
roles.sql); migrations run as `baqylau_owner`. The smoke test checks that this role can neither
switch the audit triggers off nor move a case with raw SQL.

Then, through nginx only: a signed WhatsApp webhook makes a case; the clerk routes it and the
officer issues a work order through the API; the contractor reports the repair with photos (into
the object store); the inspector accepts it; a manager asks for the monthly report, which the
`reports` worker makes from the replica; it is downloaded and checked. Meanwhile: the Redis master
is killed (Sentinel fails over), one gunicorn is killed, and the `reports` worker's process is
killed (kill -9) in the middle of the report. Afterwards everything is counted (cases, events,
outbox jobs, notices sent, photos, reports), `verify_audit` runs, a base backup is restored by the
restore drill, and /readyz must be green again. A summary table ends with `lost: N` and
`done twice: N`; the exit status is 0 only if both are 0 and every check passed. Everything started
here is stopped in `finally`.
"""

from __future__ import annotations

import collections
import datetime as dt
import glob
import hashlib
import hmac
import http.cookiejar
import io
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PG_BIN = Path(
    sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda path: int(path.split("/")[4]))[-1]
)
IS_ROOT = os.geteuid() == 0
STARTED = time.monotonic()
DEADLINE_S = 600

WA_SECRET = "smoke-wa-app-secret"
WA_VERIFY = "smoke-wa-verify"
CITIZEN = "77015550101"


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(what: str, check: Callable[[], object], timeout: float = 60, every: float = 0.2):
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    end = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < end:
        try:
            last = check()
            if last:
                return last
        except Exception as error:  # the thing is not up yet
            last = error
        time.sleep(every)
    raise SmokeFailure(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class SmokeFailure(Exception):
    pass


# The pieces --------------------------------------------------------------------------------------


class Stack:
    """Every process this script starts, by name, each in its own process group."""

    def __init__(self, work: Path):
        self.work = work
        self.procs: dict[str, subprocess.Popen] = {}
        self.logs: dict[str, Path] = {}
        self.commands: dict[str, tuple[list[str], dict | None]] = {}
        self.restarts: list[tuple[str, int, float]] = []
        self.stopping = threading.Event()

    def supervise(self, names: tuple[str, ...]) -> None:
        """Restart these when they exit, as systemd's Restart=always does for their units."""

        def watch():
            while not self.stopping.wait(1.0):
                for name in names:
                    proc = self.procs.get(name)
                    if proc is not None and proc.poll() is not None and not self.stopping.is_set():
                        argv, env = self.commands[name]
                        self.restarts.append((name, proc.returncode, time.monotonic() - STARTED))
                        log(f"{name} exited ({proc.returncode}); restarting it as systemd would")
                        self.start(name, argv, env=env)

        threading.Thread(target=watch, daemon=True).start()

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        env: dict[str, str] | None = None,
        as_postgres: bool = False,
        cwd: Path | None = None,
    ) -> subprocess.Popen:
        logfile = self.work / "logs" / f"{name}.log"
        self.logs[name] = logfile
        options: dict = {}
        if as_postgres and IS_ROOT:
            options.update(user="postgres", group="postgres", extra_groups=[])
        with open(logfile, "ab") as out:
            proc = subprocess.Popen(
                argv,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env or os.environ.copy(),
                cwd=cwd or ROOT,
                start_new_session=True,
                **options,
            )
        self.procs[name] = proc
        self.commands[name] = (argv, env)
        return proc

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def alive(self, name: str) -> bool:
        return self.procs[name].poll() is None

    def stop_all(self) -> None:
        self.stopping.set()
        # Application first, then what it uses.
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        end = time.monotonic() + 20
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, end - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)

    def tail(self, name: str, lines: int = 30) -> str:
        path = self.logs.get(name)
        if not path or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def run(argv: list[str], *, env=None, as_postgres=False, check=True, timeout=300, cwd=None) -> str:
    options: dict = {}
    if as_postgres and IS_ROOT:
        options.update(user="postgres", group="postgres", extra_groups=[])
    result = subprocess.run(
        argv,
        env=env,
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        **options,
    )
    if check and result.returncode != 0:
        raise SmokeFailure(
            f"{' '.join(map(str, argv[:4]))} exited {result.returncode}: "
            f"{(result.stderr or result.stdout).strip()[-800:]}"
        )
    return result.stdout


def render(template: str, values: dict[str, str]) -> str:
    from deploy.render import render as fill

    return fill((ROOT / "deploy" / template).read_text(), {**os.environ, **values})


class Ports:
    def __init__(self):
        names = (
            "pg_primary pg_replica pgbouncer redis_master redis_replica sentinel1 sentinel2 "
            "sentinel3 s3 gunicorn1 gunicorn2 nginx smtp drill"
        ).split()
        taken: set[int] = {5432, 6379, 26379}
        for name in names:
            port = free_port()
            while port in taken:
                port = free_port()
            taken.add(port)
            setattr(self, name, port)


# PostgreSQL --------------------------------------------------------------------------------------


def postgres_start(stack: Stack, ports: Ports, work: Path) -> None:
    primary, replica = work / "pg-primary", work / "pg-replica"
    sockets, archive, backups = work / "pg-run", work / "wal-archive", work / "base-backups"
    for folder in (primary, replica, sockets, archive, backups):
        folder.mkdir(mode=0o700)
        if IS_ROOT:
            shutil.chown(folder, "postgres", "postgres")
    run(
        [str(PG_BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
        as_postgres=True,
    )  # fmt: skip
    archive_cmd = f"WAL_ARCHIVE={archive} {ROOT}/deploy/backup/archive-wal.sh %p %f"
    with open(primary / "postgresql.conf", "a") as conf:
        conf.write(
            "\n# smoke test\n"
            f"include = '{ROOT}/deploy/postgres/primary.conf'\n"
            f"port = {ports.pg_primary}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{sockets}'\n"
            f"archive_command = '{archive_cmd}'\n"
            "fsync = off\nsynchronous_commit = off\nmax_connections = 100\n"
            "shared_buffers = 64MB\n"
        )
    with open(primary / "pg_hba.conf", "a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    stack.start(
        "postgres-primary", [str(PG_BIN / "postgres"), "-D", str(primary)], as_postgres=True
    )
    wait_for("the PostgreSQL primary", lambda: pg_ready(ports.pg_primary), timeout=60)
    psql(ports.pg_primary, "postgres", "CREATE DATABASE baqylau")
    run(
        [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(ports.pg_primary), "-U", "postgres",
         "-d", "baqylau", "-v", "ON_ERROR_STOP=1", "-q",
         "-f", str(ROOT / "deploy/postgres/roles.sql")],
    )  # fmt: skip
    log("PostgreSQL primary up; roles baqylau_owner (owns) and baqylau_app (runs the app)")

    run(
        [str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(ports.pg_primary),
         "-U", "postgres", "-D", str(replica), "-X", "stream", "-R", "-C", "-S", "smoke_replica",
         "--checkpoint=fast"],
        as_postgres=True,
    )  # fmt: skip
    with open(replica / "postgresql.auto.conf", "a") as conf:
        conf.write(
            f"port = {ports.pg_replica}\narchive_mode = off\n"
            # Every statement the replica runs is logged: the report's must be among them.
            "log_statement = 'all'\nlog_line_prefix = '%m [%p] %u@%d '\n"
        )
    stack.start(
        "postgres-replica", [str(PG_BIN / "postgres"), "-D", str(replica)], as_postgres=True
    )
    wait_for("the replica", lambda: pg_ready(ports.pg_replica), timeout=60)
    wait_for(
        "streaming replication",
        lambda: (
            psql(ports.pg_primary, "postgres", "SELECT state FROM pg_stat_replication")
            == "streaming"
        ),
        timeout=60,
    )
    log("streaming replica up")


def pg_ready(port: int) -> bool:
    return (
        subprocess.run(
            [
                str(PG_BIN / "pg_isready"),
                "-q",
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                "postgres",
            ],
            check=False,
        ).returncode
        == 0
    )


def psql(port: int, database: str, sql: str, user: str = "postgres") -> str:
    return run(
        [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", user, "-d", database,
         "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
    ).strip()  # fmt: skip


def pgbouncer_start(stack: Stack, ports: Ports, work: Path) -> None:
    folder = work / "pgbouncer"
    folder.mkdir()
    (folder / "userlist.txt").write_text('"baqylau_app" ""\n"postgres" ""\n')
    ini = render(
        "pgbouncer/pgbouncer.ini.in",
        {
            "PG_HOST": "127.0.0.1",
            "PG_PORT": str(ports.pg_primary),
            "PGBOUNCER_LISTEN": "127.0.0.1",
            "PGBOUNCER_PORT": str(ports.pgbouncer),
            "PGBOUNCER_SOCKET_DIR": str(folder),
            "PGBOUNCER_AUTH_TYPE": "trust",
            "PGBOUNCER_AUTH_FILE": str(folder / "userlist.txt"),
            "PGBOUNCER_LOGFILE": str(folder / "pgbouncer.log"),
            "PGBOUNCER_PIDFILE": str(folder / "pgbouncer.pid"),
        },
    )
    (folder / "pgbouncer.ini").write_text(ini)
    if IS_ROOT:
        for path in [folder, *folder.iterdir()]:
            shutil.chown(path, "postgres", "postgres")
    stack.start("pgbouncer", ["pgbouncer", str(folder / "pgbouncer.ini")], as_postgres=True)
    wait_for("PgBouncer", lambda: port_open(ports.pgbouncer), timeout=30)
    log("PgBouncer up (transaction pooling)")


# Redis and Sentinel ------------------------------------------------------------------------------


def redis_start(stack: Stack, ports: Ports, work: Path) -> None:
    for name, port, extra in (
        ("redis-master", ports.redis_master, []),
        (
            "redis-replica",
            ports.redis_replica,
            ["--replicaof", "127.0.0.1", str(ports.redis_master)],
        ),
    ):
        folder = work / name
        folder.mkdir()
        stack.start(
            name,
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(folder), *extra],
        )  # fmt: skip
    wait_for("the Redis master", lambda: redis_cli(ports.redis_master, "PING") == "PONG")
    wait_for(
        "the Redis replica in sync",
        lambda: "master_link_status:up" in redis_cli(ports.redis_replica, "INFO", "replication"),
    )
    for index, port in enumerate((ports.sentinel1, ports.sentinel2, ports.sentinel3), 1):
        folder = work / f"sentinel{index}"
        folder.mkdir()
        conf = folder / "sentinel.conf"
        conf.write_text(
            render(
                "redis/sentinel.conf.in",
                {
                    "SENTINEL_PORT": str(port),
                    "SENTINEL_BIND": "127.0.0.1",
                    "SENTINEL_DIR": str(folder),
                    "REDIS_MASTER_HOST": "127.0.0.1",
                    "REDIS_MASTER_PORT": str(ports.redis_master),
                    "SENTINEL_DOWN_AFTER_MS": "2000",
                },
            )
        )
        stack.start(f"sentinel{index}", ["redis-server", str(conf), "--sentinel"])
    for port in (ports.sentinel1, ports.sentinel2, ports.sentinel3):
        wait_for(
            "each Sentinel to see the replica and the other Sentinels",
            lambda port=port: (
                "num-other-sentinels\n2" in redis_cli(port, "SENTINEL", "master", "baqylau")
                and "num-slaves\n1" in redis_cli(port, "SENTINEL", "master", "baqylau")
            ),
            timeout=60,
        )
    log("Redis master, replica and three Sentinels up")


def redis_cli(port: int, *args: str) -> str:
    return subprocess.run(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    ).stdout.strip()


def redis_master_port(ports: Ports) -> int:
    reply = redis_cli(ports.sentinel1, "SENTINEL", "get-master-addr-by-name", "baqylau").split()
    return int(reply[1])


# The object store, SMTP and the chat platform ----------------------------------------------------


def s3_start(stack: Stack, ports: Ports) -> None:
    stack.start("s3", [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(ports.s3)])
    wait_for("the S3 server", lambda: port_open(ports.s3), timeout=60)
    s3().create_bucket(Bucket="baqylau-media")
    log("S3-compatible server (moto) up, private bucket baqylau-media")


def s3():
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{PORTS.s3}",
        aws_access_key_id="smoke",
        aws_secret_access_key="smoke",
        region_name="us-east-1",
    )


def s3_keys(prefix: str) -> list[str]:
    listing = s3().list_objects_v2(Bucket="baqylau-media", Prefix=prefix)
    return [item["Key"] for item in listing.get("Contents", [])]


class Mailbox:
    """An SMTP server (aiosmtpd) that keeps what it is sent."""

    def __init__(self, port: int):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[str, list[str], str]] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                content = envelope.content.decode("utf-8", errors="replace")
                subject = re.search(r"^Subject: (.*)$", content, re.M)
                outer.messages.append(
                    (subject.group(1) if subject else "", list(envelope.rcpt_tos), content)
                )
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)

    def start(self) -> Mailbox:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


# The application ---------------------------------------------------------------------------------


def app_environment(ports: Ports, work: Path, platform_env: dict[str, str]) -> dict[str, str]:
    from cryptography.fernet import Fernet

    sentinels = ";".join(
        f"sentinel://127.0.0.1:{port}/0"
        for port in (ports.sentinel1, ports.sentinel2, ports.sentinel3)
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key in ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "TZ")
    }
    env.update(platform_env)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(ROOT),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "CSRF_TRUSTED_ORIGINS": f"http://127.0.0.1:{ports.nginx}",
            "SITE_URL": f"http://127.0.0.1:{ports.nginx}",
            "SECURE_COOKIES": "0",  # plain HTTP on loopback; production is HTTPS
            "BEHIND_PROXY": "1",
            "DATABASE_URL": f"postgres://baqylau_app@127.0.0.1:{ports.pgbouncer}/baqylau",
            "DB_PGBOUNCER": "1",
            "DATABASE_DIRECT_URL": f"postgres://baqylau_app@127.0.0.1:{ports.pg_primary}/baqylau",
            "DATABASE_REPLICA_URL": f"postgres://baqylau_app@127.0.0.1:{ports.pg_replica}/baqylau",
            "REDIS_URL": sentinels,
            "REDIS_SENTINEL_MASTER": "baqylau",
            "MEDIA_STORAGE": "s3",
            "S3_ENDPOINT_URL": f"http://127.0.0.1:{ports.s3}",
            "S3_BUCKET": "baqylau-media",
            "S3_ACCESS_KEY_ID": "smoke",
            "S3_SECRET_ACCESS_KEY": "smoke",
            "MEDIA_ACCEL_REDIRECT": "1",
            "STATIC_ROOT": str(work / "static"),
            "MEDIA_ROOT": str(work / "media"),
            "PRIVATE_MEDIA_ROOT": str(work / "media-private"),
            "PROMETHEUS_MULTIPROC_DIR": str(work / "metrics"),
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(ports.smtp),
            "WHATSAPP_VERIFY_TOKEN": WA_VERIFY,
            "WHATSAPP_APP_SECRET": WA_SECRET,
            "INTAKE_DEFAULT_DISTRICT": "AQT-CITY",
            "INTAKE_DEFAULT_CATEGORY": "pothole",
            "MAP_TILE_URL": "",
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
            # Broker copies that died with the Redis master are handed over again after this many
            # seconds (production: 600), and retries back off from 2 s (production: 30), so the
            # scenario settles within its minutes; what is counted stays the same.
            "OUTBOX_REQUEUE_AFTER_S": "20",
            "OUTBOX_RETRY_BASE_S": "2",
        }
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: int = 300) -> str:
    return run([sys.executable, "manage.py", *args], env=env, timeout=timeout)


def app_prepare(stack: Stack, env: dict[str, str], ports: Ports, work: Path) -> None:
    """Migrations (as the owner) and collectstatic side by side; then the seed, which runs while
    the application starts (app_start)."""
    for folder in ("static", "media", "media-private", "metrics"):
        (work / folder).mkdir(exist_ok=True)
    owner = {
        **env,
        "DATABASE_URL": f"postgres://baqylau_owner@127.0.0.1:{ports.pg_primary}/baqylau",
        "DB_PGBOUNCER": "",
        "DATABASE_DIRECT_URL": "",
        "DATABASE_REPLICA_URL": "",
    }
    migrate = stack.start(
        "migrate", [sys.executable, "manage.py", "migrate", "--noinput"], env=owner
    )
    static = stack.start(
        "collectstatic",
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        env=env,
    )
    for name, proc in (("migrate", migrate), ("collectstatic", static)):
        if proc.wait(timeout=400) != 0:
            raise SmokeFailure(f"{name} failed:\n{stack.tail(name)}")
    log("migrated (as baqylau_owner); static files collected (hashed names)")
    stack.start(
        "seed",
        [sys.executable, "manage.py", "seed_demo", "--cases", "6", "--allow-production"],
        env=env,
    )


def seed_wait(stack: Stack) -> None:
    if stack.procs["seed"].wait(timeout=400) != 0:
        raise SmokeFailure(f"seed_demo failed:\n{stack.tail('seed')}")
    log("demo organisation, users and 6 cases seeded (as baqylau_app, through PgBouncer)")


def app_start(stack: Stack, env: dict[str, str], ports: Ports, work: Path) -> None:
    for index, port in ((1, ports.gunicorn1), (2, ports.gunicorn2)):
        stack.start(
            f"gunicorn{index}",
            [
                str(VENV_BIN / "gunicorn"),
                "-c",
                "deploy/gunicorn.conf.py",
                "config.wsgi:application",
            ],
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "2",
                "GUNICORN_NAME": f"baqylau-web{index}",
            },
        )
    celery = [str(VENV_BIN / "celery"), "-A", "config"]
    # Two workers on different queues: replies and e-mail never wait behind a report.
    for name, queues, concurrency in (
        ("default", "default,notify", "2"),
        ("reports", "reports", "1"),
    ):
        stack.start(
            f"worker-{name}",
            [*celery, "worker", "-Q", queues, "-n", f"{name}@smoke", "-c", concurrency,
             "--without-gossip", "--without-mingle", "-l", "INFO"],
            env=env,
        )  # fmt: skip
    stack.start("beat", [*celery, "beat", "-s", str(work / "beat-schedule"), "-l", "INFO"], env=env)
    nginx_folder = work / "nginx"
    nginx_folder.mkdir()
    (nginx_folder / "locations.conf").write_text(
        render(
            "nginx/locations.conf.in",
            {
                "STATIC_ROOT": env["STATIC_ROOT"],
                "MEDIA_ROOT": env["MEDIA_ROOT"],
                "PRIVATE_MEDIA_ROOT": env["PRIVATE_MEDIA_ROOT"],
            },
        )
    )
    (nginx_folder / "nginx.conf").write_text(
        f"""
daemon off;
worker_processes 2;
pid {nginx_folder}/nginx.pid;
error_log {nginx_folder}/error.log warn;
{"user www-data;" if IS_ROOT else ""}
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    log_format smoke '$remote_addr "$request" $status $request_id $upstream_addr';
    access_log {nginx_folder}/access.log smoke;
    client_body_temp_path {nginx_folder}/body;
    proxy_temp_path {nginx_folder}/proxy;
    fastcgi_temp_path {nginx_folder}/fastcgi;
    uwsgi_temp_path {nginx_folder}/uwsgi;
    scgi_temp_path {nginx_folder}/scgi;
    upstream baqylau_app {{
        server 127.0.0.1:{ports.gunicorn1} max_fails=1 fail_timeout=30s;
        server 127.0.0.1:{ports.gunicorn2} max_fails=1 fail_timeout=30s;
        keepalive 8;
    }}
    server {{
        listen 127.0.0.1:{ports.nginx};
        server_name 127.0.0.1;
        include {nginx_folder}/locations.conf;
    }}
}}
"""
    )
    run(["nginx", "-t", "-c", str(nginx_folder / "nginx.conf"), "-p", str(nginx_folder)])
    stack.start("nginx", ["nginx", "-c", str(nginx_folder / "nginx.conf"), "-p", str(nginx_folder)])
    for port in (ports.gunicorn1, ports.gunicorn2, ports.nginx):
        wait_for(f"port {port}", lambda port=port: port_open(port), timeout=90)
    wait_for("/healthz through nginx", lambda: call("GET", "/healthz")[0] == 200, timeout=60)
    log("nginx, two gunicorns, two Celery workers and beat up")


# HTTP through nginx ------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    opener: urllib.request.OpenerDirector | None = None,
    timeout: float = 60,
) -> tuple[int, dict[str, str], bytes]:
    url = path if path.startswith("http") else f"http://127.0.0.1:{PORTS.nginx}{path}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    opener = opener or urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def api(method: str, path: str, token: str, payload: dict | None = None) -> dict:
    status, _headers, body = call(
        method,
        path,
        body=json.dumps(payload).encode() if payload is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json",
                 "Accept": "application/json"},
    )  # fmt: skip
    if status >= 300:
        raise SmokeFailure(f"{method} {path} answered {status}: {body[:400]!r}")
    return json.loads(body or b"{}")


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "smoke" + secrets.token_hex(8)
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for name, filename, content in files:
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{boundary}--\r\n".encode())
    return out.getvalue(), f"multipart/form-data; boundary={boundary}"


def whatsapp_post(message: dict) -> int:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "419561257915477",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "77172000000",
                                "phone_number_id": "106540352242922",
                            },
                            "contacts": [{"profile": {"name": "Айгүл Сейтқали"}, "wa_id": CITIZEN}],
                            "messages": [
                                {"from": CITIZEN, "timestamp": str(int(time.time())), **message}
                            ],
                        },
                    }
                ],
            }
        ],
    }
    body = json.dumps(payload, ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    status, _headers, _body = call(
        "POST",
        "/intake/whatsapp/",
        body=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )
    return status


def session_login(username: str, password: str) -> urllib.request.OpenerDirector:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    status, _h, page = call("GET", "/accounts/login/", opener=opener)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": token}
    ).encode()
    status, _h, _b = call(
        "POST",
        "/accounts/login/",
        body=form,
        opener=opener,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"http://127.0.0.1:{PORTS.nginx}/accounts/login/"},
    )  # fmt: skip
    if status != 302:
        raise SmokeFailure(f"login of {username} answered {status}")
    opener.csrf = next(c.value for c in jar if c.name == "csrftoken")  # type: ignore[attr-defined]
    return opener


def jpeg(color: tuple[int, int, int]) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buffer, "JPEG")
    image = Image.open(io.BytesIO(buffer.getvalue()))
    # A real picture (not one flat colour), so that its perceptual hash means something.
    for x in range(0, 320, 8):
        for y in range(0, 240, 8):
            image.putpixel((x, y), ((x * 7) % 255, (y * 5) % 255, (x + y) % 255))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


# Faults ------------------------------------------------------------------------------------------


def kill_report_worker_child(stack: Stack) -> int:
    """kill -9 the pool process of the `reports` worker (the one running the task)."""
    main = stack.procs["worker-reports"].pid
    children = run(["pgrep", "-P", str(main)], check=False).split()
    if not children:
        raise SmokeFailure("the reports worker has no pool process to kill")
    child = int(children[0])
    os.kill(child, signal.SIGKILL)
    return child


# The scenario ------------------------------------------------------------------------------------


class Record:
    def __init__(self):
        self.steps: list[tuple[str, float, str]] = []
        self.faults: list[tuple[str, str]] = []
        self.counts: list[tuple[str, int, int, int]] = []  # what, expected, lost, twice
        self.checks: list[tuple[str, bool, str]] = []
        self.restarts: list[tuple[str, int, float]] = []  # the Stack's, shown in the summary

    def step(self, name: str, started: float, detail: str = "") -> None:
        self.steps.append((name, time.monotonic() - started, detail))
        log(f"{name}: {detail}" if detail else name)

    def check(self, name: str, ok: bool, detail: str = "") -> None:
        self.checks.append((name, ok, detail))
        log(f"check {'ok  ' if ok else 'FAIL'} {name} {detail}")


def django_setup(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


def scenario(stack: Stack, env: dict[str, str], platform, mailbox: Mailbox, rec: Record) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connections
    from django.db.models import Max
    from rest_framework.authtoken.models import Token

    from casework.models import Case, Department, District, OutboxJob
    from contractors.models import Contract, ContractorMember

    User = get_user_model()
    tokens = {
        name: Token.objects.get_or_create(user=User.objects.get(username=name))[0].key
        for name in ("clerk.aktobe", "officer.aktobe", "inspector.aktobe")
    }
    district = District.objects.get(code="AQT-CITY")
    department = Department.objects.get(code="AQT-CITY-ZHKH")
    today = dt.date.today()
    contract = (
        Contract.objects.filter(
            department=department,
            districts=district,
            categories__code="pothole",
            starts_on__lte=today,
            ends_on__gte=today,
        )
        .order_by("id")
        .first()
    )
    if contract is None:
        raise SmokeFailure("the demo data has no current pothole contract in Aktobe city")
    member = ContractorMember.objects.filter(contractor=contract.contractor).first()
    tokens["contractor"] = Token.objects.get_or_create(user=member.user)[0].key
    # The scenario's jobs are those after this one: the demo seed's own jobs, written moments
    # before, are not the scenario's (a time window could not tell them apart).
    last_job_before = OutboxJob.objects.aggregate(last=Max("id"))["last"] or 0
    connections.close_all()
    started_at = time.time()

    # 1. A signed WhatsApp webhook (text, then location) makes a case.
    t = time.monotonic()
    assert whatsapp_post(
        {"id": "wamid.smoke-1", "type": "text",
         "text": {"body": "Глубокая яма на дороге у дома 12 по проспекту Абулхаир хана"}}
    ) == 200  # fmt: skip
    wait_for("the bot to ask for the location", lambda: platform.sent_to("whatsapp"), timeout=90)
    assert (
        whatsapp_post(
            {"id": "wamid.smoke-2", "type": "location",
             "location": {"latitude": 50.2841, "longitude": 57.1675}}
        )
        == 200
    )  # fmt: skip
    case = wait_for(
        "the WhatsApp case",
        lambda: Case.objects.filter(
            channel="whatsapp",
            received_at__gte=dt.datetime.fromtimestamp(started_at - 5, dt.UTC),
        ).first(),
        timeout=90,
    )
    connections.close_all()
    rec.step("WhatsApp webhook -> case", t, case.tracking_code)

    # Fault: the Redis master dies; Sentinel promotes the replica.
    t = time.monotonic()
    old_master = redis_master_port(PORTS)
    stack.kill("redis-master" if old_master == PORTS.redis_master else "redis-replica")
    new_master = wait_for(
        "Sentinel to fail over", lambda: (p := redis_master_port(PORTS)) != old_master and p, 60
    )
    rec.faults.append(("Redis master killed (kill -9)", f"Sentinel promoted :{new_master} in "
                       f"{time.monotonic() - t:.1f} s"))  # fmt: skip
    log(rec.faults[-1][1])

    # 2. The clerk routes it (API).
    t = time.monotonic()
    api("POST", f"/api/v1/cases/{case.pk}/transitions/assign/", tokens["clerk.aktobe"],
        {"department": department.pk, "reason": "Дорожное покрытие: отдел ЖКХ"})  # fmt: skip
    rec.step("clerk routes it (API)", t, f"department {department.code}")

    # Fault: one gunicorn dies; nginx sends everything to the other.
    stack.kill("gunicorn1")
    rec.faults.append(("gunicorn 1 killed (kill -9 of its process group)", "nginx uses gunicorn 2"))
    log(rec.faults[-1][0])

    # 3. The officer issues a work order (API).
    t = time.monotonic()
    due = (dt.datetime.now(dt.UTC) + dt.timedelta(days=10)).isoformat()
    api("POST", f"/api/v1/cases/{case.pk}/transitions/notify_contractor/",
        tokens["officer.aktobe"], {"contract": contract.pk, "due_at": due,
                                   "note": "Заделать выбоину до конца недели"})  # fmt: skip
    rec.step("officer issues a work order (API)", t, f"contract {contract.number}")

    # 4. The contractor acknowledges and reports the repair with photos (object store).
    t = time.monotonic()
    orders = api("GET", "/api/v1/work-orders/?status=issued", tokens["contractor"])
    order = next(o for o in orders["results"] if o["case"] == case.pk)
    api("POST", f"/api/v1/work-orders/{order['id']}/acknowledge/", tokens["contractor"], {})
    body, content_type = multipart(
        {"note": "Выбоина заделана горячим асфальтом"},
        [("before", "before.jpg", jpeg((90, 90, 90))), ("after", "after.jpg", jpeg((30, 30, 30)))],
    )
    status, _h, answer = call(
        "POST",
        f"/api/v1/cases/{case.pk}/transitions/report_repaired/",
        body=body,
        headers={"Authorization": f"Token {tokens['contractor']}", "Content-Type": content_type},
    )
    if status != 200:
        raise SmokeFailure(f"report_repaired answered {status}: {answer[:400]!r}")
    rec.step("contractor reports the repair with 2 photos (API)", t,
             f"{len(s3_keys('public/'))} public copies, "
             f"{len(s3_keys('private/'))} originals in S3")  # fmt: skip

    # The photo goes through the permission check, then a short-lived signed URL.
    t = time.monotonic()
    detail = api("GET", f"/api/v1/cases/{case.pk}/", tokens["inspector.aktobe"])
    photo_url = detail["attachments"][0]["url"]
    inspector = session_login("inspector.aktobe", "demo12345")
    status, headers, _b = call("GET", photo_url, opener=inspector)
    anonymous, anonymous_headers, _ab = call("GET", photo_url)
    anonymous_to_login = "/accounts/login/" in anonymous_headers.get("Location", "")
    signed = headers.get("Location", "")
    fetched = call("GET", signed)[0] if signed else 0
    rec.check(
        "photo: permission check, then a signed S3 URL",
        status == 302 and "X-Amz-Signature" in signed and fetched == 200 and anonymous_to_login,
        f"staff {status} -> S3 {fetched}; anonymous {anonymous} (to the login page)",
    )
    status, _h, _b = call("GET", "/media/public/" + s3_keys("public/")[0].split("/", 1)[1])
    rec.check("/media/ is never served by path", status == 404, f"{status}")
    rec.step("photo served through the permission check", t)

    # 5. The inspector accepts the repair (API).
    t = time.monotonic()
    api("POST", f"/api/v1/cases/{case.pk}/transitions/verify/", tokens["inspector.aktobe"],
        {"note": "Проверено на месте", "quantity": "2.5", "unit": "m2",
         "amount_kzt": "125000.00"})  # fmt: skip
    rec.step("inspector accepts it (API)", t)

    # 6. The monthly report, on the `reports` queue, from the replica.
    t = time.monotonic()
    manager = session_login("manager.aktobe", "demo12345")
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    from casework.models import Region

    region = Region.objects.get(code="AQT")
    form = urllib.parse.urlencode(
        {"month": month, "region": region.pk, "language": "ru",
         "csrfmiddlewaretoken": manager.csrf}  # type: ignore[attr-defined]
    ).encode()  # fmt: skip
    status, headers, _b = call(
        "POST", "/reports/monthly/", body=form, opener=manager,
        headers={"Content-Type": "application/x-www-form-urlencoded",
                 "Referer": f"http://127.0.0.1:{PORTS.nginx}/reports/"},
    )  # fmt: skip
    if status != 302:
        raise SmokeFailure(f"asking for the monthly report answered {status}")
    run_id = int(re.search(r"/runs/(\d+)/", headers["Location"]).group(1))
    from reports.models import ReportRun

    # Fault: the reports worker's process dies in the middle of the report.
    state = wait_for(
        "the report to start",
        lambda: (
            ReportRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
            in ("running", "done", "failed")
            and ReportRun.objects.get(pk=run_id).status
        ),
        timeout=120,
        every=0.05,
    )
    connections.close_all()
    if state == "running":
        killed = kill_report_worker_child(stack)
        rec.faults.append(("reports worker's process killed mid-report (kill -9)", f"pid {killed}"))
        log(rec.faults[-1][0])
    rec.check("the report was caught running and killed", state == "running", state)
    summary = wait_for(
        "the report to finish",
        lambda: (
            (s := json.loads(call("GET", f"/reports/runs/{run_id}/status/", opener=manager)[2]))
            and s.get("status") in ("done", "failed")
            and s
        ),
        timeout=240,
        every=0.5,
    )
    if summary["status"] != "done":
        raise SmokeFailure(f"the monthly report failed: {summary.get('error')}")
    status, headers, _b = call("GET", f"/reports/runs/{run_id}/download/", opener=manager)
    pdf_status, pdf_headers, pdf = call("GET", headers.get("Location", "/nowhere"))
    from pypdf import PdfReader

    pages = len(PdfReader(io.BytesIO(pdf)).pages) if pdf.startswith(b"%PDF") else 0
    rec.check(
        "monthly report: made, downloaded through a signed URL, a real PDF",
        status == 302 and pdf_status == 200 and pages > 0,
        f"{len(pdf)} bytes, {pages} pages",
    )
    replica_log = (stack.logs["postgres-replica"]).read_text(errors="replace")
    rec.check(
        "monthly report read from the replica",
        "enable_nestloop" in replica_log and "baqylau_app@baqylau" in replica_log,
        "its snapshot's statements are in the replica's log",
    )
    retaken = "taken again by task" in stack.logs["worker-reports"].read_text(errors="replace")
    rec.check("the redelivered task finished the killed run", retaken, "(reports worker's log)")
    rec.step("monthly report on the reports queue, from the replica", t, f"run {run_id}")
    connections.close_all()
    return {
        "case": case.pk,
        "run": run_id,
        "started_at": started_at,
        "last_job_before": last_job_before,
        "tokens": tokens,
    }


def settle_and_count(stack: Stack, env: dict, platform, mailbox: Mailbox, rec: Record, made: dict):
    from django.db import connections
    from django.db.models import Count

    from casework.models import Attachment, Case, CaseEvent, OutboxJob
    from ratings.handlers import ASK_JOB_KIND
    from ratings.models import VoteRequest
    from reports.models import ReportRun

    since = dt.datetime.fromtimestamp(made["started_at"] - 5, dt.UTC)
    # Jobs whose broker message died with the Redis master are relayed by beat's outbox relay.
    t = time.monotonic()
    wait_for(
        "every outbox job to be done",
        lambda: (
            not OutboxJob.objects.filter(
                pk__gt=made["last_job_before"], status=OutboxJob.Status.PENDING
            ).exists()
        ),
        timeout=200,
        every=1,
    )
    rec.step("outbox drained", t)
    case = Case.objects.get(pk=made["case"])
    cases = Case.objects.filter(channel="whatsapp", received_at__gte=since).count()
    rec.counts.append(("cases from the webhook", 1, max(0, 1 - cases), max(0, cases - 1)))
    actions = list(case.events.order_by("seq").values_list("action", flat=True))
    expected = ["open", "assign", "notify_contractor", "report_repaired", "verify"]
    transitions = [a for a in actions if a in expected]
    missing = sum(1 for a in expected if a not in transitions)
    doubled = sum(count - 1 for count in collections.Counter(transitions).values() if count > 1)
    rec.counts.append(("transition events (open ... verify)", len(expected), missing, doubled))
    rec.check("case verified", case.state == "verified", case.state)
    jobs = OutboxJob.objects.filter(pk__gt=made["last_job_before"])
    failed = jobs.filter(status=OutboxJob.Status.FAILED).count()
    pending = jobs.filter(status=OutboxJob.Status.PENDING).count()
    same = (
        jobs.exclude(dedupe_key=None)
        .values("dedupe_key")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    rec.counts.append(("outbox jobs done", jobs.count(), failed + pending, same))
    # Each reply or notice job sends one message: more messages than jobs is work done twice.
    sent = [
        json.dumps(s.body, sort_keys=True, ensure_ascii=False) for s in platform.sent_to("whatsapp")
    ]
    # The vote request after the closing goes out on the case's channel too (ratings.handlers).
    vote_asks = VoteRequest.objects.filter(
        case_id__in=[job.payload["case"] for job in jobs.filter(kind=ASK_JOB_KIND)],
        outcome="sent:whatsapp",
    ).count()
    replies = (
        jobs.filter(kind__in=("intake_reply", "citizen_notice")).count()
        + sum(1 for job in jobs.filter(kind="citizen_status") if citizen_news(job.payload))
        + vote_asks
    )
    rec.counts.append(
        (
            "WhatsApp messages to the citizen (one per reply/notice job)",
            replies,
            max(0, replies - len(sent)),
            max(0, len(sent) - replies),
        )
    )
    for body, n in collections.Counter(sent).items():
        if n > 1:
            log(f"the same message {n} times: {body[:160]}")
    mails = [(subject, tuple(to)) for subject, to, _ in mailbox.messages]
    mails_twice = sum(n - 1 for n in collections.Counter(mails).values() if n > 1)
    mail_jobs = jobs.filter(
        kind__in=("staff_mail", "staff_task_created", "contractor_work_order_notice")
    )
    unsent = mail_jobs.exclude(status=OutboxJob.Status.DONE).count()
    rec.counts.append(
        ("e-mails sent (SMTP), by subject and recipients", len(set(mails)), unsent, mails_twice)
    )
    photos = Attachment.objects.filter(case=case).count()
    public = len(s3_keys("public/"))
    rec.counts.append(
        ("photos in the object store", 2, max(0, 2 - min(photos, public)), max(0, photos - 2))
    )
    runs = ReportRun.objects.filter(created_at__gte=since)
    done = runs.filter(status="done").count()
    files = len(s3_keys("reports/"))
    rec.counts.append(
        ("monthly report runs and files", 1, max(0, 1 - done), max(0, done - 1) + max(0, files - 1))
    )
    rec.check(
        "one event chain per case", CaseEvent.objects.filter(case=case).count() == len(actions)
    )
    connections.close_all()


def citizen_news(payload: dict) -> bool:
    """Whether a status job tells the citizen something (workflows.notifications.citizen_status
    skips the other events of the case)."""
    from casework.models import CaseEvent
    from workflows.notifications import CITIZEN_ACTIONS

    if payload.get("action") not in CITIZEN_ACTIONS:
        return False
    event = CaseEvent.objects.filter(pk=payload.get("event")).first()
    return event is not None and event.from_state != event.to_state


def readiness_again(rec: Record) -> None:
    t = time.monotonic()

    def ready():
        status, _h, body = call("GET", "/readyz")
        return status == 200 and json.loads(body)

    report = wait_for("/readyz to be green again", ready, timeout=180, every=2)
    rec.check("/readyz green again (through nginx)", bool(report["ready"]),
              ", ".join(f"{k} {v['detail']}" for k, v in report["checks"].items()))  # fmt: skip
    rec.step("ready again", t)
    status, _h, metrics = call("GET", "/metrics")
    text = metrics.decode(errors="replace")
    rec.check(
        "Prometheus metrics",
        status == 200
        and "baqylau_http_requests_total" in text
        and 'baqylau_task_duration_seconds_count{outcome="SUCCESS",queue="reports"' in text
        and "baqylau_outbox_backlog" in text,
        "requests, task latency per queue, outbox backlog",
    )


# One legal edge out of every state: raw SQL could take it, but without the case's event.
RAW_LEGAL_MOVE = (
    "UPDATE casework_case SET state = CASE state WHEN 'received' THEN 'rejected' "
    "WHEN 'assigned' THEN 'rejected' WHEN 'contractor_notified' THEN 'repaired' "
    "WHEN 'repaired' THEN 'verified' WHEN 'verified' THEN 'assigned' "
    "WHEN 'rejected' THEN 'received' END WHERE id = (SELECT min(id) FROM casework_case)"
)


def app_role_bound(ports: Ports, rec: Record) -> None:
    """The role the app runs as cannot switch the audit triggers off, nor move a case by hand."""
    for name, sql, refusal in (
        ("app role cannot disable the audit triggers",
         "ALTER TABLE casework_case DISABLE TRIGGER ALL", "must be owner"),
        ("app role cannot move a case without its event", RAW_LEGAL_MOVE, "without a new event"),
    ):  # fmt: skip
        result = subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(ports.pg_primary),
             "-U", "baqylau_app", "-d", "baqylau", "-v", "ON_ERROR_STOP=1", "-Atqc", sql],
            capture_output=True, text=True, timeout=30,
        )  # fmt: skip
        error = result.stderr.strip().splitlines()[0] if result.stderr.strip() else ""
        rec.check(name, result.returncode != 0 and refusal in error, error)


def audit_and_backups(env: dict, ports: Ports, work: Path, rec: Record) -> None:
    t = time.monotonic()
    app_role_bound(ports, rec)
    out = manage(
        {**env, "DATABASE_URL": env["DATABASE_DIRECT_URL"], "DB_PGBOUNCER": ""}, "verify_audit"
    )
    rec.check(
        "verify_audit on the primary", True, out.strip().splitlines()[-1] if out.strip() else ""
    )
    backups = work / "base-backups"
    backup_env = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(ports.pg_primary),
        "PGUSER": "postgres",
    }
    run(
        [str(ROOT / "deploy/backup/base-backup.sh"), str(backups)], env=backup_env, as_postgres=True
    )
    psql(ports.pg_primary, "postgres", "SELECT pg_switch_wal()")
    wait_for(
        "the last WAL segment in the archive",
        lambda: (
            psql(
                ports.pg_primary,
                "postgres",
                "SELECT last_archived_wal IS NOT NULL AND failed_count = 0 FROM pg_stat_archiver",
            )
            == "t"
        ),
        timeout=60,
    )
    drill = run(
        [str(ROOT / "deploy/backup/restore-drill.sh"), str(backups)],
        env={**env, "WAL_ARCHIVE": str(work / "wal-archive"), "DRILL_PORT": str(ports.drill),
             "PG_BIN": str(PG_BIN), "APP_DIR": str(ROOT)},
        timeout=300,
    )  # fmt: skip
    rec.check("restore drill (base backup + WAL archive, verify_audit)",
              "audit chain intact" in drill,
              drill.strip().splitlines()[-1] if drill.strip() else "")  # fmt: skip
    rec.step("audit verified, backup restored", t)


def summary(rec: Record, ok: bool) -> tuple[int, int]:
    lost = sum(item[2] for item in rec.counts)
    twice = sum(item[3] for item in rec.counts)
    width = 62
    print("\n" + "=" * (width + 30))
    print("Baqylau smoke test: production stack on loopback")
    print("-" * (width + 30))
    print(f"{'step':<{width}} {'seconds':>8}")
    for name, seconds, detail in rec.steps:
        print(f"{name:<{width}} {seconds:>8.1f}  {detail}")
    print("-" * (width + 30))
    for name, detail in rec.faults:
        print(f"fault: {name:<{width - 7}} {detail}")
    for name, code, moment in rec.restarts:
        print(f"restart: {name + ' exited with ' + str(code):<{width - 9}} at {moment:.0f} s")
    print("-" * (width + 30))
    print(f"{'counted':<{width}} {'expected':>8} {'lost':>5} {'twice':>5}")
    for name, expected, missing, doubled in rec.counts:
        print(f"{name:<{width}} {expected:>8} {missing:>5} {doubled:>5}")
    print("-" * (width + 30))
    for name, passed, detail in rec.checks:
        print(f"{'ok  ' if passed else 'FAIL'} {name:<{width - 5}} {detail}")
    print("-" * (width + 30))
    print(f"lost: {lost}")
    print(f"done twice: {twice}")
    print(f"total time: {time.monotonic() - STARTED:.0f} s")
    print(f"result: {'PASS' if ok and lost == 0 and twice == 0 else 'FAIL'}")
    print("=" * (width + 30))
    return lost, twice


PORTS: Ports


def main() -> int:
    global PORTS
    for tool in ("nginx", "pgbouncer", "redis-server", "redis-cli"):
        if not shutil.which(tool):
            print(f"smoke: {tool} is not installed (.ci/run installs it)", file=sys.stderr)
            return 2
    PORTS = Ports()
    work = Path(tempfile.mkdtemp(prefix="baqylau-smoke-"))
    work.chmod(0o755)
    (work / "logs").mkdir()
    keep = os.environ.get("SMOKE_KEEP") == "1"
    stack = Stack(work)
    rec = Record()
    mailbox = None
    platform = None
    ok = False
    timer = threading.Timer(DEADLINE_S, lambda: (log("smoke: over the time limit, stopping"),
                                                 os.kill(os.getpid(), signal.SIGINT)))  # fmt: skip
    timer.daemon = True
    timer.start()
    try:
        log(f"work folder {work}")
        from tests.intake.platforms import PlatformServer

        platform = PlatformServer().start()
        mailbox = Mailbox(PORTS.smtp).start()
        t = time.monotonic()
        postgres_start(stack, PORTS, work)
        pgbouncer_start(stack, PORTS, work)
        redis_start(stack, PORTS, work)
        s3_start(stack, PORTS)
        rec.step("data services up", t, "PostgreSQL x2, PgBouncer, Redis x2, Sentinel x3, S3")
        env = app_environment(PORTS, work, platform.environment())
        t = time.monotonic()
        app_prepare(stack, env, PORTS, work)
        rec.step("migrate and collectstatic", t)
        t = time.monotonic()
        app_start(stack, env, PORTS, work)
        seed_wait(stack)
        rec.step("application up, demo data seeded", t, "nginx, gunicorn x2, worker x2, beat")
        rec.restarts = stack.restarts
        stack.supervise(("worker-default", "worker-reports", "beat"))
        django_setup({**env, "DATABASE_URL": env["DATABASE_DIRECT_URL"], "DB_PGBOUNCER": ""})
        made = scenario(stack, env, platform, mailbox, rec)
        settle_and_count(stack, env, platform, mailbox, rec, made)
        readiness_again(rec)
        audit_and_backups(env, PORTS, work, rec)
        ok = all(passed for _n, passed, _d in rec.checks)
    except (Exception, KeyboardInterrupt) as error:
        rec.check("scenario ran to the end", False, f"{type(error).__name__}: {error}")
        for name in stack.procs:
            if name.startswith(("gunicorn", "worker", "beat", "nginx", "pgbouncer")):
                print(f"--- last lines of {name} ---\n{stack.tail(name, 15)}")
    finally:
        timer.cancel()
        lost, twice = summary(rec, ok)
        log("stopping everything this script started")
        stack.stop_all()
        if mailbox:
            mailbox.stop()
        if platform:
            platform.stop()
        if keep:
            print(f"kept {work} (SMOKE_KEEP=1)")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0 if ok and lost == 0 and twice == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
