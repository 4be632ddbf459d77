"""gunicorn settings for Baqylau (deploy/systemd/baqylau-web.service runs
`gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`).

Sync workers: nginx buffers request and response bodies, so a slow client never holds a worker.
Variables: GUNICORN_BIND (default 127.0.0.1:8000; a private address when nginx is on another
machine), GUNICORN_WORKERS (default 2 × cores + 1), GUNICORN_TIMEOUT (default 60 s).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter), so that a slow leak stays small.
max_requests = 2000
max_requests_jitter = 200
# Access lines come from nginx (with the request id); gunicorn logs errors only.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "warning")
# Django's logs are JSON lines with the request id (config/observability.py).
capture_output = False
proc_name = os.environ.get("GUNICORN_NAME", "baqylau-web")
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# gunicorn's control socket defaults to one path per user: two instances on a machine would
# share it. Off unless a path is given.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket


def child_exit(server, worker):
    """Prometheus multiprocess mode: forget a dead worker's live gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
