"""Issue or revoke an Open311 client's API key: `open311_key create NAME | revoke NAME | list`."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from intake.models import Open311Client
from intake.services import open311_client_create, open311_client_revoke


class Command(BaseCommand):
    help = "Create (prints the key once) or revoke an Open311 client's API key, or list clients."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "revoke", "list"])
        parser.add_argument("name", nargs="?", default="")

    def handle(self, *args, action: str, name: str, **options):
        if action == "list":
            for client in Open311Client.objects.order_by("name"):
                state = f"revoked {client.revoked_at:%Y-%m-%d}" if client.revoked_at else "active"
                self.stdout.write(f"{client.name}\t{state}")
            return
        if not name.strip():
            raise CommandError(f"open311_key {action} needs the client's NAME")
        try:
            if action == "create":
                client, key = open311_client_create(name)
                self.stdout.write(key)
                self.stderr.write(f"Open311 key for {client.name!r} (shown once, stored hashed).")
            else:
                client = open311_client_revoke(name)
                self.stdout.write(f"revoked the key of {client.name!r}")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
