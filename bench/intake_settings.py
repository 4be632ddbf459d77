"""Settings for bench/intake.py: the project's own, plus a hello-world view as the baseline."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake_urls"
WEBHOOK_URLCONF = "bench.intake_webhook_urls"
