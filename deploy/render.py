#!/usr/bin/env python3
"""Fill a deploy/ template: every @@NAME@@ becomes the environment's NAME, or its default below.

    python deploy/render.py deploy/nginx/locations.conf.in > /etc/nginx/snippets/baqylau.conf

A placeholder with neither a value nor a default stops it with one line naming the variable.
nginx's own `$variables` are left alone, which is why the placeholders are not `${...}`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from pathlib import Path

PLACEHOLDER = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")
PHOTOS_PER_REQUEST = 10  # the API and forms take at most 10 photos per list


def defaults(env: Mapping[str, str]) -> dict[str, str]:
    """Values derived from the application's own settings variables, so that nginx's limits
    follow MAX_UPLOAD_BYTES and DATA_UPLOAD_MAX_MEMORY_SIZE."""
    max_upload = int(env.get("MAX_UPLOAD_BYTES", 15 * 1024 * 1024))
    max_form = int(env.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
    app = env.get("APP_DIR", "/srv/baqylau")
    data = env.get("DATA_DIR", "/var/lib/baqylau")
    return {
        "APP_DIR": app,
        "DATA_DIR": data,
        "STATIC_ROOT": env.get("STATIC_ROOT", f"{app}/staticfiles"),
        "MEDIA_ROOT": env.get("MEDIA_ROOT", f"{data}/media"),
        "PRIVATE_MEDIA_ROOT": env.get("PRIVATE_MEDIA_ROOT", f"{data}/media-private"),
        # A form without files: Django's own limit plus room for the multipart envelope.
        "BODY_MAX": str(max_form + 64 * 1024),
        # An upload: every photo at its largest, plus the form around them.
        "UPLOAD_BODY_MAX": str(PHOTOS_PER_REQUEST * max_upload + max_form + 64 * 1024),
        "SERVER_NAME": env.get("SERVER_NAME", "baqylau.example.kz"),
        "UPSTREAMS": env.get("UPSTREAMS", "server 127.0.0.1:8000;"),
    }


def render(text: str, env: Mapping[str, str]) -> str:
    values = {**env, **defaults(env)}

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise SystemExit(f"render: {name} is not set and has no default")
        return values[name]

    return PLACEHOLDER.sub(fill, text)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: render.py TEMPLATE > OUTPUT", file=sys.stderr)
        return 2
    sys.stdout.write(render(Path(argv[1]).read_text(), os.environ))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
