from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_sender_keys_encrypted")]

    operations = [
        migrations.AddField(
            model_name="inboundmessage",
            name="body_purged_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="raw body purged"),
        ),
        migrations.AddIndex(
            model_name="inboundmessage",
            index=models.Index(
                condition=models.Q(("body_purged_at__isnull", True)),
                fields=["received_at"],
                name="inbound_body_kept",
            ),
        ),
    ]
