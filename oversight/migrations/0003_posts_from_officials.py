"""Today's officials, district akims and department heads become people, posts and occupancies
(`oversight.posts.posts_from_officials`). The old rows and fields stay; going back removes only
what this made."""

from django.db import migrations
from django.utils import timezone

from oversight.posts import posts_from_officials


def forwards(apps, schema_editor):
    posts_from_officials(apps, today=timezone.localdate())


def backwards(apps, schema_editor):
    # Rows made from officials: their occupancies, the akims' and heads' posts, the people.
    # (On PostgreSQL the history triggers do not matter here: these models' rows carry none.)
    Person = apps.get_model("oversight", "Person")
    Occupancy = apps.get_model("oversight", "Occupancy")
    Position = apps.get_model("oversight", "Position")
    made = Person.objects.filter(official__isnull=False)
    Occupancy.objects.filter(person__in=made).delete()
    Position.objects.filter(occupancies__isnull=True).delete()
    made.delete()


class Migration(migrations.Migration):
    dependencies = [("oversight", "0002_postgres_guards"), ("casework", "0007_outbox_dedupe_key_partial_unique")]
    operations = [migrations.RunPython(forwards, backwards)]
